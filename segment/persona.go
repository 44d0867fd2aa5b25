package segment

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/predict"
)

// FeatureTable is what personas are clustered on, per profile.
type FeatureTable struct {
	// Channels are the workspace's busiest channels, in the order of
	// FeatureRow.Channels.
	Channels []string
	Rows     []FeatureRow
}

// FeatureRow is one profile's features.
type FeatureRow struct {
	ProfileID string
	// Events is every event of the customer's own; Events90 and Days90
	// those and the days with one in the last 90 days; Recency the days
	// since the last.
	Events, Events90, Days90, Recency float64
	Orders, Revenue                   float64
	// Channels counts events per channel of FeatureTable.Channels.
	Channels []float64
	// NPS is the latest NPS answer, Sentiment the mean sentiment score of
	// the customer's feedback; nil when there is none.
	NPS, Sentiment *float64
}

// PersonaStats are what the personas page shows of a manual persona.
type PersonaStats struct {
	Size, NPSAnswers, Promoters, Detractors, Inactive int64
}

// PersonaAnalytics is what discovery reads from the analytics store, and
// where it copies members for analyses to filter by persona.
type PersonaAnalytics interface {
	PersonaFeatures(ctx context.Context, workspace string, now time.Time) (*FeatureTable, error)
	ChurnScores(ctx context.Context, workspace string) (map[string]float64, bool, error)
	SegmentPersonaStats(ctx context.Context, workspace string, ids []string, now time.Time) (map[string]PersonaStats, error)
	PersonaMembersCheckpoint(ctx context.Context) (uint64, error)
	ReplacePersonaMembers(ctx context.Context, all func(yield func(MemberChange) error) error, run uint64) error
}

// PersonaStore keeps discovered personas and their members.
type PersonaStore interface {
	NextPersonaRun(ctx context.Context) (uint64, error)
	LastPersonaRun(ctx context.Context) (uint64, error)
	ReplacePersonas(ctx context.Context, run *touchpoint.PersonaRun, ps []*touchpoint.Persona, members map[string][]string) error
	FindPersonas(ctx context.Context, workspace string) ([]*touchpoint.Persona, *touchpoint.PersonaRun, error)
	AllPersonaMembers(ctx context.Context, fn func(workspace, personaID, profileID string) error) error
	PersonaMembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error)
	PersonaMemberIDs(ctx context.Context, workspace, personaID string) ([]string, error)
	IsPersonaMember(ctx context.Context, workspace, personaID, profileID string) (bool, error)
	PersonaRunAge(ctx context.Context, workspace string) (time.Time, bool, error)
}

// Personas discovers personas: it clusters customers on standardised
// features — activity (events and active days in 90 days, days since last
// seen), value (orders, revenue), channel mix (share of events on each of
// the busiest channels) and CX scores (latest NPS, feedback sentiment;
// only when at least 5% of customers have them, missing values set to the
// mean) — with k-means, k from 2 to 8 chosen by the mean silhouette, and
// describes each cluster by the features that set it apart. It implements
// touchpoint.PersonaService.
type Personas struct {
	Store     PersonaStore
	Analytics PersonaAnalytics
	Segments  Definitions
	Clock     touchpoint.Clock
	Logger    *slog.Logger
	// Every is how often Run refreshes each workspace (default a day);
	// Workspaces lists the workspaces to refresh.
	Every      time.Duration
	Workspaces func(ctx context.Context) ([]string, error)
	// FitSample caps the customers k-means is fitted on (default 20,000);
	// every customer is then assigned to the nearest centroid.
	FitSample int

	mu      sync.Mutex
	running map[string]bool
}

var _ touchpoint.PersonaService = (*Personas)(nil)

// feature describes one clustering feature.
type feature struct {
	name, label string
	// raw is the interpretable value; x the value clustered on.
	raw, x func(r *FeatureRow) (float64, bool)
	// unit formats raw values in descriptions; kind names it (count,
	// share, money or score) for those who show them.
	unit func(float64) string
	kind string
}

