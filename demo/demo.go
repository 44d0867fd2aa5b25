package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Config sets the size and shape of the data set.
type Config struct {
	// Seed makes the data set: the same Seed, Customers, Days and End give
	// the same events in the same order.
	Seed uint64
	// Customers is the number of identified customers (default 10,000).
	Customers int
	// Days of history (default 90).
	Days int
	// End is when the data ends (default: now, truncated to the day).
	End time.Time
	// Workspace the events belong to (default "default").
	Workspace string
	// Sources maps a source type (see SourceTypes) to the id events of
	// that origin carry.
	Sources map[string]string
}

// Summary counts what Generate produced.
type Summary struct {
	Customers         int
	AnonymousVisitors int
	Events            int
	ByChannel         map[string]int
	ByType            map[string]int
	Revenue           float64
}

// SourceTypes are the source types the data set uses, one source each.
func SourceTypes() []string {
	return []string{"web", "ios", "android", "server", "email", "store", "callcenter", "support", "survey"}
}

// Generate streams the data set to emit, customer by customer, each
// customer's events in time order. It stops at emit's first error.
func Generate(cfg Config, emit func(touchpoint.Event) error) (Summary, error) {
	if cfg.Customers <= 0 {
		cfg.Customers = 10000
	}
	if cfg.Days <= 0 {
		cfg.Days = 90
	}
	if cfg.End.IsZero() {
		cfg.End = time.Now().UTC().Truncate(24 * time.Hour)
	}
	if cfg.Workspace == "" {
		cfg.Workspace = touchpoint.DefaultWorkspace
	}
	g := &generator{cfg: cfg, end: cfg.End.UTC(), start: cfg.End.UTC().AddDate(0, 0, -cfg.Days),
		sum: Summary{ByChannel: map[string]int{}, ByType: map[string]int{}}}
	for i := 0; i < cfg.Customers; i++ {
		c := g.newCustomer(i)
		c.live()
		if err := g.flush(c, emit); err != nil {
			return g.sum, err
		}
		g.sum.Customers++
	}
	for i := 0; i < cfg.Customers/2; i++ {
		c := g.newVisitor(i)
		c.browse()
		if err := g.flush(c, emit); err != nil {
			return g.sum, err
		}
		g.sum.AnonymousVisitors++
	}
	return g.sum, nil
}

type generator struct {
	cfg        Config
	start, end time.Time
	sum        Summary
}

func (g *generator) flush(c *customer, emit func(touchpoint.Event) error) error {
	sort.SliceStable(c.events, func(i, j int) bool { return c.events[i].Timestamp.Before(c.events[j].Timestamp) })
	for i := range c.events {
		ev := &c.events[i]
		if ev.Timestamp.Before(g.start) || !ev.Timestamp.Before(g.end) {
			continue
		}
		ev.ID = fmt.Sprintf("demo-%d-%s-%d", g.cfg.Seed, c.key, i)
		if err := emit(*ev); err != nil {
			return err
		}
		g.sum.Events++
		g.sum.ByChannel[ev.Channel]++
		g.sum.ByType[string(ev.Type)]++
		if ev.Event == "Order Completed" {
			var p struct{ Revenue float64 }
			json.Unmarshal(ev.Properties, &p)
			g.sum.Revenue += p.Revenue
		}
	}
	return nil
}

// Personas drive how often customers come back, what they buy and how
// they feel about it.
type persona struct {
	name     string
	weight   int
	visit    float64 // chance of a session on a given day
	buy      float64 // chance a cart becomes an order
	spend    float64 // basket size multiplier
	nps      float64 // baseline of the latent satisfaction, 0-10
	churn    float64 // baseline chance of churning within the window
	emailOpn float64
}

var personas = []persona{
	{"loyal", 20, 0.22, 0.75, 1.4, 9.1, 0.04, 0.55},
	{"regular", 35, 0.11, 0.55, 1.0, 7.9, 0.12, 0.35},
	{"bargain_hunter", 20, 0.08, 0.40, 0.7, 7.1, 0.20, 0.45},
	{"new", 15, 0.14, 0.45, 0.9, 8.0, 0.18, 0.40},
	{"at_risk", 10, 0.05, 0.35, 0.8, 5.6, 0.45, 0.15},
}

