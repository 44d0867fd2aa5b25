package httpapi

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// ActivitiesResponse is the answer to GET /api/v1/analytics/activities.
type ActivitiesResponse struct {
	Activities []touchpoint.ActivityStat `json:"activities"`
}

// PropertiesResponse is the answer to GET /api/v1/analytics/properties.
type PropertiesResponse struct {
	Activity   string                    `json:"activity"`
	Properties []touchpoint.PropertyStat `json:"properties"`
}

// handleActivities serves the activities customers did, most frequent
// first: ?from=&to= (dates or times), ?channels=web,app, ?limit=.
func (s *Server) handleActivities(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Activities == nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "activities are not available on this server")
	}
	q := r.URL.Query()
	f := touchpoint.ActivityFilter{Scope: touchpoint.Scope{Workspace: workspaceOf(r)}}
	var err error
	if f.From, err = queryTime(q.Get("from"), "from", false); err != nil {
		return err
	}
	if f.To, err = queryTime(q.Get("to"), "to", true); err != nil {
		return err
	}
	for _, c := range strings.Split(q.Get("channels"), ",") {
		if c = strings.TrimSpace(c); c != "" {
			f.Channels = append(f.Channels, c)
		}
	}
	if v := q.Get("limit"); v != "" {
		if f.Limit, err = strconv.Atoi(v); err != nil {
			return touchpoint.FieldError("limit", "must be a whole number")
		}
	}
	list, err := s.cfg.Activities.Activities(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, ActivitiesResponse{Activities: list})
	return nil
}

// handleActivityProperties serves the property keys of an activity:
// ?activity=Order Completed.
func (s *Server) handleActivityProperties(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Activities == nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "activities are not available on this server")
	}
	f := touchpoint.PropertyQuery{Workspace: workspaceOf(r), Activity: r.URL.Query().Get("activity")}
	list, err := s.cfg.Activities.ActivityProperties(r.Context(), f)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, PropertiesResponse{Activity: f.Activity, Properties: list})
	return nil
}

// handleScoreDistribution serves histograms of the stored scores.
func (s *Server) handleScoreDistribution(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Scores == nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "stored scores are not available on this server")
	}
	out, err := s.cfg.Scores.ScoreDistribution(r.Context(), workspaceOf(r))
	return answer(w, out, err)
}

// queryTime reads an optional date (2026-11-01) or time from a query
// parameter. A date as the end of a range includes that whole day.
func queryTime(v, field string, end bool) (*time.Time, error) {
	if v == "" {
		return nil, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		if end {
			d = d.Add(24 * time.Hour)
		}
		return &d, nil
	}
	t, err := touchpoint.ParseTime(field, v)
	if err != nil {
		return nil, err
	}
	return &t, nil
}