func (p *Personas) features(ft *FeatureTable) []feature {
	count := func(f float64) string { return trimFloat(f, 1) }
	fs := []feature{
		{"events_90d", "events in the last 90 days", func(r *FeatureRow) (float64, bool) { return r.Events90, true },
			func(r *FeatureRow) (float64, bool) { return math.Log1p(r.Events90), true }, count, "count"},
		{"active_days_90d", "active days in the last 90", func(r *FeatureRow) (float64, bool) { return r.Days90, true },
			func(r *FeatureRow) (float64, bool) { return r.Days90, true }, count, "count"},
		{"days_since_seen", "days since last seen", func(r *FeatureRow) (float64, bool) { return min(r.Recency, 365), true },
			func(r *FeatureRow) (float64, bool) { return min(r.Recency, 365), true }, count, "count"},
		{"orders", "orders", func(r *FeatureRow) (float64, bool) { return r.Orders, true },
			func(r *FeatureRow) (float64, bool) { return math.Log1p(r.Orders), true }, count, "count"},
		{"revenue", "revenue", func(r *FeatureRow) (float64, bool) { return r.Revenue, true },
			func(r *FeatureRow) (float64, bool) { return math.Log1p(max(r.Revenue, 0)), true }, func(f float64) string { return trimFloat(f, 0) }, "money"},
	}
	for i, c := range ft.Channels {
		share := func(r *FeatureRow) (float64, bool) {
			if r.Events == 0 {
				return 0, true
			}
			return r.Channels[i] / r.Events, true
		}
		fs = append(fs, feature{"channel_" + c, "share of events on " + strings.ReplaceAll(c, "_", " "), share, share,
			func(f float64) string { return trimFloat(f*100, 0) + "%" }, "share"})
	}
	// CX scores only when enough customers have one: otherwise the few who
	// do would make clusters of their own.
	var withNPS, withSent int
	for i := range ft.Rows {
		if ft.Rows[i].NPS != nil {
			withNPS++
		}
		if ft.Rows[i].Sentiment != nil {
			withSent++
		}
	}
	if n := len(ft.Rows); n > 0 && float64(withNPS)/float64(n) >= 0.05 {
		nps := func(r *FeatureRow) (float64, bool) {
			if r.NPS == nil {
				return 0, false
			}
			return *r.NPS, true
		}
		fs = append(fs, feature{"nps", "last NPS answer", nps, nps, func(f float64) string { return trimFloat(f, 1) }, "score"})
	}
	if n := len(ft.Rows); n > 0 && float64(withSent)/float64(n) >= 0.05 {
		sent := func(r *FeatureRow) (float64, bool) {
			if r.Sentiment == nil {
				return 0, false
			}
			return *r.Sentiment, true
		}
		fs = append(fs, feature{"sentiment", "feedback sentiment (-1 to 1)", sent, sent, func(f float64) string { return trimFloat(f, 2) }, "score"})
	}
	return fs
}

