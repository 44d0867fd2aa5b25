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
	"github.com/touchpoint-cx/touchpoint/internal/outbound"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
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
	DueDestinationDeliveries(ctx context.Context, now time.Time, limit int) ([]DueDelivery, error)
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
	if err := outbound.CheckURLAllowedIn(ctx, s.Sender.AllowedHosts, d.URL, "the server's outbound.allowed_hosts setting"); err != nil {
		return touchpoint.FieldError("url", "%s", touchpoint.ErrorMessage(err))
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
		HTTP: outbound.Client(10*time.Second, allowed), wake: make(chan struct{}, 1)}
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
		due, err := s.Store.DueDestinationDeliveries(ctx, s.Clock.Now(), 100)
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
		if errors.As(err, &ue) && errors.Is(ue.Err, outbound.ErrForbidden) {
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
