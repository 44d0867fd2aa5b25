package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// parseMetricQuery reads the filters every metric route shares:
//
//	from, to            RFC 3339 times or dates (to is exclusive)
//	survey_id, channel, language, touchpoint, source
//	                    repeat the parameter or separate values by commas
//	profile_id          profiles (as analytics attributes them); repeat or commas
//	segment_id          a segment, resolved to its members now
//	trait.<key>=value   profile trait equals value
//	exclude_flags       quality flags to leave out (speeder,straight_liner,duplicate,gibberish)
//	exclude_flagged     true leaves out every flagged response
//	complete_only       true leaves out partial responses
//	by, interval        breakdown dimension and series interval
func (s *Server) parseMetricQuery(ctx context.Context, ws string, v url.Values) (touchpoint.MetricQuery, error) {
	q := touchpoint.MetricQuery{Workspace: ws, By: v.Get("by"), Interval: v.Get("interval")}
	list := func(name string) []string {
		var out []string
		for _, x := range v[name] {
			for _, p := range strings.Split(x, ",") {
				if p = strings.TrimSpace(p); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	for _, t := range []struct {
		name string
		dst  **time.Time
	}{{"from", &q.From}, {"to", &q.To}} {
		raw := v.Get(t.name)
		if raw == "" {
			continue
		}
		at, err := time.Parse(time.DateOnly, raw)
		if err != nil {
			if at, err = touchpoint.ParseTime(t.name, raw); err != nil {
				return q, err
			}
		}
		*t.dst = &at
	}
	q.SurveyIDs, q.Channels, q.Languages, q.Touchpoints, q.Sources = list("survey_id"), list("channel"), list("language"), list("touchpoint"), list("source")
	if ids := list("profile_id"); len(ids) > 0 {
		q.ProfileIDs = ids
	}
	if seg := v.Get("segment_id"); seg != "" {
		if s.cfg.Segments == nil {
			return q, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "segment_id: segments are not available on this server; pass profile_id instead")
		}
		members, err := s.cfg.Segments.Members(ctx, ws, seg)
		if err != nil {
			return q, err
		}
		if q.ProfileIDs != nil {
			members = slices.DeleteFunc(members, func(id string) bool { return !slices.Contains(q.ProfileIDs, id) })
		}
		q.ProfileIDs, q.SegmentID = append([]string{}, members...), seg
	}
	for k, vals := range v {
		if key, ok := strings.CutPrefix(k, "trait."); ok && len(vals) > 0 {
			if q.Traits == nil {
				q.Traits = map[string]string{}
			}
			q.Traits[key] = vals[0]
		}
	}
	q.ExcludeFlags = list("exclude_flags")
	if v.Get("exclude_flagged") == "true" {
		q.ExcludeFlags = touchpoint.QualityFlags()
	}
	q.CompleteOnly = v.Get("complete_only") == "true"
	return q, q.Validate()
}

type metricGroup struct {
	key    string
	bucket *time.Time
	value  any
}

func (s *Server) metricGroups(ctx context.Context, metric string, q touchpoint.MetricQuery) ([]metricGroup, error) {
	var out []metricGroup
	if metric == "response-rate" {
		groups, err := s.cfg.Metrics.ResponseCounts(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, g := range groups {
			out = append(out, metricGroup{g.Key, g.Bucket, touchpoint.ComputeResponseRate(g.Sent, g.Responded, g.Completed)})
		}
		return out, nil
	}
	groups, err := s.cfg.Metrics.ScoreCounts(ctx, q)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out = append(out, metricGroup{g.Key, g.Bucket, compute(metric, g.Counts)})
	}
	return out, nil
}

func compute(metric string, counts []touchpoint.ScoreCount) any {
	switch metric {
	case "nps":
		return touchpoint.ComputeNPS(counts)
	case "csat":
		return touchpoint.ComputeCSAT(counts)
	case "ces":
		return touchpoint.ComputeCES(counts)
	}
	return touchpoint.ComputeResponseRate(0, 0, 0)
}

// SeriesResponse is the answer to GET /api/v1/metrics/{metric}/series:
// one point per interval that has data, each the metric's object with a
// "start" (UTC).
type SeriesResponse struct {
	Metric   string           `json:"metric"`
	Interval string           `json:"interval"`
	Points   []map[string]any `json:"points"`
}

// BreakdownResponse is the answer to GET /api/v1/metrics/{metric}/breakdown:
// one group per value of the dimension, each the metric's object with a
// "key" ("" for feedback without a value).
type BreakdownResponse struct {
	Metric string           `json:"metric"`
	By     string           `json:"by"`
	Groups []map[string]any `json:"groups"`
}

// handleMetric serves a metric as one figure, a time series or a
// breakdown.
func (s *Server) handleMetric(metric, form string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		v := r.URL.Query()
		q, err := s.parseMetricQuery(r.Context(), workspaceOf(r), v)
		if err != nil {
			return err
		}
		q.SurveyType = metric
		if metric == "csat" && v.Get("type") == string(touchpoint.SurveyProduct) {
			q.SurveyType = string(touchpoint.SurveyProduct)
		}
		switch form {
		case "series":
			q.By = ""
			if q.Interval == "" {
				q.Interval = "week"
			}
		case "breakdown":
			q.Interval = ""
			if q.By == "" {
				return touchpoint.FieldError("by", "required: one of %s or trait.<key>", strings.Join(touchpoint.MetricDimensions[:len(touchpoint.MetricDimensions)-1], ", "))
			}
		default:
			q.By, q.Interval = "", ""
		}
		groups, err := s.metricGroups(r.Context(), metric, q)
		if err != nil {
			return err
		}
		name := strings.ReplaceAll(metric, "-", "_")
		switch form {
		case "series":
			out := SeriesResponse{Metric: name, Interval: q.Interval, Points: []map[string]any{}}
			for _, g := range groups {
				m := flatten(g.value)
				m["start"] = g.bucket
				out.Points = append(out.Points, m)
			}
			writeJSON(w, http.StatusOK, out)
		case "breakdown":
			out := BreakdownResponse{Metric: name, By: q.By, Groups: []map[string]any{}}
			for _, g := range groups {
				m := flatten(g.value)
				m["key"] = g.key
				out.Groups = append(out.Groups, m)
			}
			writeJSON(w, http.StatusOK, out)
		default:
			if len(groups) == 0 {
				if metric == "response-rate" {
					writeJSON(w, http.StatusOK, touchpoint.ComputeResponseRate(0, 0, 0))
				} else {
					writeJSON(w, http.StatusOK, compute(metric, nil))
				}
				return nil
			}
			writeJSON(w, http.StatusOK, groups[0].value)
		}
		return nil
	}
}

func flatten(v any) map[string]any {
	b, _ := json.Marshal(v)
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	return m
}

// ResultsResponse is what a survey's results page draws in one call: the
// survey's main metric with its score distribution, the response rate,
// a weekly trend, and the latest comments with their sentiment and topics.
type ResultsResponse struct {
	Survey       SurveyView                    `json:"survey"`
	Metric       string                        `json:"metric"`
	Summary      any                           `json:"summary"`
	ResponseRate touchpoint.ResponseRateResult `json:"response_rate"`
	Trend        []map[string]any              `json:"trend"`
	Comments     []*touchpoint.Feedback        `json:"comments"`
}

// handleSurveyResults serves GET /api/v1/surveys/{id}/results, with the
// metric filters of /api/v1/metrics.
func (s *Server) handleSurveyResults(w http.ResponseWriter, r *http.Request) error {
	ws := workspaceOf(r)
	sv, err := s.cfg.Surveys.FindSurvey(r.Context(), ws, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	v := r.URL.Query()
	q, err := s.parseMetricQuery(r.Context(), ws, v)
	if err != nil {
		return err
	}
	q.SurveyIDs, q.SurveyType, q.By = []string{sv.ID}, string(sv.Type), ""
	metric := map[touchpoint.SurveyType]string{touchpoint.SurveyNPS: "nps", touchpoint.SurveyCSAT: "csat", touchpoint.SurveyProduct: "csat", touchpoint.SurveyCES: "ces"}[sv.Type]
	out := ResultsResponse{Survey: surveyView(sv), Metric: metric, Trend: []map[string]any{}}
	if metric != "" {
		interval := q.Interval
		q.Interval = ""
		groups, err := s.metricGroups(r.Context(), metric, q)
		if err != nil {
			return err
		}
		out.Summary = compute(metric, nil)
		if len(groups) > 0 {
			out.Summary = groups[0].value
		}
		q.Interval = interval
		if q.Interval == "" {
			q.Interval = "week"
		}
		if groups, err = s.metricGroups(r.Context(), metric, q); err != nil {
			return err
		}
		for _, g := range groups {
			m := flatten(g.value)
			m["start"] = g.bucket
			out.Trend = append(out.Trend, m)
		}
		q.Interval = ""
	}
	rates, err := s.metricGroups(r.Context(), "response-rate", q)
	if err != nil {
		return err
	}
	out.ResponseRate = touchpoint.ComputeResponseRate(0, 0, 0)
	if len(rates) > 0 {
		out.ResponseRate = rates[0].value.(touchpoint.ResponseRateResult)
	}
	hasText := true
	if out.Comments, err = s.cfg.Feedback.FindFeedback(r.Context(), touchpoint.FeedbackFilter{Workspace: ws, SurveyID: &sv.ID, HasText: &hasText, Limit: 20}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