func trimFloat(f float64, digits int) string {
	s := fmt.Sprintf("%.*f", digits, f)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// RefreshPersonas discovers a workspace's personas again.
func (p *Personas) RefreshPersonas(ctx context.Context, workspace string) (*touchpoint.PersonaRun, error) {
	p.mu.Lock()
	if p.running == nil {
		p.running = map[string]bool{}
	}
	if p.running[workspace] {
		p.mu.Unlock()
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "personas of this workspace are being discovered already")
	}
	p.running[workspace] = true
	p.mu.Unlock()
	defer func() {
		p.mu.Lock()
		delete(p.running, workspace)
		p.mu.Unlock()
	}()
	start := time.Now()
	now := p.Clock.Now().UTC()
	ft, err := p.Analytics.PersonaFeatures(ctx, workspace, now)
	if err != nil {
		return nil, err
	}
	if len(ft.Rows) < 20 {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "personas need at least 20 customers with events; this workspace has %d", len(ft.Rows))
	}
	fs := p.features(ft)
	n, d := len(ft.Rows), len(fs)
	// Raw values, with missing scores set to the mean of those known.
	x := make([][]float64, n)
	known := make([][]bool, n)
	for i := range ft.Rows {
		x[i], known[i] = make([]float64, d), make([]bool, d)
	}
	for j, f := range fs {
		sum, cnt := 0.0, 0
		for i := range ft.Rows {
			v, ok := f.x(&ft.Rows[i])
			x[i][j], known[i][j] = v, ok
			if ok {
				sum += v
				cnt++
			}
		}
		for i := range ft.Rows {
			if !known[i][j] && cnt > 0 {
				x[i][j] = sum / float64(cnt)
			}
		}
	}
	predict.Standardize(x)
	r := rand.New(rand.NewPCG(uint64(n), 42))
	fit := x
	sample := p.FitSample
	if sample <= 0 {
		sample = 20000
	}
	if n > sample {
		fit = make([][]float64, sample)
		for i, j := range r.Perm(n)[:sample] {
			fit[i] = x[j]
		}
	}
	cl := cluster(fit, 2, 8, 2000, r)
	assign := make([]int, n)
	for i, pt := range x {
		assign[i] = nearest(pt, cl.Centroids)
	}
	num, err := p.Store.NextPersonaRun(ctx)
	if err != nil {
		return nil, err
	}
	churn, model, err := p.Analytics.ChurnScores(ctx, workspace)
	if err != nil {
		return nil, err
	}
	personas := p.describe(workspace, num, ft, fs, x, assign, cl, churn, model, now)
	members := map[string][]string{}
	for i, c := range assign {
		id := personas[c].ID
		members[id] = append(members[id], ft.Rows[i].ProfileID)
	}
	// Largest first; empty clusters (none, usually) are left out.
	var out []*touchpoint.Persona
	for _, ps := range personas {
		if ps.Size > 0 {
			out = append(out, ps)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Size > out[j].Size })
	run := &touchpoint.PersonaRun{Workspace: workspace, At: now, K: cl.K,
		Criterion: "mean silhouette of a sample of up to 2,000 customers, k from 2 to 8", Silhouette: cl.Silhouette,
		Scores: cl.Scores, Customers: int64(n), TookMS: time.Since(start).Milliseconds()}
	run.Run = num
	if err := p.Store.ReplacePersonas(ctx, run, out, members); err != nil {
		return nil, err
	}
	if err := p.mirror(ctx); err != nil {
		return nil, err
	}
	p.Logger.Info("personas discovered", "workspace", workspace, "k", cl.K, "silhouette", cl.Silhouette, "customers", n, "took", time.Since(start).Round(time.Millisecond))
	return run, nil
}

// mirror copies every persona's members to the analytics store.
func (p *Personas) mirror(ctx context.Context) error {
	last, err := p.Store.LastPersonaRun(ctx)
	if err != nil {
		return err
	}
	return p.Analytics.ReplacePersonaMembers(ctx, func(yield func(MemberChange) error) error {
		return p.Store.AllPersonaMembers(ctx, func(ws, id, profile string) error {
			return yield(MemberChange{Workspace: ws, SegmentID: id, ProfileID: profile, In: true})
		})
	}, last)
}

