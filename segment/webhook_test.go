package segment_test

import (
	"encoding/json"
	"errors"
	"github.com/touchpoint-cx/touchpoint/internal/outbound"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/segment"
)

// receiver is an outside tool's webhook endpoint.
type receiver struct {
	mu      sync.Mutex
	bodies  []map[string]any
	fail    int // answer 503 this many times first
	refuse  bool
	secret  string
	badSigs int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	sig := r.Header.Get("X-Touchpoint-Signature")
	// The receiver recomputes the signature from the time it names.
	t, _, _ := strings.Cut(strings.TrimPrefix(sig, "t="), ",")
	sec, err := strconv.ParseInt(t, 10, 64)
	if rc.secret != "" && (err != nil || segment.Sign(rc.secret, time.Unix(sec, 0), body) != sig) {
		rc.badSigs++
	}
	if rc.refuse {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if rc.fail > 0 {
		rc.fail--
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	var m map[string]any
	json.Unmarshal(body, &m)
	rc.bodies = append(rc.bodies, m)
	w.WriteHeader(http.StatusNoContent)
}

func (rc *receiver) take() []map[string]any {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.bodies
	rc.bodies = nil
	return out
}

func TestDestinations(t *testing.T) {
	h := setup(t)
	rc := &receiver{}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	u, _ := url.Parse(srv.URL)
	sender := segment.NewSender(h.db, h.clock, quiet(), []string{u.Host})
	sender.Backoff = time.Minute
	eng := segment.NewEngine(segment.Config{Store: h.db, Analytics: h.w, Appender: h.log, Clock: h.clock, Logger: quiet(), Delivered: sender.Wake})
	h.eng, h.svc.Engine = eng, eng
	dests := &segment.DestinationService{Store: h.db, Segments: h.db, Sender: sender, Clock: h.clock}

	h.batch(track("ana", "Order Completed", ago(1*day), ``), track("bo", "Order Completed", ago(1*day), ``))
	s := h.create("Buyers", jsonCond(t, `{"event":{"name":"Order Completed","within_days":7}}`))

	t.Run("ErrPrivateAddress", func(t *testing.T) {
		for _, addr := range []string{"http://127.0.0.1:9/hook", "http://10.1.2.3/hook", "http://localhost/hook", "http://[::1]/x", "http://169.254.169.254/latest", "ftp://example.com/x", "http://user:pw@example.com/"} {
			err := dests.CreateDestination(h.ctx, &touchpoint.Destination{Workspace: "default", SegmentID: s.ID, URL: addr})
			if touchpoint.ErrorCode(err) != touchpoint.EINVALID || touchpoint.ErrorField(err) != "url" {
				t.Errorf("%s: got %v", addr, err)
			}
		}
		// The client checks again at connection time, after resolution.
		_, err := segment.NewSender(nil, nil, nil, nil).HTTP.Get(srv.URL)
		if !errors.Is(err, outbound.ErrForbidden) {
			t.Fatalf("unguarded connection to %s: %v", srv.URL, err)
		}
	})

	d := &touchpoint.Destination{Workspace: "default", SegmentID: s.ID, Name: "CRM", URL: srv.URL + "/hook"}
	if err := dests.CreateDestination(h.ctx, d); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(d.Secret, "whsec_") {
		t.Fatalf("secret %q", d.Secret)
	}
	rc.secret = d.Secret

	// A full sync first, then the changes of each pass.
	if n, err := sender.SendDue(h.ctx); err != nil || n != 1 {
		t.Fatalf("sent %d, %v", n, err)
	}
	got := rc.take()
	members, _ := got[0]["members"].([]any)
	if got[0]["type"] != "segment.sync" || len(members) != 2 || got[0]["last"] != true {
		t.Fatalf("sync = %v", got[0])
	}
	h.batch(track("cy", "Order Completed", ago(1*day), ``))
	h.at(t0.Add(7 * day))
	h.sweep()
	if n, err := sender.SendDue(h.ctx); err != nil || n != 2 {
		t.Fatalf("sent %d, %v", n, err)
	}
	got = rc.take()
	if got[0]["type"] != "segment.changed" || len(got[0]["entered"].([]any)) != 1 || len(got[1]["exited"].([]any)) != 3 {
		t.Fatalf("changes = %v", got)
	}
	if rc.badSigs != 0 {
		t.Fatalf("%d deliveries had a wrong signature", rc.badSigs)
	}

	t.Run("Retry", func(t *testing.T) {
		rc.fail = 2
		if err := dests.SyncDestination(h.ctx, "default", s.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		for i, wait := range []time.Duration{0, time.Minute, 2 * time.Minute} {
			h.at(h.clock.Now().Add(wait))
			n, err := sender.SendDue(h.ctx)
			if err != nil || n != map[bool]int{true: 1, false: 0}[i == 2] {
				t.Fatalf("attempt %d sent %d, %v", i+1, n, err)
			}
		}
		if got := rc.take(); len(got) != 1 || got[0]["type"] != "segment.sync" {
			t.Fatalf("after retries got %v", got)
		}
	})

	t.Run("Refused", func(t *testing.T) {
		rc.refuse = true
		if err := dests.SyncDestination(h.ctx, "default", s.ID, d.ID); err != nil {
			t.Fatal(err)
		}
		if n, err := sender.SendDue(h.ctx); err != nil || n != 0 {
			t.Fatalf("sent %d, %v", n, err)
		}
		list, err := dests.Destinations(h.ctx, "default", s.ID)
		if err != nil || len(list) != 1 || list[0].Failed != 1 || !strings.Contains(list[0].LastError, "400") || list[0].Pending != 0 {
			t.Fatalf("destinations = %+v, %v", list, err)
		}
	})
}
