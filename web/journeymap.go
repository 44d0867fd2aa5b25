package web

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"slices"
	"sort"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// The journey map page draws the directly-follows graph the analytics
// service discovers. A map of every activity and every transition is a
// tangle, so the page shows the busiest activities (a slider) and the
// transitions that carry most of the traffic between them (another), the
// way process-mining tools do, and lays the result out left to right with
// LayoutGraph. Everything drawn is also listed in tables beside the chart.

// JourneyMapData is what the journey map page shows.
type JourneyMapData struct {
	Scope      ScopeForm
	Activities []Choice
	// Exclude lists activities left out of the map.
	Exclude []Choice
	// Top keeps customers whose whole path is one of the N most common
	// (0: everyone).
	Top int
	// Shown is how many activities the map draws, of All; Detail the share
	// of transitions (in %) it draws between them.
	Shown, All, Detail int
	Stages, Designed   string
	// StageSuggestion is a stage map guessed from the activities' names.
	StageSuggestion string
	Measure         string
	Measures        []Choice
	Error           string
	Result          *touchpoint.JourneyMap
	Graph           JourneyGraph
	Nodes           []MapNodeRow
	Edges           []MapEdgeRow
	// EdgesShown of EdgesAll transitions are drawn, carrying TrafficShown
	// of the traffic between the activities shown.
	EdgesShown, EdgesAll int
	TrafficShown         float64
	Variants             []VariantRow
	Conformance          *ConformanceView
}

// JourneyGraph is the chart's data: laid-out nodes and routed edges.
type JourneyGraph struct {
	Nodes      []MapNode `json:"nodes"`
	Edges      []MapEdge `json:"edges"`
	Width      float64   `json:"width"`
	Height     float64   `json:"height"`
	NodeWidth  float64   `json:"node_width"`
	NodeHeight float64   `json:"node_height"`
	MaxEdge    int64     `json:"max_edge"`
	Measure    string    `json:"measure"`
	Designed   bool      `json:"designed"`
}

// MapNode is a node of the drawing. CX and Sentiment are passed through as
// the analytics service gives them, so new fields show without a change
// here.
type MapNode struct {
	ID       string          `json:"id"`
	Label    string          `json:"label"`
	Start    bool            `json:"start,omitempty"`
	X        float64         `json:"x"`
	Y        float64         `json:"y"`
	Count    int64           `json:"count"`
	Profiles int64           `json:"profiles"`
	Starts   int64           `json:"starts"`
	Exits    int64           `json:"exits"`
	DropOff  float64         `json:"drop_off"`
	Repeat   int64           `json:"repeat_profiles"`
	Rework   int64           `json:"rework"`
	CX       json.RawMessage `json:"cx,omitempty"`
	Sent     json.RawMessage `json:"sentiment,omitempty"`
}

// MapEdge is an edge of the drawing, with the bends of its route.
type MapEdge struct {
	From     string  `json:"from"`
	To       string  `json:"to"`
	Count    int64   `json:"count"`
	Profiles int64   `json:"profiles"`
	Median   float64 `json:"median_seconds"`
	P90      float64 `json:"p90_seconds"`
	Back     bool    `json:"back"`
	Start    bool    `json:"start,omitempty"`
	Designed bool    `json:"designed,omitempty"`
	Bends    []Point `json:"bends"`
}

// MapNodeRow is an activity of the map's table.
type MapNodeRow struct {
	touchpoint.JourneyNode
	Label     string
	CXText    string
	CXSort    float64
	Sentiment string
	Shown     bool
}

// MapEdgeRow is a transition of the map's table.
type MapEdgeRow struct {
	touchpoint.JourneyEdge
	FromLabel, ToLabel string
	Back               bool
}

// VariantRow is one complete path.
type VariantRow struct {
	Rank     int
	Path     string
	Design   string
	Profiles int64
	Share    float64
}

// ConformanceView is the comparison with the designed journey.
type ConformanceView struct {
	*touchpoint.Conformance
	Designed   []EdgeCountRow
	Undesigned []EdgeCountRow
	Skipped    []SkippedRow
}

// EdgeCountRow is a transition and how often it was taken.
type EdgeCountRow struct {
	From, To        string
	Count, Profiles int64
}

// SkippedRow is a designed activity and how many customers skipped it.
type SkippedRow struct {
	Activity string
	Profiles int64
}