// describe builds the personas of a clustering: sizes, averages beside
// everyone's, NPS of the members' latest answers, churn risk, and a name
// and description from the features that set each apart.
func (p *Personas) describe(ws string, run uint64, ft *FeatureTable, fs []feature, x [][]float64, assign []int,
	cl Clustering, churn map[string]float64, model bool, now time.Time) []*touchpoint.Persona {
	k, n := cl.K, len(ft.Rows)
	type acc struct {
		size               int64
		rawSum, rawCnt     []float64
		z                  []float64
		answers, prom, det int64
		inactive           int64
		churnSum           float64
		churnCnt           int64
	}
	all := acc{rawSum: make([]float64, len(fs)), rawCnt: make([]float64, len(fs))}
	accs := make([]acc, k)
	for c := range accs {
		accs[c] = acc{rawSum: make([]float64, len(fs)), rawCnt: make([]float64, len(fs)), z: make([]float64, len(fs))}
	}
	for i := range ft.Rows {
		row := &ft.Rows[i]
		a := &accs[assign[i]]
		a.size++
		for j, f := range fs {
			if v, ok := f.raw(row); ok {
				a.rawSum[j] += v
				a.rawCnt[j]++
				all.rawSum[j] += v
				all.rawCnt[j]++
			}
			a.z[j] += x[i][j]
		}
		if row.NPS != nil {
			a.answers++
			switch {
			case *row.NPS >= 9:
				a.prom++
			case *row.NPS <= 6:
				a.det++
			}
		}
		if row.Recency > 30 {
			a.inactive++
		}
		if model {
			if v, ok := churn[row.ProfileID]; ok {
				a.churnSum += v
				a.churnCnt++
			}
		}
	}
	out := make([]*touchpoint.Persona, k)
	used := map[string]int{}
	for c := range accs {
		a := &accs[c]
		ps := &touchpoint.Persona{ID: fmt.Sprintf("prs_%d_%d", run, c+1), Workspace: ws, Kind: touchpoint.PersonaDiscovered,
			Size: a.size, Share: float64(a.size) / float64(n), RefreshedAt: now}
		for j, f := range fs {
			v, o := 0.0, 0.0
			if a.rawCnt[j] > 0 {
				v = a.rawSum[j] / a.rawCnt[j]
			}
			if all.rawCnt[j] > 0 {
				o = all.rawSum[j] / all.rawCnt[j]
			}
			z := 0.0
			if a.size > 0 {
				z = a.z[j] / float64(a.size)
			}
			ps.Features = append(ps.Features, touchpoint.PersonaFeature{Name: f.name, Label: f.label, Unit: f.kind, Value: round(v, 3), Overall: round(o, 3), Z: round(z, 3)})
		}
		setStats(ps, PersonaStats{Size: a.size, NPSAnswers: a.answers, Promoters: a.prom, Detractors: a.det, Inactive: a.inactive})
		if model && a.churnCnt > 0 {
			risk := round(a.churnSum/float64(a.churnCnt), 3)
			ps.ChurnRisk, ps.ChurnSource = &risk, "churn model (mean predicted risk)"
		}
		ps.Name, ps.Description = nameAndDescribe(ps.Features, fs)
		if used[ps.Name]++; used[ps.Name] > 1 {
			ps.Name = fmt.Sprintf("%s %d", ps.Name, used[ps.Name])
		}
		out[c] = ps
	}
	return out
}

// setStats fills NPS and the churn proxy from counts.
func setStats(ps *touchpoint.Persona, s PersonaStats) {
	ps.NPSResponses = s.NPSAnswers
	if s.NPSAnswers > 0 {
		nps := round(100*float64(s.Promoters-s.Detractors)/float64(s.NPSAnswers), 1)
		ps.NPS = &nps
	}
	if s.Size > 0 {
		risk := round(float64(s.Inactive)/float64(s.Size), 3)
		ps.ChurnRisk, ps.ChurnSource = &risk, "proxy: share of members not seen in 30 days"
	}
}

func round(f float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(f*p) / p
}

