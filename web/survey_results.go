package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
)

// ResultsData is what a survey's results page shows.
type ResultsData struct {
	Survey    *touchpoint.Survey
	Languages []string
	Range     DateRange
	// ExcludeFlagged leaves responses with a quality flag out of every
	// figure, chart and list of the page.
	ExcludeFlagged bool
	// FlagToggle is the page with the other choice of ExcludeFlagged.
	FlagToggle string
	// Scored is nil for surveys that are not scored (choices, open text).
	Scored *Scored
	Rate   touchpoint.ResponseRateResult
	// By is the breakdown's dimension (channel, touchpoint, language,
	// source, sentiment or trait) and Trait the trait's key.
	By, Trait  string
	Dimensions []Option
	Breakdown  []BreakdownRow
	// BreakdownError says why a breakdown could not be made (a trait
	// breakdown without a trait name), in plain words.
	BreakdownError string
	Comments       []FeedbackRow
	Topics         []TopicRow
	// Themes are phrases the comments share beyond the taxonomy's topics.
	Themes       []touchpoint.TextTheme
	Flags        []FlagCount
	FlaggedTotal int
	// Choices counts the answers of a choice survey's first question;
	// ChoicesSampled says they come from the latest responses only.
	Choices        []Slice
	ChoicesSampled bool
	// Inbox is the feedback inbox filtered to this survey and period.
	Inbox  string
	Charts map[string]any
}

// Option is a choice of a select.
type Option struct{ Value, Label string }

// BreakdownRow is one group of a breakdown.
type BreakdownRow struct {
	Key    string
	Figure Figure
	// Promoters and Detractors are NPS shares in percent.
	Promoters, Detractors *float64
	Rate                  *float64
	Sent                  int64
	Responses             int64
}

// Label is the group's name, or a word for feedback without a value.
func (b BreakdownRow) Label() string {
	if b.Key == "" {
		return "(none)"
	}
	return b.Key
}

// TopicRow is a topic with its counts by sentiment.
type TopicRow struct {
	touchpoint.TopicCount
	// Max is the most common topic's count: bars are drawn against it.
	Max int64
}

// Width is the bar width of n (a sentiment's count) in percent.
func (t TopicRow) Width(n int64) string {
	if t.Max == 0 {
		return "0"
	}
	return strconv.FormatFloat(100*float64(n)/float64(t.Max), 'f', 1, 64)
}

// FlagCount is how many responses carry a quality flag.
type FlagCount struct {
	Flag  string
	Count int
	Hint  string
}

var flagHints = map[string]string{
	touchpoint.FlagSpeeder:      "three or more answers at under 1.5 s each",
	touchpoint.FlagStraightLine: "three or more scales answered at the same point",
	touchpoint.FlagDuplicate:    "the same customer or comment within a day",
	touchpoint.FlagGibberish:    "keyboard mashing",
}

var dimensions = []Option{
	{"channel", "Channel"}, {"touchpoint", "Touchpoint"}, {"language", "Language"},
	{"source", "Source"}, {"sentiment", "Sentiment"}, {"trait", "Customer trait…"},
}

const (
	flaggedLimit  = 500
	themeTexts    = 500
	choiceSample  = 1000
	breakdownRows = 50
)

