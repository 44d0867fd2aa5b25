package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// handleOverview serves GET /api/v1/overview?from=…&to=…: events and
// customers over a period (default: the last 30 days) by day, channel and
// source.
func (s *Server) handleOverview(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Overview == nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "the overview is not available on this server")
	}
	f, err := OverviewPeriod(r, s.cfg.Clock.Now())
	if err != nil {
		return err
	}
	f.Workspace = workspaceOf(r)
	o, err := s.cfg.Overview.Overview(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, o)
	return nil
}

// OverviewPeriod reads from and to (dates such as 2026-11-01, or times) from
// the query. A date in "to" includes that whole day. Without them the period
// is the 30 days up to the end of today (UTC).
func OverviewPeriod(r *http.Request, now time.Time) (touchpoint.OverviewFilter, error) {
	var f touchpoint.OverviewFilter
	q := r.URL.Query()
	f.To = now.UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	f.From = f.To.Add(-30 * 24 * time.Hour)
	parse := func(field, v string, endOfDay bool) (time.Time, error) {
		if d, err := time.Parse(time.DateOnly, v); err == nil {
			if endOfDay {
				d = d.Add(24 * time.Hour)
			}
			return d, nil
		}
		return touchpoint.ParseTime(field, v)
	}
	var err error
	if v := q.Get("to"); v != "" {
		if f.To, err = parse("to", v, true); err != nil {
			return f, err
		}
		if q.Get("from") == "" {
			f.From = f.To.Add(-30 * 24 * time.Hour)
		}
	}
	if v := q.Get("from"); v != "" {
		if f.From, err = parse("from", v, false); err != nil {
			return f, err
		}
	}
	return f, f.Validate()
}

// DebuggerResponse is the answer to GET /api/v1/debugger.
type DebuggerResponse struct {
	Calls []touchpoint.DebugCall `json:"calls"`
}

// handleDebugger serves the recent collection calls of the workspace,
// newest first: ?after=SEQ for only newer ones, ?status=accepted|rejected.
func (s *Server) handleDebugger(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := touchpoint.DebugFilter{Limit: 100}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			return touchpoint.FieldError("after", "must be a sequence number from an earlier answer")
		}
		f.After = n
	}
	switch v := q.Get("status"); v {
	case "":
	case "accepted", "rejected":
		rejected := v == "rejected"
		f.Rejected = &rejected
	default:
		return touchpoint.FieldError("status", "must be accepted or rejected, not %q", v)
	}
	var err error
	if f.Limit, err = limitParam(r, f.Limit, touchpoint.DebugCallsPerWorkspace); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, DebuggerResponse{Calls: s.cfg.Debug.Recent(workspaceOf(r), f)})
	return nil
}
