package segment

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Destinations sync a segment to outside tools through webhooks: when one
// is added (and on demand) every member is sent, in pages; from then on
// every pass that changes the segment sends who entered and who left.
// Deliveries are queued in the state store in the same transaction as the
// changes they carry, signed, and retried until the receiver answers 2xx.

// DestinationStore keeps destinations and their deliveries.
type DestinationStore interface {
	CreateDestination(ctx context.Context, d *touchpoint.Destination) error
	Destinations(ctx context.Context, workspace, segmentID string) ([]*touchpoint.Destination, error)
	DeleteDestination(ctx context.Context, workspace, segmentID, id string) error
	FindDestination(ctx context.Context, workspace, segmentID, id string) (*touchpoint.Destination, error)
	EnqueueDelivery(ctx context.Context, workspace, destinationID string, body []byte) error
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]DueDelivery, error)
	DeliveryDone(ctx context.Context, id int64, at time.Time) error
	DeliveryRetry(ctx context.Context, id int64, next time.Time, reason string) error
	DeliveryFailed(ctx context.Context, id int64, at time.Time, reason string) error
}

// DueDelivery is a delivery whose time has come, with where it goes.
type DueDelivery struct {
	ID                     int64
	Workspace, Destination string
	URL, Secret            string
	Body                   []byte
	Attempts               int
}

// DestinationService manages destinations; it implements
// touchpoint.DestinationService.
type DestinationService struct {
	Store    DestinationStore
	Segments Definitions
	Sender   *Sender
	Clock    touchpoint.Clock
}

var _ touchpoint.DestinationService = (*DestinationService)(nil)

// CreateDestination checks the address, stores the destination with a new
// secret and queues a full sync.
func (s *DestinationService) CreateDestination(ctx context.Context, d *touchpoint.Destination) error {
	if err := d.Validate(); err != nil {
		return err
	}
	if _, err := s.Segments.FindSegment(ctx, d.Workspace, d.SegmentID); err != nil {
		return err
	}
	if err := CheckURL(ctx, s.Sender.AllowedHosts, d.URL); err != nil {
		return err
	}
	d.Secret = "whsec_" + rand.Text()
	if err := s.Store.CreateDestination(ctx, d); err != nil {
		return err
	}
	return s.SyncDestination(ctx, d.Workspace, d.SegmentID, d.ID)
}

// Destinations lists a segment's destinations.
func (s *DestinationService) Destinations(ctx context.Context, workspace, segmentID string) ([]*touchpoint.Destination, error) {
	if _, err := s.Segments.FindSegment(ctx, workspace, segmentID); err != nil {
		return nil, err
	}
	return s.Store.Destinations(ctx, workspace, segmentID)
}

// DeleteDestination removes a destination and what is queued for it.
func (s *DestinationService) DeleteDestination(ctx context.Context, workspace, segmentID, id string) error {
	return s.Store.DeleteDestination(ctx, workspace, segmentID, id)
}

// SyncDestination queues every member of the segment, a thousand a
// delivery.
func (s *DestinationService) SyncDestination(ctx context.Context, workspace, segmentID, id string) error {
	d, err := s.Store.FindDestination(ctx, workspace, segmentID, id)
	if err != nil {
		return err
	}
	seg, err := s.Segments.FindSegment(ctx, workspace, segmentID)
	if err != nil {
		return err
	}
	sync := "sync_" + strconv.FormatInt(s.Clock.Now().UnixNano(), 36)
	after, page := "", 0
	for {
		ms, err := s.Segments.SegmentMembersPage(ctx, touchpoint.SegmentMemberFilter{Workspace: workspace, SegmentID: segmentID, After: after, Limit: 1000})
		if err != nil {
			return err
		}
		page++
		last := len(ms) < 1000
		body, err := json.Marshal(map[string]any{"type": "segment.sync", "sync_id": sync, "page": page, "last": last,
			"segment": map[string]any{"id": seg.ID, "name": seg.Name, "workspace": workspace, "size": seg.Size},
			"members": ms, "at": s.Clock.Now().UTC()})
		if err != nil {
			return fmt.Errorf("sync destination: %w", err)
		}
		if err := s.Store.EnqueueDelivery(ctx, workspace, d.ID, body); err != nil {
			return err
		}
		if last {
			break
		}
		after = ms[len(ms)-1].ProfileID
	}
	s.Sender.Wake()
	return nil
}