type customer struct {
	g   *generator
	rng *rand.Rand
	key string

	userID      string
	persona     persona
	country     country
	first, last string
	emailAddr   string
	phone       string
	city, ip    string
	webAnon     string
	appAnon     string
	appOS       string
	plan        string
	account     int // 0 = none
	store       *store
	subscribed  bool
	signup      time.Time
	churnAt     time.Time
	bad         int
	orders      int

	events []touchpoint.Event
}

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

func weighted[T any](r *rand.Rand, xs []T, weight func(T) int) T {
	total := 0
	for _, x := range xs {
		total += weight(x)
	}
	n := r.IntN(total)
	for _, x := range xs {
		if n -= weight(x); n < 0 {
			return x
		}
	}
	return xs[len(xs)-1]
}

func (g *generator) rngFor(kind uint64, i int) *rand.Rand {
	return rand.New(rand.NewPCG(g.cfg.Seed, kind<<32|uint64(i)))
}

func (g *generator) newCustomer(i int) *customer {
	r := g.rngFor(1, i)
	c := &customer{g: g, rng: r, key: fmt.Sprintf("c%06d", i+1), userID: fmt.Sprintf("u_%06d", i+1)}
	c.persona = weighted(r, personas, func(p persona) int { return p.weight })
	c.country = weighted(r, countries, func(c country) int { return c.weight })
	c.first, c.last, c.city = pick(r, c.country.first), pick(r, c.country.last), pick(r, c.country.cities)
	c.emailAddr = fmt.Sprintf("%s.%06d@%s", strings.ToLower(asciiName(c.country.code, i)), i+1, pick(r, []string{"example.com", "example.net", "example.org"}))
	c.phone = fmt.Sprintf("%s%09d", c.country.phone, 100000000+r.IntN(899999999))
	c.ip = fmt.Sprintf("%s%d", c.country.ipPrefix, 1+r.IntN(254))
	c.webAnon = anonID(r)
	if r.Float64() < 0.45 {
		c.appAnon = anonID(r)
		c.appOS = pick(r, []string{"ios", "android"})
	}
	c.plan = weighted(r, []string{"free", "plus", "premium"}, func(p string) int { return map[string]int{"free": 60, "plus": 30, "premium": 10}[p] })
	c.subscribed = r.Float64() < 0.8
	if r.Float64() < 0.1 {
		c.account = 1 + r.IntN(200)
	}
	for i := range stores {
		if stores[i].country == c.country.code && r.Float64() < 0.5 {
			c.store = &stores[i]
			break
		}
	}
	days := g.cfg.Days
	// Sign-up days end two days early: a local evening on the last day can
	// fall after End in UTC, and every customer must be in the data.
	signupDay := r.IntN(max(days-7, 1))
	if c.persona.name == "new" {
		signupDay = max(days-2-r.IntN(min(25, days)), 0)
	}
	c.signup = c.at(signupDay)
	if r.Float64() < c.persona.churn {
		c.churnAt = c.signup.Add(time.Duration(5+r.IntN(max(days, 6))) * 24 * time.Hour)
	}
	return c
}

func (g *generator) newVisitor(i int) *customer {
	r := g.rngFor(2, i)
	c := &customer{g: g, rng: r, key: fmt.Sprintf("v%06d", i+1)}
	c.persona = personas[1]
	c.country = weighted(r, countries, func(c country) int { return c.weight })
	c.ip = fmt.Sprintf("%s%d", c.country.ipPrefix, 1+r.IntN(254))
	c.webAnon = anonID(r)
	return c
}

// asciiName is a Latin transliteration-free handle for e-mail addresses.
func asciiName(country string, i int) string {
	return fmt.Sprintf("%s.customer", strings.ToLower(country))
}

func anonID(r *rand.Rand) string {
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x", r.Uint32(), r.Uint32()&0xffff, r.Uint32()&0xfff, 0x8000|r.Uint32()&0x3fff, r.Uint64()&0xffffffffffff)
}

// tzOffset is the customer's offset from UTC, for plausible local hours.
func (c *customer) tzOffset() time.Duration {
	switch c.country.code {
	case "US":
		return -5 * time.Hour
	case "VN", "TH":
		return 7 * time.Hour
	case "IR":
		return 3*time.Hour + 30*time.Minute
	}
	return 0
}

