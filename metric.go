package touchpoint

import (
	"context"
	"math"
	"slices"
	"strings"
	"time"
)

// CX metrics. Every metric is computed in Go from score counts that the
// analytics store returns (per group and time bucket), so the arithmetic
// lives in one place and is tested against hand-computed cases.
//
// Margins of error are 95% confidence half-widths (z = 1.96) from the
// sample's own variance, in the metric's unit. They are null below two
// responses, where a sample says nothing about its spread.
//
//   - NPS: each response scores +1 (promoter, 9-10), 0 (passive, 7-8) or -1
//     (detractor, 0-6); NPS = 100 × mean. With p and d the shares of
//     promoters and detractors, the variance of that score is
//     p + d − (p − d)², and the margin is 100 × 1.96 × √(variance / n).
//   - CSAT: % satisfied = 100 × share of 4s and 5s; its margin is
//     100 × 1.96 × √(s(1 − s) / n). The mean score is given too.
//   - CES: the mean score (1-7); its margin is 1.96 × sd / √n with the
//     sample standard deviation (n − 1 in the denominator).
//   - Response rate: responses / invitations sent, as a percentage.

// z95 is the normal quantile for a two-sided 95% interval.
const z95 = 1.959963984540054

// ScoreCount is how many responses gave one score.
type ScoreCount struct {
	Score float64 `json:"score"`
	Count int64   `json:"count"`
}

// NPSResult is the Net Promoter Score of a set of responses.
type NPSResult struct {
	NPS           *float64     `json:"nps"`
	Promoters     int64        `json:"promoters"`
	Passives      int64        `json:"passives"`
	Detractors    int64        `json:"detractors"`
	Responses     int64        `json:"responses"`
	PromotersPct  *float64     `json:"promoters_pct"`
	PassivesPct   *float64     `json:"passives_pct"`
	DetractorsPct *float64     `json:"detractors_pct"`
	MarginOfError *float64     `json:"margin_of_error"`
	Distribution  []ScoreCount `json:"distribution"`
}

// ComputeNPS computes NPS from score counts (scores 0-10).
func ComputeNPS(dist []ScoreCount) NPSResult {
	r := NPSResult{Distribution: normDist(dist, 0, 10)}
	for _, c := range dist {
		switch {
		case c.Score >= 9:
			r.Promoters += c.Count
		case c.Score >= 7:
			r.Passives += c.Count
		default:
			r.Detractors += c.Count
		}
		r.Responses += c.Count
	}
	if r.Responses == 0 {
		return r
	}
	n := float64(r.Responses)
	p, d := float64(r.Promoters)/n, float64(r.Detractors)/n
	r.NPS = ptr(round(100 * (p - d)))
	r.PromotersPct, r.PassivesPct, r.DetractorsPct = ptr(round(100*p)), ptr(round(100*float64(r.Passives)/n)), ptr(round(100*d))
	if r.Responses >= 2 {
		variance := p + d - (p-d)*(p-d)
		r.MarginOfError = ptr(round(100 * z95 * math.Sqrt(math.Max(variance, 0)/n)))
	}
	return r
}

// CSATResult is customer satisfaction on a 1-5 scale.
type CSATResult struct {
	// CSAT is the percentage of satisfied responses (4 or 5).
	CSAT          *float64     `json:"csat"`
	Mean          *float64     `json:"mean"`
	Satisfied     int64        `json:"satisfied"`
	Responses     int64        `json:"responses"`
	MarginOfError *float64     `json:"margin_of_error"`
	Distribution  []ScoreCount `json:"distribution"`
}

