package httpapi

import (
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// bodyDeadline bounds how long a client may take to send a collection body.
const bodyDeadline = 30 * time.Second

// handleCall serves the single-call endpoints (/v1/track …). Every call
// whose workspace is known is also shown in the event debugger, with the
// reason when it was rejected.
func (s *Server) handleCall(typ touchpoint.EventType) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		body, err := readBody(w, r, touchpoint.MaxEventBytes)
		if err != nil {
			s.metrics.rejected.WithLabelValues(touchpoint.ErrorCode(err)).Inc()
			s.debugRejected(r, nil, string(typ), body, err)
			return err
		}
		call, err := touchpoint.ParseCall(body)
		if err != nil {
			s.metrics.rejected.WithLabelValues(touchpoint.ErrorCode(err)).Inc()
			s.debugRejected(r, nil, string(typ), body, err)
			return err
		}
		src, err := s.writeKeySource(r, call.WriteKey)
		if err != nil {
			return err
		}
		ev, err := call.Normalize(typ, s.received(r, src))
		if err != nil {
			s.metrics.rejected.WithLabelValues(touchpoint.ErrorCode(err)).Inc()
			s.debugRejected(r, src, string(typ), body, err)
			return err
		}
		if err := s.cfg.Appender.Append(r.Context(), []touchpoint.Event{ev}); err != nil {
			s.debugRejected(r, src, string(typ), body, err)
			return err
		}
		s.metrics.accepted.WithLabelValues(string(typ)).Inc()
		s.cfg.Debug.Record(debugAccepted(r.URL.Path, src, &ev))
		writeJSON(w, http.StatusOK, map[string]bool{"success": true})
		return nil
	}
}

// debugAccepted is the debugger's record of a stored event. The stored
// event says everything the call did, so the call's body is not kept.
func debugAccepted(path string, src *touchpoint.Source, ev *touchpoint.Event) touchpoint.DebugCall {
	return touchpoint.DebugCall{Time: ev.ReceivedAt, Workspace: src.Workspace, SourceID: src.ID, SourceName: src.Name, Path: path,
		Type: string(ev.Type), MessageID: ev.ID, Accepted: true, Event: ev}
}

// debugRejected records a rejected call in the debugger, if its workspace
// can be told: from src, or else from a write key sent outside the body.
func (s *Server) debugRejected(r *http.Request, src *touchpoint.Source, typ string, body []byte, err error) {
	if src == nil {
		key, _, ok := r.BasicAuth()
		if !ok || key == "" {
			key = r.URL.Query().Get("writeKey")
		}
		if key == "" {
			return
		}
		if src, _ = s.keys.get(r.Context(), key); src == nil || src.Revoked() {
			return
		}
	}
	c := touchpoint.DebugCall{Time: s.cfg.Clock.Now(), Workspace: src.Workspace, SourceID: src.ID, SourceName: src.Name,
		Path: r.URL.Path, Type: typ, Payload: string(body), Error: &touchpoint.Error{
			Code: touchpoint.ErrorCode(err), Message: touchpoint.ErrorMessage(err), Field: touchpoint.ErrorField(err)}}
	if call, perr := touchpoint.ParseCall(body); perr == nil {
		c.MessageID = string(call.MessageID)
		if c.Type == "" {
			c.Type = call.Type
		}
	}
	s.cfg.Debug.Record(c)
}

// BatchResponse is the answer to /v1/batch. Segment clients only look at
// the status; Rejected tells a person which items were dropped and why.
type BatchResponse struct {
	Success  bool                   `json:"success"`
	Accepted int                    `json:"accepted"`
	Rejected []touchpoint.ItemError `json:"rejected,omitempty"`
}

// handleBatch keeps the valid items of a batch and reports the others. A
// batch whose items are all invalid is a 400, so that a broken integration
// is noticed; a partly valid one is a 200, because retrying would not help.
func (s *Server) handleBatch(w http.ResponseWriter, r *http.Request) error {
	body, err := readBody(w, r, touchpoint.MaxBatchBytes)
	if err != nil {
		s.metrics.rejected.WithLabelValues(touchpoint.ErrorCode(err)).Inc()
		return err
	}
	b, err := touchpoint.ParseBatch(body)
	if err != nil {
		s.metrics.rejected.WithLabelValues(touchpoint.ErrorCode(err)).Inc()
		s.debugRejected(r, nil, "batch", body, err)
		return err
	}
	src, err := s.writeKeySource(r, b.WriteKey)
	if err != nil {
		return err
	}
	events, rejected := b.Events(s.received(r, src))
	for _, ie := range rejected {
		s.metrics.rejected.WithLabelValues(ie.Error.Code).Inc()
	}
	if len(events) == 0 && len(rejected) > 0 {
		s.debugBatch(r, src, b, nil, rejected)
		writeJSON(w, http.StatusBadRequest, struct {
			Error    *touchpoint.Error      `json:"error"`
			Rejected []touchpoint.ItemError `json:"rejected"`
		}{
			Error:    &touchpoint.Error{Code: touchpoint.EINVALID, Field: "batch", Message: fmt.Sprintf("batch: all %d items were rejected; first: %s", len(rejected), rejected[0].Error.Message)},
			Rejected: rejected,
		})
		return nil
	}
	if err := s.cfg.Appender.Append(r.Context(), events); err != nil {
		s.debugBatch(r, src, b, nil, rejected)
		return err
	}
	s.debugBatch(r, src, b, events, rejected)
	for i := range events {
		s.metrics.accepted.WithLabelValues(string(events[i].Type)).Inc()
	}
	writeJSON(w, http.StatusOK, BatchResponse{Success: true, Accepted: len(events), Rejected: rejected})
	return nil
}