// startID names the map's start node, where the edges to each customer's
// first activity come from; the parentheses set it apart from activity
// names, as the paths' "(end)" is.
const startID = "(start)"

const (
	mapNodeWidth  = 156
	mapNodeHeight = 44
)

func (d *Dashboard) loadJourneyMap(r *http.Request, v *View) error {
	ctx := r.Context()
	q := r.URL.Query()
	form, scope, err := d.analyticsScope(r, d.cfg.Clock.Now(), v.Workspace.ID, 30)
	if err != nil {
		return err
	}
	data := JourneyMapData{Scope: form, Top: clamp(atoiOr(q.Get("top"), 0), 0, 100), Detail: clamp(atoiOr(q.Get("detail"), 80), 5, 100),
		Stages: q.Get("stages"), Designed: q.Get("designed"), Measure: q.Get("measure")}
	acts, err := d.activityChoices(ctx, v.Workspace.ID)
	if err != nil {
		return err
	}
	data.Activities = acts
	excluded := q["exclude"]
	var names []string
	for _, a := range acts {
		data.Exclude = append(data.Exclude, Choice{Value: a.Value, Label: activityLabel(a.Value), Selected: slices.Contains(excluded, a.Value)})
		names = append(names, a.Value)
	}
	data.StageSuggestion = suggestStages(names)
	v.Data = &data

	req := touchpoint.JourneyMapRequest{Scope: scope, TopVariants: data.Top, Variants: 15}
	for _, e := range excluded {
		if e != "" {
			req.Exclude = append(req.Exclude, e)
		}
	}
	if req.Stages, err = parseStages(data.Stages); err != nil {
		data.Error = touchpoint.ErrorMessage(err)
		return nil
	}
	designed := parseDesigned(data.Designed)
	if len(designed) > 0 {
		req.Designed = &touchpoint.DesignedJourney{Edges: designed}
	}
	res, err := d.cfg.Analytics.JourneyMap(ctx, req)
	if data.Error, err = analysisError(err); err != nil || data.Error != "" {
		return err
	}
	data.Result = res
	d.drawJourneyMap(&data, res, q.Get("shown"))
	return nil
}

