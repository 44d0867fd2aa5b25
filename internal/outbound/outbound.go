// Package outbound makes HTTP requests to URLs that customers of the
// product configure (webhooks, SMS gateways) without letting them reach
// the machine's own network: loopback, private, link-local and other
// non-public addresses are refused, both when a URL is saved and at the
// moment of every connection, after DNS resolution and after redirects.
// An admin may allow named hosts explicitly (an internal CRM, a test
// receiver on 127.0.0.1).
package outbound

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

type allowedKey struct{}

// WithAllowed returns a context whose requests may reach hosts (host or
// host:port), whatever they resolve to.
func WithAllowed(ctx context.Context, hosts []string) context.Context {
	return context.WithValue(ctx, allowedKey{}, hosts)
}

func allowedFrom(ctx context.Context) []string {
	h, _ := ctx.Value(allowedKey{}).([]string)
	return h
}

// isAllowed reports whether host:port is on the allow-list.
func isAllowed(allowed []string, host, port string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == host || a == net.JoinHostPort(host, port) || strings.Trim(a, "[]") == host {
			return true
		}
	}
	return false
}

// cgnat is the shared address space of carrier-grade NAT (RFC 6598),
// private in all but name.
var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// Forbidden reports why ip may not be dialled, or "".
func Forbidden(ip netip.Addr) string {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return "an invalid address"
	case ip.IsLoopback():
		return "a loopback address"
	case ip.IsPrivate(), cgnat.Contains(ip):
		return "a private address"
	case ip.IsLinkLocalUnicast(), ip.IsLinkLocalMulticast():
		return "a link-local address"
	case ip.IsUnspecified(), ip.IsMulticast(), ip.IsInterfaceLocalMulticast():
		return "not a unicast address"
	case ip.Is4() && ip.As4()[0] == 0:
		return "a reserved address"
	}
	return ""
}

// CheckURL vets a URL when it is saved: http or https, a host, and no
// address the host resolves to may be forbidden, unless the host is
// allowed. A host that does not resolve now is accepted; it is checked
// again when called. A refusal says the host must be allowed in the
// workspace's messaging settings.
func CheckURL(ctx context.Context, allowed []string, raw string) error {
	return CheckURLAllowedIn(ctx, allowed, raw, "the messaging settings")
}

// CheckURLAllowedIn is CheckURL for URLs whose hosts are allowed
// elsewhere: a refusal names where (e.g. "the server's
// outbound.allowed_hosts setting").
func CheckURLAllowedIn(ctx context.Context, allowed []string, raw, where string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return touchpoint.Errorf(touchpoint.EINVALID, "%q is not an http or https URL", raw)
	}
	if u.User != nil {
		return touchpoint.Errorf(touchpoint.EINVALID, "credentials in the URL are not allowed; use a header instead")
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if isAllowed(allowed, host, port) {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if why := Forbidden(ip); why != "" {
			return touchpoint.Errorf(touchpoint.EINVALID, "%s is %s; an admin must allow the host %q in %s", host, why, host, where)
		}
		return nil
	}
	if strings.EqualFold(host, "localhost") || strings.HasSuffix(strings.ToLower(host), ".localhost") {
		return touchpoint.Errorf(touchpoint.EINVALID, "%s is a loopback address; an admin must allow the host %q in %s", host, host, where)
	}
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(lctx, "ip", host)
	if err != nil {
		return nil
	}
	for _, a := range addrs {
		if why := Forbidden(a); why != "" {
			return touchpoint.Errorf(touchpoint.EINVALID, "%s resolves to %s, %s; an admin must allow the host %q in %s", host, a, why, host, where)
		}
	}
	return nil
}

// ErrForbidden is returned (wrapped) by a connection the guard refused.
var ErrForbidden = errors.New("outbound address not allowed")

// Client returns an HTTP client that checks every connection's address
// after resolution, follows at most three redirects (each checked the
// same way) and uses no proxy. static hosts are always allowed, beside
// those a request's context allows (WithAllowed). A client used with
// WithAllowed keeps no idle connections: a connection opened for one
// workspace's allowed host must not serve another's request.
func Client(timeout time.Duration, static []string) *http.Client {
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}
	guarded := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second,
		Control: func(network, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return fmt.Errorf("%w: %s", ErrForbidden, address)
			}
			if why := Forbidden(ap.Addr()); why != "" {
				return fmt.Errorf("%w: %s is %s", ErrForbidden, ap.Addr(), why)
			}
			return nil
		}}
	tr := &http.Transport{
		Proxy:             nil,
		DisableKeepAlives: static == nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if isAllowed(static, host, port) || isAllowed(allowedFrom(ctx), host, port) {
				return dialer.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		MaxIdleConnsPerHost:   8,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: timeout,
	}
	return &http.Client{Transport: tr, Timeout: timeout, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 3 {
			return errors.New("stopped after 3 redirects")
		}
		if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
			return fmt.Errorf("%w: redirect to %s", ErrForbidden, req.URL.Scheme)
		}
		return nil
	}}
}

// Allowed joins allow-lists.
func Allowed(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		for _, h := range l {
			if !slices.Contains(out, h) {
				out = append(out, h)
			}
		}
	}
	return out
}