// ComputeCSAT computes CSAT from score counts (scores 1-5).
func ComputeCSAT(dist []ScoreCount) CSATResult {
	r := CSATResult{Distribution: normDist(dist, 1, 5)}
	var sum float64
	for _, c := range dist {
		if c.Score >= 4 {
			r.Satisfied += c.Count
		}
		r.Responses += c.Count
		sum += c.Score * float64(c.Count)
	}
	if r.Responses == 0 {
		return r
	}
	n := float64(r.Responses)
	s := float64(r.Satisfied) / n
	r.CSAT, r.Mean = ptr(round(100*s)), ptr(round(sum/n))
	if r.Responses >= 2 {
		r.MarginOfError = ptr(round(100 * z95 * math.Sqrt(s*(1-s)/n)))
	}
	return r
}

// CESResult is customer effort on a 1-7 scale (7 = very easy).
type CESResult struct {
	CES           *float64     `json:"ces"`
	Responses     int64        `json:"responses"`
	MarginOfError *float64     `json:"margin_of_error"`
	Distribution  []ScoreCount `json:"distribution"`
}

// ComputeCES computes CES from score counts (scores 1-7).
func ComputeCES(dist []ScoreCount) CESResult {
	r := CESResult{Distribution: normDist(dist, 1, 7)}
	mean, sd, n := meanSD(dist)
	r.Responses = n
	if n == 0 {
		return r
	}
	r.CES = ptr(round(mean))
	if n >= 2 {
		r.MarginOfError = ptr(round(z95 * sd / math.Sqrt(float64(n))))
	}
	return r
}

// meanSD returns the mean and the sample standard deviation of counts.
func meanSD(dist []ScoreCount) (mean, sd float64, n int64) {
	var sum float64
	for _, c := range dist {
		n += c.Count
		sum += c.Score * float64(c.Count)
	}
	if n == 0 {
		return 0, 0, 0
	}
	mean = sum / float64(n)
	if n < 2 {
		return mean, 0, n
	}
	var ss float64
	for _, c := range dist {
		ss += float64(c.Count) * (c.Score - mean) * (c.Score - mean)
	}
	return mean, math.Sqrt(ss / float64(n-1)), n
}

// ResponseRateResult compares invitations sent with those answered.
type ResponseRateResult struct {
	Sent      int64 `json:"sent"`
	Responded int64 `json:"responded"`
	Completed int64 `json:"completed"`
	// ResponseRate is 100 × responded / sent; CompletionRate 100 ×
	// completed / sent.
	ResponseRate   *float64 `json:"response_rate"`
	CompletionRate *float64 `json:"completion_rate"`
}

// ComputeResponseRate computes response and completion rates.
func ComputeResponseRate(sent, responded, completed int64) ResponseRateResult {
	r := ResponseRateResult{Sent: sent, Responded: responded, Completed: completed}
	if sent > 0 {
		r.ResponseRate = ptr(round(100 * float64(responded) / float64(sent)))
		r.CompletionRate = ptr(round(100 * float64(completed) / float64(sent)))
	}
	return r
}

// normDist lists every score of the scale (and any outside it), in order,
// with zero counts filled in, so a chart can draw the distribution as is.
func normDist(dist []ScoreCount, lo, hi int) []ScoreCount {
	counts := map[float64]int64{}
	for _, c := range dist {
		counts[c.Score] += c.Count
	}
	for s := lo; s <= hi; s++ {
		if _, ok := counts[float64(s)]; !ok {
			counts[float64(s)] = 0
		}
	}
	out := make([]ScoreCount, 0, len(counts))
	for s, n := range counts {
		out = append(out, ScoreCount{Score: s, Count: n})
	}
	slices.SortFunc(out, func(a, b ScoreCount) int {
		switch {
		case a.Score < b.Score:
			return -1
		case a.Score > b.Score:
			return 1
		}
		return 0
	})
	return out
}

func ptr(f float64) *float64 { return &f }

// round keeps two decimals: enough for a percentage, and stable in JSON.
func round(f float64) float64 { return math.Round(f*100) / 100 }

// Metrics Touchpoint computes.
const (
	MetricNPS          = "nps"
	MetricCSAT         = "csat"
	MetricCES          = "ces"
	MetricResponseRate = "response_rate"
)