// nameAndDescribe names a persona after the feature that sets it apart
// most and describes it by up to three such features, in plain words with
// the figures beside everyone's.
func nameAndDescribe(pf []touchpoint.PersonaFeature, fs []feature) (string, string) {
	idx := make([]int, len(pf))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return math.Abs(pf[idx[a]].Z) > math.Abs(pf[idx[b]].Z) })
	var phrases []string
	name := ""
	for _, i := range idx {
		f := pf[i]
		if math.Abs(f.Z) < 0.25 || len(phrases) == 3 {
			break
		}
		up := f.Z > 0
		v, o := fs[i].unit(f.Value), fs[i].unit(f.Overall)
		var phrase, title string
		switch {
		case f.Name == "events_90d":
			phrase = map[bool]string{true: "are very active", false: "are rarely active"}[up] + fmt.Sprintf(" (%s %s in 90 days, against %s across customers)", v, map[bool]string{true: "event", false: "events"}[v == "1"], o)
			title = map[bool]string{true: "Highly engaged", false: "Occasional visitors"}[up]
		case f.Name == "active_days_90d":
			phrase = fmt.Sprintf("come back on %s days of 90 (against %s)", v, o)
			title = map[bool]string{true: "Regulars", false: "One-time visitors"}[up]
		case f.Name == "days_since_seen":
			phrase = map[bool]string{true: "have not been seen for a while", false: "were seen recently"}[up] + fmt.Sprintf(" (%s days ago on average, against %s)", v, o)
			title = map[bool]string{true: "Lapsing customers", false: "Recently active"}[up]
		case f.Name == "orders":
			phrase = map[bool]string{true: "buy often", false: "rarely buy"}[up] + fmt.Sprintf(" (%s %s each, against %s)", v, map[bool]string{true: "order", false: "orders"}[v == "1"], o)
			title = map[bool]string{true: "Frequent buyers", false: "Browsers"}[up]
		case f.Name == "revenue":
			phrase = map[bool]string{true: "spend more", false: "spend less"}[up] + fmt.Sprintf(" (%s each, against %s)", v, o)
			title = map[bool]string{true: "Big spenders", false: "Low spenders"}[up]
		case strings.HasPrefix(f.Name, "channel_"):
			ch := strings.ReplaceAll(strings.TrimPrefix(f.Name, "channel_"), "_", " ")
			if up {
				phrase = fmt.Sprintf("favour %s (%s of their events, against %s)", ch, v, o)
				title = titleWord(ch) + "-first customers"
			} else {
				phrase = fmt.Sprintf("seldom use %s (%s of their events, against %s)", ch, v, o)
				title = "Rarely on " + ch
			}
		case f.Name == "nps":
			phrase = map[bool]string{true: "recommend you more", false: "recommend you less"}[up] + fmt.Sprintf(" (last NPS answer %s, against %s)", v, o)
			title = map[bool]string{true: "Promoters", false: "Unhappy customers"}[up]
		case f.Name == "sentiment":
			phrase = map[bool]string{true: "write warmly", false: "complain more"}[up] + fmt.Sprintf(" (feedback sentiment %s, against %s)", v, o)
			title = map[bool]string{true: "Happy voices", false: "Complainers"}[up]
		default:
			continue
		}
		if name == "" {
			name = title
		}
		phrases = append(phrases, phrase)
	}
	if name == "" {
		return "Typical customers", "Customers close to the average on every feature."
	}
	desc := "Customers who " + phrases[0]
	if len(phrases) > 1 {
		desc = "Customers who " + strings.Join(phrases[:len(phrases)-1], ", ") + " and " + phrases[len(phrases)-1]
	}
	return name, desc + "."
}