// debugBatch records a batch's items in the debugger, in the order sent:
// the stored events, and the rejected items with their reasons.
func (s *Server) debugBatch(r *http.Request, src *touchpoint.Source, b *touchpoint.Batch, events []touchpoint.Event, rejected []touchpoint.ItemError) {
	calls := make([]touchpoint.DebugCall, 0, len(b.Items))
	next, ri := 0, 0
	now := s.cfg.Clock.Now()
	for i, raw := range b.Items {
		path := r.URL.Path + "[" + strconv.Itoa(i) + "]"
		if ri < len(rejected) && rejected[ri].Index == i {
			ie := rejected[ri]
			ri++
			c := touchpoint.DebugCall{Time: now, Workspace: src.Workspace, SourceID: src.ID, SourceName: src.Name, Path: path,
				MessageID: ie.MessageID, Payload: string(raw), Error: ie.Error}
			var t struct {
				Type string `json:"type"`
			}
			if json.Unmarshal(raw, &t) == nil {
				c.Type = t.Type
			}
			calls = append(calls, c)
			continue
		}
		if next < len(events) {
			calls = append(calls, debugAccepted(path, src, &events[next]))
			next++
		}
	}
	s.cfg.Debug.Record(calls...)
}

func (s *Server) received(r *http.Request, src *touchpoint.Source) touchpoint.Received {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return touchpoint.Received{At: s.cfg.Clock.Now(), IP: ip, Source: src}
}

// readBody reads a collection body of at most limit bytes (after gzip
// decoding), within bodyDeadline.
func readBody(w http.ResponseWriter, r *http.Request, limit int) ([]byte, error) {
	_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(bodyDeadline))
	var rd io.Reader = r.Body
	switch enc := strings.ToLower(strings.TrimSpace(r.Header.Get("Content-Encoding"))); enc {
	case "", "identity":
	case "gzip":
		zr, err := gzip.NewReader(io.LimitReader(r.Body, int64(limit)*4+1024))
		if err != nil {
			return nil, touchpoint.Errorf(touchpoint.EINVALID, "body is not valid gzip: %s", err.Error())
		}
		defer zr.Close()
		rd = zr
	default:
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "Content-Encoding %q is not supported (send gzip or nothing)", enc)
	}
	body, err := io.ReadAll(io.LimitReader(rd, int64(limit)+1))
	if err != nil {
		if errors.Is(err, gzip.ErrChecksum) || errors.Is(err, gzip.ErrHeader) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, touchpoint.Errorf(touchpoint.EINVALID, "body is not valid gzip: %s", err.Error())
		}
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "read body: %s", err.Error())
	}
	if len(body) > limit {
		what := "event"
		if limit == touchpoint.MaxBatchBytes {
			what = "batch"
		}
		return nil, touchpoint.Errorf(touchpoint.ETOOLARGE, "%s is larger than %d bytes (%d KB)", what, limit, limit>>10)
	}
	if len(body) == 0 {
		return nil, touchpoint.Errorf(touchpoint.EINVALID, "body is empty: send a JSON object")
	}
	return body, nil
}

// writeKeySource finds the live source whose write key the request carries:
// as the HTTP Basic user (Segment), as writeKey in the body, or as the
// writeKey query parameter (RudderStack's beacon).
func (s *Server) writeKeySource(r *http.Request, bodyKey string) (*touchpoint.Source, error) {
	key, _, ok := r.BasicAuth()
	if !ok || key == "" {
		key = bodyKey
	}
	if key == "" {
		key = r.URL.Query().Get("writeKey")
	}
	if key == "" {
		s.metrics.rejected.WithLabelValues(touchpoint.EUNAUTHORIZED).Inc()
		return nil, touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "write key required: send it as the HTTP Basic user or as writeKey in the body")
	}
	src, err := s.keys.get(r.Context(), key)
	if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
		err = touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "unknown write key")
	} else if err == nil && src.Revoked() {
		err = touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "write key of source %q was revoked", src.Name)
	}
	if err != nil {
		s.metrics.rejected.WithLabelValues(touchpoint.ErrorCode(err)).Inc()
		return nil, err
	}
	return src, nil
}

// writeKeyCache keeps write keys in memory: every collection request needs
// one, and they change rarely. Revocation through this server is immediate;
// through another node it takes at most ttl.
type writeKeyCache struct {
	sources touchpoint.SourceService
	ttl     time.Duration

	mu      sync.RWMutex
	entries map[string]writeKeyEntry
}

type writeKeyEntry struct {
	src     *touchpoint.Source
	err     error
	expires time.Time
}

func newWriteKeyCache(sources touchpoint.SourceService, ttl time.Duration) *writeKeyCache {
	return &writeKeyCache{sources: sources, ttl: ttl, entries: map[string]writeKeyEntry{}}
}

func (c *writeKeyCache) get(ctx context.Context, key string) (*touchpoint.Source, error) {
	now := time.Now()
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		return e.src, e.err
	}
	src, err := c.sources.FindSourceByWriteKey(ctx, key)
	if err != nil && touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		return nil, err
	}
	ttl := c.ttl
	if err != nil {
		// Unknown keys are remembered briefly so a misconfigured client
		// cannot turn every request into a database lookup.
		ttl = 2 * time.Second
	}
	c.mu.Lock()
	if len(c.entries) > 100000 {
		c.entries = map[string]writeKeyEntry{}
	}
	c.entries[key] = writeKeyEntry{src: src, err: err, expires: now.Add(ttl)}
	c.mu.Unlock()
	return src, err
}

func (c *writeKeyCache) forget(key string) {
	c.mu.Lock()
	delete(c.entries, key)
	c.mu.Unlock()
}