// Breakdown dimensions. A trait is "trait.<key>".
var MetricDimensions = []string{"survey", "channel", "touchpoint", "language", "source", "kind", "sentiment", "segment"}

// Series intervals.
var MetricIntervals = []string{"day", "week", "month", "quarter", "year"}

// MetricQuery selects the feedback a metric is computed over. Empty fields
// do not filter.
type MetricQuery struct {
	Workspace string
	// SurveyType is the kind of scores counted (set by the metric:
	// csat counts csat, or product_satisfaction when asked).
	SurveyType  string
	From, To    *time.Time
	SurveyIDs   []string
	Channels    []string
	Languages   []string
	Touchpoints []string
	Sources     []string
	// ProfileIDs restricts to these customers (as analytics attributes
	// them); SegmentID is resolved to its members before the query.
	ProfileIDs []string
	SegmentID  string
	// Traits are equality filters on profile traits.
	Traits map[string]string
	// ExcludeFlags leaves out responses carrying any of these quality flags.
	ExcludeFlags []string
	// CompleteOnly leaves out partial responses.
	CompleteOnly bool
	// By breaks the metric down: one of MetricDimensions or "trait.<key>".
	By string
	// Interval makes a time series: one of MetricIntervals.
	Interval string
}

// Validate names the bad parameter.
func (q *MetricQuery) Validate() error {
	if q.By != "" && !slices.Contains(MetricDimensions, q.By) {
		key, ok := strings.CutPrefix(q.By, "trait.")
		if !ok || key == "" || len(key) > 200 {
			return FieldError("by", "must be one of %s or trait.<key>", strings.Join(MetricDimensions, ", "))
		}
	}
	if q.By == "segment" {
		return FieldError("by", "segment is a filter (segment_id or profile_id), not a breakdown")
	}
	if q.Interval != "" && !slices.Contains(MetricIntervals, q.Interval) {
		return FieldError("interval", "must be one of %s", strings.Join(MetricIntervals, ", "))
	}
	if q.From != nil && q.To != nil && !q.From.Before(*q.To) {
		return FieldError("from", "must be before to")
	}
	for _, f := range q.ExcludeFlags {
		if !slices.Contains(QualityFlags(), f) {
			return FieldError("exclude_flags", "unknown flag %q (want %s)", f, strings.Join(QualityFlags(), ", "))
		}
	}
	for k := range q.Traits {
		if k == "" || len(k) > 200 {
			return FieldError("trait", "trait names are 1-200 characters")
		}
	}
	return nil
}

// ScoreGroup is the score counts of one group and time bucket.
type ScoreGroup struct {
	Key    string     `json:"key"`
	Bucket *time.Time `json:"bucket,omitempty"`
	Counts []ScoreCount
}

// RateGroup is the invitation counts of one group and time bucket.
type RateGroup struct {
	Key       string
	Bucket    *time.Time
	Sent      int64
	Responded int64
	Completed int64
}

// MetricService computes metric inputs in the analytics store.
type MetricService interface {
	// ScoreCounts counts responses by score for q.SurveyType, per group
	// (q.By) and bucket (q.Interval). Returns EINVALID for a bad query.
	ScoreCounts(ctx context.Context, q MetricQuery) ([]ScoreGroup, error)

	// ResponseCounts counts invitations sent, answered and completed, per
	// group and bucket of the time they were sent.
	ResponseCounts(ctx context.Context, q MetricQuery) ([]RateGroup, error)
}

// SegmentMembers resolves a segment to the profiles in it. The segments
// engine provides it; without one, queries naming a segment fail with
// EUNAVAILABLE instead of silently covering everyone.
type SegmentMembers interface {
	// Members returns the ids of the profiles in a segment now.
	// Returns ENOTFOUND if there is no such segment.
	Members(ctx context.Context, workspace, segmentID string) ([]string, error)
}
