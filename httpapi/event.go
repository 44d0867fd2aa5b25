package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/touchpoint-cx/touchpoint"
)

// handleStats serves GET /api/v1/stats.
func (s *Server) handleStats(w http.ResponseWriter, r *http.Request) error {
	stats, err := s.cfg.Events.Stats(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	if s.cfg.Profiles != nil {
		// The checkpoint is read before the count, so the count includes
		// at least everything the checkpoint says was applied.
		if stats.Pipeline.IdentitySequence, err = s.cfg.Profiles.IdentityCheckpoint(r.Context()); err != nil {
			return err
		}
		if stats.Pipeline.IdentityChangeSequence, err = s.cfg.Profiles.LastIdentityChange(r.Context()); err != nil {
			return err
		}
		if stats.ProfilesTotal, err = s.cfg.Profiles.CountProfiles(r.Context(), workspaceOf(r)); err != nil {
			return err
		}
	}
	if s.cfg.FeedbackSeq != nil {
		// Read before the log's head, like the other checkpoints.
		if stats.Pipeline.FeedbackSequence, err = s.cfg.FeedbackSeq(r.Context()); err != nil {
			return err
		}
	}
	if s.cfg.SegmentsSeq != nil {
		if stats.Pipeline.SegmentsSequence, err = s.cfg.SegmentsSeq(r.Context()); err != nil {
			return err
		}
	}
	if s.cfg.Log != nil {
		if stats.Pipeline.LogSequence, err = s.cfg.Log.LastSequence(r.Context()); err != nil {
			return err
		}
	}
	if s.cfg.FeedbackSeq == nil {
		// No feedback engine runs: there is nothing for it to catch up on.
		stats.Pipeline.FeedbackSequence = stats.Pipeline.LogSequence
	}
	if s.cfg.SegmentsSeq == nil {
		stats.Pipeline.SegmentsSequence = stats.Pipeline.LogSequence
	}
	writeJSON(w, http.StatusOK, stats)
	return nil
}

// EventsResponse is the answer to GET /api/v1/events.
type EventsResponse struct {
	Events []*touchpoint.Event `json:"events"`
}

// handleEvents serves GET /api/v1/events, newest first.
func (s *Server) handleEvents(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := touchpoint.EventFilter{Workspace: workspaceOf(r)}
	if v := q.Get("user_id"); v != "" {
		f.UserID = &v
	}
	if v := q.Get("anonymous_id"); v != "" {
		f.AnonymousID = &v
	}
	if v := q.Get("event"); v != "" {
		f.Event = &v
	}
	if v := q.Get("type"); v != "" {
		t := touchpoint.EventType(v)
		if !t.Valid() {
			return touchpoint.FieldError("type", "unknown call type %q", v)
		}
		f.Type = &t
	}
	var err error
	if f.Limit, err = limitParam(r, f.Limit, touchpoint.MaxEventLimit); err != nil {
		return err
	}
	events, err := s.cfg.Events.FindEvents(r.Context(), f)
	if err != nil {
		return err
	}
	if events == nil {
		events = []*touchpoint.Event{}
	}
	writeJSON(w, http.StatusOK, EventsResponse{Events: events})
	return nil
}

// limitParam reads the ?limit= of a request: def when absent, else a
// whole number from 1 to maxLimit.
func limitParam(r *http.Request, def, maxLimit int) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxLimit {
		return 0, touchpoint.FieldError("limit", "must be a whole number from 1 to %d", maxLimit)
	}
	return n, nil
}

// decodeBody decodes a JSON admin request body, rejecting unknown fields so
// that a typo is an error rather than a silently ignored setting.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return touchpoint.Errorf(touchpoint.EINVALID, "invalid JSON body: %s", err.Error())
	}
	return nil
}