// drawJourneyMap picks what to draw, lays it out and fills the tables.
func (d *Dashboard) drawJourneyMap(data *JourneyMapData, res *touchpoint.JourneyMap, shownParam string) {
	// Pass through node fields as the service gives them (cx, sentiment).
	var raw struct {
		Nodes []struct {
			ID        string          `json:"id"`
			CX        json.RawMessage `json:"cx"`
			Sentiment json.RawMessage `json:"sentiment"`
		} `json:"nodes"`
	}
	if b, err := json.Marshal(res); err == nil {
		json.Unmarshal(b, &raw)
	}
	extra := map[string]int{}
	for i, n := range raw.Nodes {
		extra[n.ID] = i
	}

	// The measure that colours the nodes: NPS when there are NPS answers.
	has := map[string]bool{}
	for _, n := range res.Nodes {
		if n.CX != nil {
			has["nps"] = has["nps"] || n.CX.NPS != nil
			has["csat"] = has["csat"] || n.CX.CSAT != nil
			has["ces"] = has["ces"] || n.CX.CES != nil
			has["score"] = has["score"] || n.CX.Score != nil
		}
	}
	if data.Measure == "" || !has[data.Measure] {
		data.Measure = "score"
		for _, m := range []string{"nps", "csat", "ces"} {
			if has[m] {
				data.Measure = m
				break
			}
		}
	}
	for _, m := range []Choice{{Value: "nps", Label: "NPS"}, {Value: "csat", Label: "CSAT"}, {Value: "ces", Label: "CES"}, {Value: "score", Label: "All scores (0–100)"}} {
		if has[m.Value] || m.Value == data.Measure {
			m.Selected = m.Value == data.Measure
			data.Measures = append(data.Measures, m)
		}
	}

	// The busiest activities: by customers, the map's nodes come sorted by
	// count already.
	nodes := append([]touchpoint.JourneyNode{}, res.Nodes...)
	sort.SliceStable(nodes, func(i, j int) bool { return nodes[i].Profiles > nodes[j].Profiles })
	data.All = len(nodes)
	data.Shown = clamp(atoiOr(shownParam, min(14, data.All)), min(2, data.All), data.All)
	shown := map[string]bool{}
	for _, n := range nodes[:data.Shown] {
		shown[n.ID] = true
	}

	// The transitions between them that carry Detail % of the traffic, and
	// each activity's busiest way in and out, so none floats alone.
	var candidates []touchpoint.JourneyEdge
	var total int64
	for _, e := range res.Edges {
		if e.Loop || !shown[e.From] || !shown[e.To] {
			continue
		}
		candidates = append(candidates, e)
		total += e.Count
	}
	keep := map[int]bool{}
	var cum int64
	for i, e := range candidates { // sorted by count, busiest first
		if total > 0 && float64(cum) >= float64(total)*float64(data.Detail)/100 {
			break
		}
		keep[i] = true
		cum += e.Count
	}
	bestIn, bestOut := map[string]int{}, map[string]int{}
	for i, e := range candidates {
		if _, ok := bestOut[e.From]; !ok {
			bestOut[e.From] = i
		}
		if _, ok := bestIn[e.To]; !ok {
			bestIn[e.To] = i
		}
	}
	for _, i := range bestOut {
		keep[i] = true
	}
	for _, i := range bestIn {
		keep[i] = true
	}
	var drawn []touchpoint.JourneyEdge
	var drawnTraffic int64
	for i, e := range candidates {
		if keep[i] {
			drawn = append(drawn, e)
			drawnTraffic += e.Count
		}
	}
	data.EdgesShown, data.EdgesAll = len(drawn), len(candidates)
	if total > 0 {
		data.TrafficShown = float64(drawnTraffic) / float64(total)
	}

	// Lay out: the start first, then activities by customers.
	var order []string
	index := map[string]int{}
	anyStart := false
	for _, n := range nodes[:data.Shown] {
		anyStart = anyStart || n.Starts > 0
	}
	if anyStart {
		index[startID] = 0
		order = append(order, startID)
	}
	for _, n := range nodes[:data.Shown] {
		index[n.ID] = len(order)
		order = append(order, n.ID)
	}
	var ledges []LayoutEdge
	for _, e := range drawn {
		ledges = append(ledges, LayoutEdge{From: index[e.From], To: index[e.To], Weight: float64(e.Count)})
	}
	// Edges from the start: where at least 3% of the journeys begin.
	var starts int64
	for _, n := range nodes[:data.Shown] {
		starts += n.Starts
	}
	startsHere := func(n touchpoint.JourneyNode) bool {
		return n.Starts > 0 && float64(n.Starts) >= 0.03*float64(starts)
	}
	if anyStart {
		for _, n := range nodes[:data.Shown] {
			if startsHere(n) {
				ledges = append(ledges, LayoutEdge{From: 0, To: index[n.ID], Weight: float64(n.Starts)})
			}
		}
	}
	lay := LayoutGraph(len(order), ledges, LayoutOptions{LayerGap: mapNodeWidth + 60, NodeHeight: mapNodeHeight, NodeGap: 30})
	g := JourneyGraph{Width: lay.Width, Height: lay.Height, NodeWidth: mapNodeWidth, NodeHeight: mapNodeHeight,
		Measure: data.Measure, Designed: res.Conformance != nil, Nodes: []MapNode{}, Edges: []MapEdge{}}
	if anyStart {
		p := lay.Nodes[0]
		g.Nodes = append(g.Nodes, MapNode{ID: startID, Label: "Start", Start: true, X: p.X, Y: p.Y, Count: starts, Profiles: starts})
	}
	for _, n := range nodes[:data.Shown] {
		p := lay.Nodes[index[n.ID]]
		mn := MapNode{ID: n.ID, Label: activityLabel(n.ID), X: p.X, Y: p.Y, Count: n.Count, Profiles: n.Profiles, Starts: n.Starts,
			Exits: n.Exits, DropOff: n.DropOff, Repeat: n.RepeatProfiles, Rework: n.Rework}
		if i, ok := extra[n.ID]; ok {
			mn.CX, mn.Sent = nonNull(raw.Nodes[i].CX), nonNull(raw.Nodes[i].Sentiment)
		}
		g.Nodes = append(g.Nodes, mn)
	}
	designedEdge := map[[2]string]bool{}
	if res.Conformance != nil {
		for _, e := range res.Conformance.Designed {
			designedEdge[[2]string{e.From, e.To}] = true
		}
	}
	routes := map[[2]int]RoutedEdge{}
	for _, e := range lay.Edges {
		routes[[2]int{e.From, e.To}] = e
	}
	for _, e := range drawn {
		rt := routes[[2]int{index[e.From], index[e.To]}]
		g.Edges = append(g.Edges, MapEdge{From: e.From, To: e.To, Count: e.Count, Profiles: e.Profiles, Median: e.MedianSeconds,
			P90: e.P90Seconds, Back: rt.Back, Bends: rt.Bends, Designed: designedEdge[[2]string{e.From, e.To}]})
		g.MaxEdge = max(g.MaxEdge, e.Count)
		data.Edges = append(data.Edges, MapEdgeRow{JourneyEdge: e, FromLabel: activityLabel(e.From), ToLabel: activityLabel(e.To), Back: rt.Back})
	}
	if anyStart {
		for _, n := range nodes[:data.Shown] {
			if !startsHere(n) {
				continue
			}
			rt := routes[[2]int{0, index[n.ID]}]
			g.Edges = append(g.Edges, MapEdge{From: startID, To: n.ID, Count: n.Starts, Profiles: n.Starts, Start: true, Bends: rt.Bends})
		}
	}
	data.Graph = g

	for _, n := range nodes {
		row := MapNodeRow{JourneyNode: n, Label: activityLabel(n.ID), Shown: shown[n.ID], CXSort: math.Inf(-1)}
		if n.CX != nil {
			row.CXText, row.CXSort = cxText(n.CX, data.Measure)
		}
		if i, ok := extra[n.ID]; ok {
			row.Sentiment = sentimentText(raw.Nodes[i].Sentiment)
		}
		data.Nodes = append(data.Nodes, row)
	}
	for i, vr := range res.Variants {
		var labels []string
		for _, a := range vr.Activities {
			labels = append(labels, activityLabel(a))
		}
		data.Variants = append(data.Variants, VariantRow{Rank: i + 1, Path: strings.Join(labels, " → "),
			Design: strings.Join(dedupeRuns(vr.Activities), " > "), Profiles: vr.Profiles, Share: vr.Share})
	}
	if c := res.Conformance; c != nil {
		cv := &ConformanceView{Conformance: c}
		for _, e := range c.Designed {
			cv.Designed = append(cv.Designed, EdgeCountRow{activityLabel(e.From), activityLabel(e.To), e.Count, e.Profiles})
		}
		for _, e := range c.Undesigned {
			cv.Undesigned = append(cv.Undesigned, EdgeCountRow{activityLabel(e.From), activityLabel(e.To), e.Count, e.Profiles})
		}
		for _, s := range c.Skipped {
			cv.Skipped = append(cv.Skipped, SkippedRow{activityLabel(s.Activity), s.Profiles})
		}
		data.Conformance = cv
	}
}