// Sender delivers queued bodies to destinations.
type Sender struct {
	Store  DestinationStore
	Clock  touchpoint.Clock
	Logger *slog.Logger
	// AllowedHosts may be reached even on private addresses (an internal
	// tool, a test receiver on 127.0.0.1): host or host:port.
	AllowedHosts []string
	// MaxAttempts before a delivery is given up (default 8); the pause
	// between attempts doubles from Backoff (default 30 s) up to an hour.
	MaxAttempts int
	Backoff     time.Duration
	HTTP        *http.Client
	wake        chan struct{}
}

// NewSender returns a sender whose HTTP client refuses private addresses
// except allowed hosts.
func NewSender(store DestinationStore, clock touchpoint.Clock, logger *slog.Logger, allowed []string) *Sender {
	return &Sender{Store: store, Clock: clock, Logger: logger, AllowedHosts: allowed, MaxAttempts: 8, Backoff: 30 * time.Second,
		HTTP: GuardedClient(10*time.Second, allowed), wake: make(chan struct{}, 1)}
}

// Wake tells the sender there is something to send. It never blocks.
func (s *Sender) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Run sends due deliveries until ctx is done, waking when told and every
// few seconds.
func (s *Sender) Run(ctx context.Context) error {
	for {
		if _, err := s.SendDue(ctx); err != nil && ctx.Err() == nil {
			s.Logger.Error("segments: sending to destinations", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.wake:
		case <-time.After(5 * time.Second):
		}
	}
}

// SendDue sends every delivery due now and returns how many were
// delivered.
func (s *Sender) SendDue(ctx context.Context) (int, error) {
	sent := 0
	for {
		due, err := s.Store.DueDeliveries(ctx, s.Clock.Now(), 100)
		if err != nil || len(due) == 0 {
			return sent, err
		}
		for _, d := range due {
			err := s.send(ctx, d)
			now := s.Clock.Now()
			switch {
			case err == nil:
				sent++
				err = s.Store.DeliveryDone(ctx, d.ID, now)
			case d.Attempts+1 >= s.MaxAttempts || errors.Is(err, errPermanent):
				s.Logger.Warn("segments: delivery given up", "destination", d.Destination, "delivery", d.ID, "err", err)
				err = s.Store.DeliveryFailed(ctx, d.ID, now, err.Error())
			default:
				wait := min(s.Backoff<<d.Attempts, time.Hour)
				err = s.Store.DeliveryRetry(ctx, d.ID, now.Add(wait), err.Error())
			}
			if err != nil {
				return sent, err
			}
		}
		if len(due) < 100 {
			return sent, nil
		}
	}
}

var errPermanent = errors.New("the receiver refused the delivery")

// Sign returns the signature header of a body: t=<unix seconds>,v1=<hex
// HMAC-SHA256 of "<t>.<body>" with the destination's secret>. Receivers
// recompute it and compare, and refuse old timestamps.
func Sign(secret string, at time.Time, body []byte) string {
	t := strconv.FormatInt(at.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(t + "."))
	mac.Write(body)
	return "t=" + t + ",v1=" + hex.EncodeToString(mac.Sum(nil))
}

func (s *Sender) send(ctx context.Context, d DueDelivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.URL, bytes.NewReader(d.Body))
	if err != nil {
		return fmt.Errorf("%w: %s", errPermanent, err.Error())
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Touchpoint-Segments/1")
	req.Header.Set("X-Touchpoint-Delivery", strconv.FormatInt(d.ID, 10))
	req.Header.Set("X-Touchpoint-Signature", Sign(d.Secret, s.Clock.Now(), d.Body))
	resp, err := s.HTTP.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) && errors.Is(ue.Err, ErrForbiddenAddress) {
			return fmt.Errorf("%w: %s", errPermanent, ue.Err.Error())
		}
		return err
	}
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusRequestTimeout, resp.StatusCode == http.StatusTooManyRequests, resp.StatusCode >= 500:
		return fmt.Errorf("the receiver answered %d", resp.StatusCode)
	}
	return fmt.Errorf("%w: it answered %d", errPermanent, resp.StatusCode)
}