// at returns a moment on day d of the data set, in the customer's waking hours.
func (c *customer) at(d int) time.Time {
	hour := 7 + c.rng.IntN(16)
	return c.g.start.AddDate(0, 0, d).Add(time.Duration(hour)*time.Hour - c.tzOffset() + time.Duration(c.rng.IntN(3600))*time.Second)
}

func (c *customer) active(t time.Time) bool {
	return c.churnAt.IsZero() || t.Before(c.churnAt)
}

// live plays out a customer's whole history.
func (c *customer) live() {
	r := c.rng
	// Anonymous browsing before signing up.
	for i, n := 0, 1+r.IntN(3); i < n; i++ {
		t := c.signup.Add(-time.Duration(1+r.IntN(240)) * time.Hour)
		c.webSession(t, false, nil)
	}
	c.signUp(c.signup)
	if c.appAnon != "" {
		t := c.signup.Add(time.Duration(2+r.IntN(24*20)) * time.Hour)
		c.installApp(t)
	}
	if c.account > 0 {
		c.group(c.signup.Add(time.Hour))
	}
	if r.Float64() < 0.03 {
		c.alias(c.signup.Add(2 * time.Minute))
	}
	signupDay := int(c.signup.Sub(c.g.start).Hours() / 24)
	for d := signupDay + 1; d < c.g.cfg.Days; d++ {
		day := c.g.start.AddDate(0, 0, d)
		if !c.active(day) {
			break
		}
		if r.Float64() < c.persona.visit {
			t := c.at(d)
			if c.appAnon != "" && r.Float64() < 0.55 {
				c.appSession(t)
			} else {
				c.webSession(t, true, nil)
			}
		}
		for i := range campaigns {
			if campaigns[i].day == d && c.subscribed {
				c.email(c.at(d), &campaigns[i])
			}
		}
		if c.store != nil && r.Float64() < 0.025 {
			c.storeVisit(c.at(d))
		}
		if r.Float64() < 0.004+0.012*float64(c.bad) {
			c.call(c.at(d))
		}
		if r.Float64() < 0.004+0.01*float64(c.bad) {
			c.ticket(c.at(d))
		}
	}
	if !c.churnAt.IsZero() && c.churnAt.Before(c.g.end) {
		switch x := r.Float64(); {
		case x < 0.35 && c.plan != "free":
			c.track(c.churnAt, "server", "Subscription Cancelled", map[string]any{"plan": c.plan, "reason": pick(r, []string{"too_expensive", "not_using", "bad_service", "switched_provider", "other"})})
		case x < 0.45:
			c.track(c.churnAt, "server", "Account Deleted", nil)
		}
	}
}

// browse is a visitor who never signs up.
func (c *customer) browse() {
	for i, n := 0, 1+c.rng.IntN(3); i < n; i++ {
		c.webSession(c.at(c.rng.IntN(c.g.cfg.Days)), false, nil)
	}
}

// hadBad records a bad experience: it lowers later scores and may tip the
// customer into leaving.
func (c *customer) hadBad(t time.Time) {
	c.bad++
	if c.churnAt.IsZero() && c.rng.Float64() < 0.22 {
		c.churnAt = t.Add(time.Duration(2+c.rng.IntN(20)) * 24 * time.Hour)
	} else if !c.churnAt.IsZero() && c.rng.Float64() < 0.3 {
		if sooner := t.Add(time.Duration(2+c.rng.IntN(10)) * 24 * time.Hour); sooner.Before(c.churnAt) {
			c.churnAt = sooner
		}
	}
}

// latent is the customer's satisfaction right now, 0-10; touchpointBad
// marks an answer about the very thing that went wrong.
func (c *customer) latent(touchpointBad bool) float64 {
	v := c.persona.nps - 1.4*float64(min(c.bad, 4)) + c.rng.NormFloat64()*1.2
	if touchpointBad {
		v -= 2.5
	}
	if !c.churnAt.IsZero() {
		v -= 1.0
	}
	return math.Max(0, math.Min(10, v))
}

func sentimentOf(latent float64) sentiment {
	switch {
	case latent < 6.5:
		return negative
	case latent < 8.5:
		return neutral
	}
	return positive
}