// HasSentiment reports whether any activity carries sentiment.
func (d *JourneyMapData) HasSentiment() bool {
	for _, n := range d.Nodes {
		if n.Sentiment != "" {
			return true
		}
	}
	return false
}

// MeasureLabel names the colouring measure.
func (d *JourneyMapData) MeasureLabel() string {
	for _, m := range d.Measures {
		if m.Selected {
			return m.Label
		}
	}
	return "CX"
}

// cxText shows a node's CX in the chosen measure, with its number of
// answers, and the value to sort by.
func cxText(cx *touchpoint.NodeCX, measure string) (string, float64) {
	switch {
	case measure == "nps" && cx.NPS != nil:
		return fmt.Sprintf("NPS %s (%s)", number(*cx.NPS, 0), formatNum(cx.NPSResponses)), *cx.NPS
	case measure == "csat" && cx.CSAT != nil:
		return fmt.Sprintf("CSAT %s%% (%s)", number(*cx.CSAT, 0), formatNum(cx.CSATResponses)), *cx.CSAT
	case measure == "ces" && cx.CES != nil:
		return fmt.Sprintf("CES %s (%s)", number(*cx.CES, 1), formatNum(cx.CESResponses)), *cx.CES
	case measure == "score" && cx.Score != nil:
		return fmt.Sprintf("%s / 100 (%s)", number(*cx.Score, 0), formatNum(cx.Responses)), *cx.Score
	}
	return "", math.Inf(-1)
}

