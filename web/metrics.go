package web

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Figure is one CX metric as a page shows it: its value in the metric's
// unit, its 95% margin of error and the responses it rests on. The
// arithmetic is touchpoint's (ComputeNPS, ComputeCSAT, ComputeCES); pages
// only choose what to count and how to print it.
type Figure struct {
	// Metric is nps, csat, ces or rating.
	Metric    string
	Label     string
	Value     *float64
	Margin    *float64
	Responses int64
	// Hint says in a few words how the figure is read.
	Hint string
	// Max is the top of a rating scale.
	Max int
}

// Text prints the value: "32", "87%", "5.4", or "–" without responses.
func (f Figure) Text() string {
	if f.Value == nil {
		return "–"
	}
	v := *f.Value
	switch f.Metric {
	case touchpoint.MetricNPS:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case touchpoint.MetricCSAT:
		return strconv.FormatFloat(v, 'f', 0, 64) + "%"
	}
	return strconv.FormatFloat(v, 'f', 1, 64)
}

// MarginText prints the margin of error ("± 4.2"), or "" when there is
// none (fewer than two responses).
func (f Figure) MarginText() string {
	if f.Margin == nil {
		return ""
	}
	digits := 1
	if f.Metric == touchpoint.MetricCES || f.Metric == "rating" {
		digits = 2
	}
	return "± " + strconv.FormatFloat(*f.Margin, 'f', digits, 64)
}

// Tone is good, fair or poor: how the figure compares with common
// benchmarks, for its colour.
func (f Figure) Tone() string {
	if f.Value == nil {
		return ""
	}
	v := *f.Value
	var good, fair float64
	switch f.Metric {
	case touchpoint.MetricNPS:
		good, fair = 30, 0
	case touchpoint.MetricCSAT:
		good, fair = 80, 60
	case touchpoint.MetricCES:
		good, fair = 5.5, 4
	default:
		good, fair = 0.8*float64(f.Max), 0.6*float64(f.Max)
	}
	switch {
	case v >= good:
		return "good"
	case v >= fair:
		return "fair"
	}
	return "poor"
}

// scoreKind is how a survey's scores are counted and read.
type scoreKind struct {
	metric     string // nps, csat, ces, rating
	surveyType string // the scores ScoreCounts counts
	label      string
	hint       string
	lo, hi     int
}

// kindOf says how a survey's answers are measured; nil for surveys that
// are not scored (choices, open text).
func kindOf(sv *touchpoint.Survey) *scoreKind {
	switch sv.Type {
	case touchpoint.SurveyNPS:
		return &scoreKind{touchpoint.MetricNPS, "nps", "NPS", "% promoters − % detractors", 0, 10}
	case touchpoint.SurveyCSAT:
		return &scoreKind{touchpoint.MetricCSAT, "csat", "CSAT", "% satisfied (4 or 5 of 5)", 1, 5}
	case touchpoint.SurveyProduct:
		return &scoreKind{touchpoint.MetricCSAT, "product_satisfaction", "Product satisfaction", "% satisfied (4 or 5 of 5)", 1, 5}
	case touchpoint.SurveyCES:
		return &scoreKind{touchpoint.MetricCES, "ces", "CES", "mean effort of 7 (7 = very easy)", 1, 7}
	case touchpoint.SurveyRating:
		hi := 5
		if q := sv.ScoreQuestion(); q != nil && q.Max != 0 {
			hi = q.Max
		}
		return &scoreKind{"rating", "rating", "Rating", fmt.Sprintf("mean rating of %d", hi), 1, hi}
	}
	return nil
}

// digits is how many decimals a value of the kind is printed with.
func (k *scoreKind) digits() int {
	if k.metric == touchpoint.MetricNPS || k.metric == touchpoint.MetricCSAT {
		return 0
	}
	return 1
}

// headlineKinds are the workspace-wide metrics of the overview and the
// surveys page.
var headlineKinds = []*scoreKind{
	{touchpoint.MetricNPS, "nps", "NPS", "% promoters − % detractors", 0, 10},
	{touchpoint.MetricCSAT, "csat", "CSAT", "% satisfied (4 or 5 of 5)", 1, 5},
	{touchpoint.MetricCES, "ces", "CES", "mean effort of 7 (7 = very easy)", 1, 7},
}

// Scored is the result of counting one kind of score: the figure, the
// distribution over the whole scale and, for NPS, its three groups.
type Scored struct {
	Figure
	Distribution []touchpoint.ScoreCount
	NPS          *touchpoint.NPSResult
}

// compute turns score counts into the figure of a kind.
func (k *scoreKind) compute(counts []touchpoint.ScoreCount) Scored {
	s := Scored{Figure: Figure{Metric: k.metric, Label: k.label, Hint: k.hint, Max: k.hi}}
	switch k.metric {
	case touchpoint.MetricNPS:
		r := touchpoint.ComputeNPS(counts)
		s.Value, s.Margin, s.Responses, s.Distribution, s.NPS = r.NPS, r.MarginOfError, r.Responses, r.Distribution, &r
	case touchpoint.MetricCSAT:
		r := touchpoint.ComputeCSAT(counts)
		s.Value, s.Margin, s.Responses, s.Distribution = r.CSAT, r.MarginOfError, r.Responses, r.Distribution
	default:
		// CES and ratings are both a mean score with its margin.
		r := touchpoint.ComputeCES(counts)
		s.Value, s.Margin, s.Responses = r.CES, r.MarginOfError, r.Responses
		s.Distribution = scale(counts, k.lo, k.hi)
	}
	return s
}

// scale lists every score from lo to hi with its count, zeros included.
func scale(counts []touchpoint.ScoreCount, lo, hi int) []touchpoint.ScoreCount {
	var out []touchpoint.ScoreCount
	for v := lo; v <= hi; v++ {
		c := touchpoint.ScoreCount{Score: float64(v)}
		for _, x := range counts {
			if x.Score == float64(v) {
				c.Count += x.Count
			}
		}
		out = append(out, c)
	}
	return out
}

// headline computes NPS, CSAT and CES over every survey and source in a
// period, for the overview and the surveys page.
func (d *Dashboard) headline(ctx context.Context, ws string, from, to time.Time) ([]Figure, error) {
	var out []Figure
	for _, k := range headlineKinds {
		groups, err := d.cfg.Metrics.ScoreCounts(ctx, touchpoint.MetricQuery{Workspace: ws, SurveyType: k.surveyType, From: &from, To: &to})
		if err != nil {
			return nil, err
		}
		var counts []touchpoint.ScoreCount
		for _, g := range groups {
			counts = append(counts, g.Counts...)
		}
		out = append(out, k.compute(counts).Figure)
	}
	return out, nil
}

// anyResponses reports whether any figure rests on a response.
func anyResponses(fs []Figure) bool {
	return slices.ContainsFunc(fs, func(f Figure) bool { return f.Responses > 0 })
}