func titleWord(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// DiscoveredPersonas lists the discovered personas of the last run, as
// stored.
func (p *Personas) DiscoveredPersonas(ctx context.Context, workspace string) ([]*touchpoint.Persona, error) {
	found, _, err := p.Store.FindPersonas(ctx, workspace)
	return found, err
}

// Personas lists manual personas (segments marked as personas, with their
// members' NPS and churn risk) and the discovered ones of the last run.
func (p *Personas) Personas(ctx context.Context, workspace string) ([]*touchpoint.Persona, *touchpoint.PersonaRun, error) {
	found, run, err := p.Store.FindPersonas(ctx, workspace)
	if err != nil {
		return nil, nil, err
	}
	yes := true
	segs, err := p.Segments.FindSegments(ctx, touchpoint.SegmentFilter{Workspace: workspace, Persona: &yes})
	if err != nil {
		return nil, nil, err
	}
	var manual []*touchpoint.Persona
	if len(segs) > 0 {
		ids := make([]string, len(segs))
		for i, s := range segs {
			ids[i] = s.ID
		}
		stats, err := p.Analytics.SegmentPersonaStats(ctx, workspace, ids, p.Clock.Now())
		if err != nil {
			return nil, nil, err
		}
		churn, model, err := p.Analytics.ChurnScores(ctx, workspace)
		if err != nil {
			return nil, nil, err
		}
		for _, s := range segs {
			ps := &touchpoint.Persona{ID: s.ID, Workspace: workspace, Kind: touchpoint.PersonaManual, Name: s.Name, Description: s.Description,
				SegmentID: s.ID, Size: s.Size, RefreshedAt: s.UpdatedAt}
			st := stats[s.ID]
			st.Size = max(st.Size, 0)
			setStats(ps, st)
			if st.Size == 0 {
				ps.ChurnRisk, ps.ChurnSource = nil, ""
			}
			if model {
				members, err := p.Segments.SegmentMemberIDs(ctx, workspace, s.ID)
				if err != nil {
					return nil, nil, err
				}
				sum, cnt := 0.0, 0
				for _, m := range members {
					if v, ok := churn[m]; ok {
						sum += v
						cnt++
					}
				}
				if cnt > 0 {
					risk := round(sum/float64(cnt), 3)
					ps.ChurnRisk, ps.ChurnSource = &risk, "churn model (mean predicted risk)"
				}
			}
			manual = append(manual, ps)
		}
	}
	return slices.Concat(manual, found), run, nil
}

// MembersPage pages through a discovered persona's members.
func (p *Personas) MembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error) {
	return p.Store.PersonaMembersPage(ctx, f)
}

// MemberIDs lists a discovered persona's members.
func (p *Personas) MemberIDs(ctx context.Context, workspace, id string) ([]string, error) {
	return p.Store.PersonaMemberIDs(ctx, workspace, id)
}

// IsMember reports whether a profile is in a discovered persona.
func (p *Personas) IsMember(ctx context.Context, workspace, id, profileID string) (bool, error) {
	return p.Store.IsPersonaMember(ctx, workspace, id, profileID)
}

// Run refreshes each workspace's personas when its last run is older than
// Every, checking hourly, and copies members to the analytics store at
// start if it lacks them.
func (p *Personas) Run(ctx context.Context) error {
	if last, err := p.Store.LastPersonaRun(ctx); err == nil && last > 0 {
		if have, err := p.Analytics.PersonaMembersCheckpoint(ctx); err == nil && have != last {
			if err := p.mirror(ctx); err != nil {
				p.Logger.Error("personas: copy members to analytics", "err", err)
			}
		}
	}
	every := p.Every
	if every <= 0 {
		every = 24 * time.Hour
	}
	check := min(time.Hour, every)
	for {
		if err := p.RefreshDue(ctx, every); err != nil && ctx.Err() == nil {
			p.Logger.Error("personas: scheduled refresh", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(check):
		}
	}
}

// RefreshDue refreshes every workspace whose personas are older than every.
func (p *Personas) RefreshDue(ctx context.Context, every time.Duration) error {
	if p.Workspaces == nil {
		return nil
	}
	wss, err := p.Workspaces(ctx)
	if err != nil {
		return err
	}
	for _, ws := range wss {
		at, ok, err := p.Store.PersonaRunAge(ctx, ws)
		if err != nil {
			return err
		}
		if ok && p.Clock.Now().Sub(at) < every {
			continue
		}
		if _, err := p.RefreshPersonas(ctx, ws); err != nil {
			if touchpoint.ErrorCode(err) == touchpoint.ECONFLICT {
				continue // too few customers yet, or running
			}
			return err
		}
	}
	return nil
}