// sentimentText sums up a node's sentiment for the table, whatever its
// fields: numbers and words as "key value", nested values left out.
func sentimentText(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var m map[string]any
	if json.Unmarshal(raw, &m) != nil {
		return jsonValue(raw)
	}
	var parts []string
	for _, k := range sortedKeys(m) {
		switch x := m[k].(type) {
		case float64:
			if math.Abs(x) < 1 && x != 0 && !strings.Contains(k, "responses") {
				parts = append(parts, k+" "+number(x, 2))
			} else {
				parts = append(parts, k+" "+number(x, 0))
			}
		case string:
			parts = append(parts, k+" "+x)
		}
	}
	return strings.Join(parts, " · ")
}

func nonNull(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

// parseStages reads a stage map: one "activity = stage" per line.
func parseStages(s string) (map[string]string, error) {
	out := map[string]string{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k := strings.LastIndex(line, "=")
		if k < 0 {
			return nil, touchpoint.FieldError("stages", "line %d: write it as activity = stage", i+1)
		}
		act, stage := strings.TrimSpace(line[:k]), strings.TrimSpace(line[k+1:])
		if act == "" || stage == "" {
			return nil, touchpoint.FieldError("stages", "line %d: write it as activity = stage", i+1)
		}
		out[act] = stage
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

// parseDesigned reads a designed journey: one path per line, its steps
// separated by ">" or "→"; every two consecutive steps make a designed edge.
func parseDesigned(s string) []touchpoint.DesignedEdge {
	var out []touchpoint.DesignedEdge
	seen := map[[2]string]bool{}
	for _, line := range strings.Split(s, "\n") {
		line = strings.ReplaceAll(line, "→", ">")
		var steps []string
		for _, p := range strings.Split(line, ">") {
			if p = strings.TrimSpace(p); p != "" {
				steps = append(steps, p)
			}
		}
		for i := 0; i+1 < len(steps); i++ {
			k := [2]string{steps[i], steps[i+1]}
			if !seen[k] {
				seen[k] = true
				out = append(out, touchpoint.DesignedEdge{From: k[0], To: k[1]})
			}
		}
	}
	return out
}

// dedupeRuns folds repeats of a step ("A A B" reads "A B") for a path
// offered as a designed journey.
func dedupeRuns(s []string) []string {
	var out []string
	for _, a := range s {
		if len(out) == 0 || out[len(out)-1] != a {
			out = append(out, a)
		}
	}
	return out
}

// stageRules guess a stage from words in an activity's name, for the
// "suggest" button: a starting point to edit, not a truth.
var stageRules = []struct {
	stage string
	words []string
}{
	{"churn", []string{"deleted", "unsubscribe", "cancel", "churn"}},
	{"awareness", []string{"email", "page:home", "campaign", "landing", " ad "}},
	{"support", []string{"ticket", "call", "delay", "refund", "complain", "return", "support", "chat"}},
	{"advocacy", []string{"survey", "review", "referr", "share", "recommend"}},
	{"renewal", []string{"renew", "subscription", "upgrade", "reorder"}},
	{"purchase", []string{"checkout", "payment", "order completed", "purchase", "order placed", "paid"}},
	{"fulfilment", []string{"shipped", "delivered", "deliver", "fulfil", "pickup"}},
	{"onboarding", []string{"sign up", "signed up", "signup", "install", "registered", "account created", "signed in", "login", "log in"}},
	{"use", []string{"application opened", "app opened", "session", "screen:home", "store visited", "feature", "used"}},
	{"consideration", []string{"product", "cart", "search", "compare", "pricing", "wishlist"}},
	{"awareness", []string{"visited", "opened", "clicked"}},
}

// suggestStages guesses a stage for each activity it can.
func suggestStages(activities []string) string {
	var lines []string
	for _, a := range activities {
		low := strings.ToLower(a)
		for _, r := range stageRules {
			found := false
			for _, w := range r.words {
				if strings.Contains(low, w) {
					found = true
					break
				}
			}
			if found {
				lines = append(lines, a+" = "+r.stage)
				break
			}
		}
	}
	return strings.Join(lines, "\n")
}

func clamp(v, lo, hi int) int {
	if hi < lo {
		return lo
	}
	return max(lo, min(hi, v))
}

// JourneyCharts is the page's chart data.
type JourneyCharts struct {
	Journey JourneyGraph `json:"journey"`
}

// Charts is the chart data the page embeds.
func (d *JourneyMapData) Charts() JourneyCharts { return JourneyCharts{Journey: d.Graph} }