func (d *Dashboard) loadResults(r *http.Request, v *View) error {
	ctx, ws := r.Context(), v.Workspace.ID
	sv, err := d.cfg.Surveys.FindSurvey(ctx, ws, chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	v.Title = sv.Name
	now := d.cfg.Clock.Now()
	dr, period, err := dateRange(r, now)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	data := ResultsData{Survey: sv, Languages: sv.Languages(), ExcludeFlagged: q.Get("exclude_flagged") == "1",
		By: q.Get("by"), Trait: strings.TrimSpace(q.Get("trait")), Dimensions: dimensions, Charts: map[string]any{}}
	if data.By == "" {
		data.By = "channel"
	}
	if !slices.ContainsFunc(dimensions, func(o Option) bool { return o.Value == data.By }) {
		return touchpoint.FieldError("by", "must be one of channel, touchpoint, language, source, sentiment or trait")
	}
	keep := url.Values{}
	for _, k := range []string{"exclude_flagged", "by", "trait"} {
		if x := q.Get(k); x != "" {
			keep.Set(k, x)
		}
	}
	data.Range = dr.keeping(keep)
	toggle := url.Values{}
	for k, vs := range r.URL.Query() {
		toggle[k] = vs
	}
	if data.ExcludeFlagged {
		toggle.Del("exclude_flagged")
	} else {
		toggle.Set("exclude_flagged", "1")
	}
	data.FlagToggle = r.URL.Path + "?" + toggle.Encode()
	inbox := url.Values{"survey_id": {sv.ID}, "from": {dr.FromDate()}, "to": {dr.ToDate()}}
	if data.ExcludeFlagged {
		inbox.Set("flagged", "false")
	}
	data.Inbox = "/feedback?" + inbox.Encode()

	from, to := period.From, period.To
	base := touchpoint.MetricQuery{Workspace: ws, SurveyIDs: []string{sv.ID}, From: &from, To: &to}
	if data.ExcludeFlagged {
		base.ExcludeFlags = touchpoint.QualityFlags()
	}
	rates, err := d.cfg.Metrics.ResponseCounts(ctx, base)
	if err != nil {
		return err
	}
	data.Rate = touchpoint.ComputeResponseRate(0, 0, 0)
	if len(rates) > 0 {
		data.Rate = touchpoint.ComputeResponseRate(rates[0].Sent, rates[0].Responded, rates[0].Completed)
	}
	if k := kindOf(sv); k != nil {
		if err := d.scoreResults(ctx, &data, k, base, dr); err != nil {
			return err
		}
	} else if err := d.choiceResults(ctx, &data, sv, from, to); err != nil {
		return err
	}
	if err := d.breakdown(ctx, &data, kindOf(sv), base); err != nil {
		return err
	}
	if err := d.commentResults(ctx, &data, ws, sv.ID, from, to); err != nil {
		return err
	}
	v.Data = data
	return nil
}

// keeping returns the date range with its presets (and the picker's form)
// carrying other parameters of the page, so picking a period keeps them.
func (d DateRange) keeping(params url.Values) DateRange {
	if len(params) == 0 {
		return d
	}
	out := d
	out.Presets = nil
	for _, p := range d.Presets {
		u, err := url.Parse(p.Href)
		if err == nil {
			q := u.Query()
			for k, vs := range params {
				q[k] = vs
			}
			u.RawQuery = q.Encode()
			p.Href = u.String()
		}
		out.Presets = append(out.Presets, p)
	}
	for _, k := range sortedKeys(params) {
		out.Keep = append(out.Keep, KeyValue{Key: k, Value: params.Get(k)})
	}
	return out
}

// interval picks the trend's bucket for a period: days for two weeks or
// less, weeks up to half a year, months beyond.
func interval(dr DateRange) string {
	switch days := dr.Days(); {
	case days <= 14:
		return "day"
	case days <= 186:
		return "week"
	}
	return "month"
}

// scoreResults fills the metric, its distribution and its trend.
func (d *Dashboard) scoreResults(ctx context.Context, data *ResultsData, k *scoreKind, base touchpoint.MetricQuery, dr DateRange) error {
	q := base
	q.SurveyType = k.surveyType
	groups, err := d.cfg.Metrics.ScoreCounts(ctx, q)
	if err != nil {
		return err
	}
	var counts []touchpoint.ScoreCount
	for _, g := range groups {
		counts = append(counts, g.Counts...)
	}
	s := k.compute(counts)
	data.Scored = &s

	labels, values, colors := []string{}, []int64{}, []string{}
	for _, c := range s.Distribution {
		labels = append(labels, formatNum(c.Score))
		values = append(values, c.Count)
		colors = append(colors, scoreColor(k, c.Score))
	}
	data.Charts["distribution"] = map[string]any{"kind": "columns", "labels": labels, "counts": true,
		"series": []map[string]any{{"name": "Responses", "data": values, "colors": colors}}}

	q.Interval = interval(dr)
	points, err := d.cfg.Metrics.ScoreCounts(ctx, q)
	if err != nil {
		return err
	}
	trend := map[string]any{"kind": "trend", "name": k.label, "unit": map[string]string{"csat": "%"}[k.metric], "digits": k.digits(),
		"labels": []string{}, "value": []any{}, "lower": []any{}, "upper": []any{}, "responses": []int64{}, "interval": q.Interval}
	for _, p := range points {
		if p.Bucket == nil {
			continue
		}
		f := k.compute(p.Counts).Figure
		trend["labels"] = append(trend["labels"].([]string), p.Bucket.Format(time.DateOnly))
		trend["responses"] = append(trend["responses"].([]int64), f.Responses)
		var val, lo, hi any
		if f.Value != nil {
			val = *f.Value
			if f.Margin != nil {
				lo, hi = *f.Value-*f.Margin, *f.Value+*f.Margin
			}
		}
		trend["value"] = append(trend["value"].([]any), val)
		trend["lower"] = append(trend["lower"].([]any), lo)
		trend["upper"] = append(trend["upper"].([]any), hi)
	}
	data.Charts["trend"] = trend
	return nil
}

// scoreColor colours a score by what it means: NPS detractors, passives
// and promoters; for other scales the low, middle and high thirds.
func scoreColor(k *scoreKind, score float64) string {
	const red, amber, green = "#f04438", "#f79009", "#17b26a"
	if k.metric == touchpoint.MetricNPS {
		switch {
		case score >= 9:
			return green
		case score >= 7:
			return amber
		}
		return red
	}
	span := float64(k.hi - k.lo)
	switch pos := (score - float64(k.lo)) / span; {
	case pos >= 0.66:
		return green
	case pos > 0.34:
		return amber
	}
	return red
}

// choiceResults counts the answers of a choice survey's first question
// from its latest responses.
func (d *Dashboard) choiceResults(ctx context.Context, data *ResultsData, sv *touchpoint.Survey, from, to time.Time) error {
	if len(sv.Questions) == 0 || !sv.Questions[0].Type.Choice() {
		return nil
	}
	q := sv.Questions[0]
	list, err := d.cfg.Surveys.FindResponses(ctx, touchpoint.ResponseFilter{Workspace: sv.Workspace, SurveyID: &sv.ID, Since: &from, Limit: choiceSample})
	if err != nil {
		return err
	}
	data.ChoicesSampled = len(list) == choiceSample
	counts := map[string]int64{}
	for _, resp := range list {
		if !resp.StartedAt.Before(to) || data.ExcludeFlagged && len(resp.Flags) > 0 {
			continue
		}
		if a := touchpoint.FindAnswer(resp.Answers, q.ID); a != nil {
			for _, c := range a.Choices {
				counts[c]++
			}
		}
	}
	labels, values := []string{}, []int64{}
	for _, c := range q.Choices {
		data.Choices = append(data.Choices, Slice{Name: c.Text, Value: counts[c.ID]})
		labels = append(labels, c.Text)
		values = append(values, counts[c.ID])
	}
	data.Charts["choices"] = map[string]any{"kind": "columns", "horizontal": true, "labels": labels, "counts": true,
		"series": []map[string]any{{"name": "Answers", "data": values}}}
	return nil
}

// breakdown fills the table of the metric by the chosen dimension.
func (d *Dashboard) breakdown(ctx context.Context, data *ResultsData, k *scoreKind, base touchpoint.MetricQuery) error {
	by := data.By
	if by == "trait" {
		if data.Trait == "" {
			data.BreakdownError = "Name the customer trait to break the results down by, such as plan or country."
			return nil
		}
		by = "trait." + data.Trait
	}
	rows := map[string]*BreakdownRow{}
	row := func(key string) *BreakdownRow {
		if rows[key] == nil {
			rows[key] = &BreakdownRow{Key: key}
		}
		return rows[key]
	}
	if k != nil {
		q := base
		q.SurveyType, q.By = k.surveyType, by
		groups, err := d.cfg.Metrics.ScoreCounts(ctx, q)
		if err != nil {
			return err
		}
		for _, g := range groups {
			s := k.compute(g.Counts)
			br := row(g.Key)
			br.Figure, br.Responses = s.Figure, s.Responses
			if s.NPS != nil {
				br.Promoters, br.Detractors = s.NPS.PromotersPct, s.NPS.DetractorsPct
			}
		}
	}
	// Response rates exist for what an invitation knows: its channel,
	// touchpoint, language and the customer's traits.
	if by == "channel" || by == "touchpoint" || by == "language" || strings.HasPrefix(by, "trait.") {
		q := base
		q.By = by
		groups, err := d.cfg.Metrics.ResponseCounts(ctx, q)
		if err != nil {
			return err
		}
		for _, g := range groups {
			if k != nil && rows[g.Key] == nil && g.Responded == 0 {
				continue
			}
			br := row(g.Key)
			br.Sent = g.Sent
			br.Rate = touchpoint.ComputeResponseRate(g.Sent, g.Responded, g.Completed).ResponseRate
			if k == nil {
				br.Responses = g.Responded
			}
		}
	}
	for _, br := range rows {
		data.Breakdown = append(data.Breakdown, *br)
	}
	slices.SortFunc(data.Breakdown, func(a, b BreakdownRow) int {
		if a.Responses != b.Responses {
			return int(b.Responses - a.Responses)
		}
		return strings.Compare(a.Key, b.Key)
	})
	if len(data.Breakdown) > breakdownRows {
		data.Breakdown = data.Breakdown[:breakdownRows]
	}
	if k != nil {
		labels, values := []string{}, []any{}
		for _, br := range data.Breakdown {
			if br.Figure.Value == nil {
				continue
			}
			labels = append(labels, br.Label())
			values = append(values, *br.Figure.Value)
		}
		data.Charts["breakdown"] = map[string]any{"kind": "columns", "horizontal": true, "labels": labels, "unit": map[string]string{"csat": "%"}[k.metric], "digits": k.digits(),
			"series": []map[string]any{{"name": k.label, "data": values}}}
	}
	return nil
}

// commentResults fills the latest comments, the topics and themes they
// are about, and the quality flags of the period.
func (d *Dashboard) commentResults(ctx context.Context, data *ResultsData, ws, surveyID string, from, to time.Time) error {
	hasText := true
	var flagged *bool
	if data.ExcludeFlagged {
		no := false
		flagged = &no
	}
	f := touchpoint.FeedbackFilter{Workspace: ws, SurveyID: &surveyID, HasText: &hasText, Flagged: flagged, Since: &from, Until: &to, Limit: 10}
	comments, err := d.cfg.Feedback.FindFeedback(ctx, f)
	if err != nil {
		return err
	}
	rows, err := d.feedbackRows(ctx, ws, comments)
	if err != nil {
		return err
	}
	data.Comments = rows

	topics, err := d.cfg.Feedback.FeedbackTopics(ctx, touchpoint.FeedbackFilter{Workspace: ws, SurveyID: &surveyID, Flagged: flagged, Since: &from, Until: &to, Limit: 12})
	if err != nil {
		return err
	}
	for _, tc := range topics {
		data.Topics = append(data.Topics, TopicRow{TopicCount: tc, Max: topics[0].Count})
	}
	if d.cfg.TextGroups != nil {
		f.Limit = themeTexts
		sample, err := d.cfg.Feedback.FindFeedback(ctx, f)
		if err != nil {
			return err
		}
		if len(sample) >= 2 {
			texts := make([]string, len(sample))
			for i, it := range sample {
				texts[i] = it.Text
			}
			themes, err := d.cfg.TextGroups.GroupTexts(ctx, ws, texts, touchpoint.ThemeOptions{})
			if err != nil {
				return err
			}
			for _, th := range themes {
				if th.Kind == "discovered" && len(data.Themes) < 8 {
					data.Themes = append(data.Themes, th)
				}
			}
		}
	}

	yes := true
	list, err := d.cfg.Feedback.FindFeedback(ctx, touchpoint.FeedbackFilter{Workspace: ws, SurveyID: &surveyID, Flagged: &yes, Since: &from, Until: &to, Limit: flaggedLimit})
	if err != nil {
		return err
	}
	data.FlaggedTotal = len(list)
	for _, flag := range touchpoint.QualityFlags() {
		fc := FlagCount{Flag: flag, Hint: flagHints[flag]}
		for _, it := range list {
			if slices.Contains(it.Flags, flag) {
				fc.Count++
			}
		}
		data.Flags = append(data.Flags, fc)
	}
	return nil
}

// FlaggedMore reports whether there may be more flagged responses than
// were counted.
func (r ResultsData) FlaggedMore() bool { return r.FlaggedTotal >= flaggedLimit }