// The outbound guard. Webhook addresses are typed by users, so a request
// must not reach the machine's own network: loopback, private, link-local,
// carrier-grade NAT and other non-public addresses are refused when a URL
// is saved and again at every connection, after DNS resolution, unless the
// host is on the allow-list.

// ErrForbiddenAddress is returned (wrapped) for a connection the guard
// refused.
var ErrForbiddenAddress = errors.New("outbound address not allowed")

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// forbidden says why an address may not be dialled, or "".
func forbidden(ip netip.Addr) string {
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

func allowedHost(allowed []string, host, port string) bool {
	host = strings.ToLower(strings.Trim(host, "[]"))
	for _, a := range allowed {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == host || a == net.JoinHostPort(host, port) {
			return true
		}
	}
	return false
}

// CheckURL vets a destination address when it is saved: http or https, no
// credentials, and no address the host resolves to may be private unless
// the host is allowed. Returns EINVALID naming the url field.
func CheckURL(ctx context.Context, allowed []string, raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return touchpoint.FieldError("url", "%q is not an http or https URL", raw)
	}
	if u.User != nil {
		return touchpoint.FieldError("url", "credentials in the URL are not allowed; the receiver checks the signature instead")
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
	}
	if allowedHost(allowed, host, port) {
		return nil
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if why := forbidden(ip); why != "" {
			return touchpoint.FieldError("url", "%s is %s; the server's segments.allowed_hosts setting must list %q to send there", host, why, host)
		}
		return nil
	}
	if h := strings.ToLower(host); h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return touchpoint.FieldError("url", "%s is a loopback address; the server's segments.allowed_hosts setting must list %q to send there", host, host)
	}
	lctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupNetIP(lctx, "ip", host)
	if err != nil {
		// Not resolvable now: checked again at every connection.
		return nil
	}
	for _, a := range addrs {
		if why := forbidden(a); why != "" {
			return touchpoint.FieldError("url", "%s resolves to %s, %s; the server's segments.allowed_hosts setting must list %q to send there", host, a, why, host)
		}
	}
	return nil
}

// GuardedClient returns an HTTP client that checks every connection's
// address after resolution (allowed hosts excepted), follows no redirects
// and uses no proxy.
func GuardedClient(timeout time.Duration, allowed []string) *http.Client {
	plain := &net.Dialer{Timeout: 10 * time.Second}
	guarded := &net.Dialer{Timeout: 10 * time.Second, Control: func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrForbiddenAddress, address)
		}
		if why := forbidden(ap.Addr()); why != "" {
			return fmt.Errorf("%w: %s is %s", ErrForbiddenAddress, ap.Addr(), why)
		}
		return nil
	}}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			host, port, err := net.SplitHostPort(addr)
			if err != nil {
				return nil, err
			}
			if allowedHost(allowed, host, port) {
				return plain.DialContext(ctx, network, addr)
			}
			return guarded.DialContext(ctx, network, addr)
		},
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConnsPerHost: 4,
	}
	return &http.Client{Transport: tr, Timeout: timeout,
		// A redirect could lead anywhere; receivers answer where they are.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}
