package demo

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// origin says where an event came from: its source type and channel, and
// which of the customer's identifiers a client there knows.
type origin struct {
	source  string
	channel string
	anon    string
	known   bool
}

func (c *customer) web(known bool) origin {
	return origin{source: "web", channel: touchpoint.ChannelWeb, anon: c.webAnon, known: known}
}

func (c *customer) app(known bool) origin {
	return origin{source: c.appOS, channel: touchpoint.ChannelApp, anon: c.appAnon, known: known}
}

func server(source, channel string) origin {
	return origin{source: source, channel: channel, known: true}
}

func raw(v any) json.RawMessage {
	if v == nil {
		return nil
	}
	if m, ok := v.(map[string]any); ok && len(m) == 0 {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only maps of plain values are marshalled here
	}
	return b
}

// add records an event from o at t.
func (c *customer) add(t time.Time, o origin, ev touchpoint.Event, ctx map[string]any) {
	ev.Workspace = c.g.cfg.Workspace
	ev.SourceID = c.g.cfg.Sources[o.source]
	ev.Channel = o.channel
	if o.known {
		ev.UserID = c.userID
	}
	if ev.AnonymousID == "" {
		ev.AnonymousID = o.anon
	}
	ev.Timestamp, ev.OriginalTimestamp = t.UTC(), t.UTC()
	lag := time.Duration(150+c.rng.IntN(2500)) * time.Millisecond
	if o.channel == touchpoint.ChannelWeb || o.channel == touchpoint.ChannelApp {
		ev.SentAt = t.Add(lag / 3).UTC()
	}
	ev.ReceivedAt = t.Add(lag).UTC()
	ev.Context = raw(c.context(o, ctx))
	c.events = append(c.events, ev)
}

func (c *customer) context(o origin, extra map[string]any) map[string]any {
	ctx := map[string]any{"locale": c.country.locale, "timezone": c.country.tz}
	switch o.channel {
	case touchpoint.ChannelWeb:
		ctx["library"] = map[string]any{"name": "analytics.js", "version": "next-1.70.0"}
		ctx["ip"] = c.ip
		ctx["userAgent"] = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
	case touchpoint.ChannelApp:
		ctx["ip"] = c.ip
		ctx["app"] = map[string]any{"name": "Touch & Co.", "version": "5.12.0", "build": "5120"}
		if c.appOS == "ios" {
			ctx["library"] = map[string]any{"name": "analytics-ios", "version": "4.1.8"}
			ctx["device"] = map[string]any{"manufacturer": "Apple", "model": "iPhone15,2", "type": "ios"}
			ctx["os"] = map[string]any{"name": "iOS", "version": "18.1"}
		} else {
			ctx["library"] = map[string]any{"name": "analytics-android", "version": "4.11.3"}
			ctx["device"] = map[string]any{"manufacturer": "Samsung", "model": "SM-S918B", "type": "android"}
			ctx["os"] = map[string]any{"name": "Android", "version": "15"}
		}
	default:
		ctx["library"] = map[string]any{"name": "analytics-go", "version": "3.3.0"}
	}
	for k, v := range extra {
		ctx[k] = v
	}
	return ctx
}

func (c *customer) track(t time.Time, source, name string, props map[string]any) {
	channel := map[string]string{"server": touchpoint.ChannelServer, "email": touchpoint.ChannelEmail, "store": touchpoint.ChannelStore,
		"callcenter": touchpoint.ChannelCallCenter, "support": touchpoint.ChannelSupport, "survey": touchpoint.ChannelSurvey}[source]
	c.add(t, server(source, channel), touchpoint.Event{Type: touchpoint.TypeTrack, Event: name, Properties: raw(props)}, nil)
}

func externalIDs(kind, id string) map[string]any {
	return map[string]any{"externalIds": []map[string]any{{"id": id, "type": kind, "collection": "users", "encoding": "none"}}}
}

func (c *customer) traits() map[string]any {
	return map[string]any{
		"email": c.emailAddr, "phone": c.phone, "first_name": c.first, "last_name": c.last, "name": c.first + " " + c.last,
		"city": c.city, "country": c.country.code, "language": c.country.lang, "plan": c.plan,
		"created_at": c.signup.UTC().Format(time.RFC3339),
	}
}

func (c *customer) signUp(t time.Time) {
	o := c.web(false)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypePage, Name: "Sign Up", Properties: raw(map[string]any{"path": "/signup", "url": "https://shop.example.com/signup", "title": "Create your account"})}, page("/signup", "Create your account", ""))
	o.known = true
	t = t.Add(40 * time.Second)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Signed Up", Properties: raw(map[string]any{"method": pick(c.rng, []string{"email", "google", "apple"}), "plan": c.plan})}, nil)
	c.add(t.Add(time.Second), o, touchpoint.Event{Type: touchpoint.TypeIdentify, Traits: raw(c.traits())}, nil)
}

// installApp is the second device: anonymous at first, then the customer
// logs in and the app identifies them.
func (c *customer) installApp(t time.Time) {
	o := c.app(false)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Application Installed", Properties: raw(map[string]any{"version": "5.12.0", "build": "5120"})}, nil)
	c.add(t.Add(2*time.Second), o, touchpoint.Event{Type: touchpoint.TypeScreen, Name: "Home"}, nil)
	c.add(t.Add(30*time.Second), o, touchpoint.Event{Type: touchpoint.TypeScreen, Name: "Product", Properties: raw(map[string]any{"product_id": pick(c.rng, products).id})}, nil)
	t = t.Add(time.Duration(2+c.rng.IntN(60)) * time.Minute)
	o.known = true
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Signed In", Properties: raw(map[string]any{"method": "password"})}, nil)
	c.add(t.Add(time.Second), o, touchpoint.Event{Type: touchpoint.TypeIdentify, Traits: raw(map[string]any{"email": c.emailAddr, "name": c.first + " " + c.last})}, nil)
}

func (c *customer) group(t time.Time) {
	id := fmt.Sprintf("acct_%04d", c.account)
	r := c.g.rngFor(3, c.account)
	traits := map[string]any{"name": fmt.Sprintf("Company %04d", c.account), "industry": pick(r, industries), "employees": 10 + r.IntN(2000), "plan": pick(r, []string{"business", "enterprise"})}
	c.add(t, c.web(true), touchpoint.Event{Type: touchpoint.TypeGroup, GroupID: id, Traits: raw(traits)}, nil)
}

func (c *customer) alias(t time.Time) {
	c.add(t, server("server", touchpoint.ChannelServer), touchpoint.Event{Type: touchpoint.TypeAlias, PreviousID: "legacy_" + c.userID[2:]}, nil)
}

func page(path, title, referrer string) map[string]any {
	p := map[string]any{"path": path, "url": "https://shop.example.com" + path, "title": title}
	if referrer != "" {
		p["referrer"] = referrer
	}
	return map[string]any{"page": p}
}

// webSession is a visit to the website: landing, search, product views,
// maybe a cart and an order.
func (c *customer) webSession(t time.Time, known bool, cmp *campaign) {
	o := c.web(known)
	r := c.rng
	ctx := page("/", "Touch & Co.", pick(r, []string{"https://www.google.com/", "", "https://www.instagram.com/", ""}))
	if cmp != nil {
		ctx = page("/?utm_campaign="+cmp.name, "Touch & Co.", "")
		ctx["campaign"] = map[string]any{"name": cmp.name, "source": "newsletter", "medium": "email", "content": cmp.id}
	}
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypePage, Name: "Home", Properties: raw(map[string]any{"path": "/"})}, ctx)
	t = t.Add(time.Duration(5+r.IntN(40)) * time.Second)
	if r.Float64() < 0.4 {
		c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Products Searched", Properties: raw(map[string]any{"query": pick(r, searchTerms)})}, nil)
		t = t.Add(time.Duration(3+r.IntN(20)) * time.Second)
	}
	p := pick(r, products)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Product List Viewed", Properties: raw(map[string]any{"list_id": p.category, "category": p.category})}, page("/c/"+p.category, p.category, ""))
	c.shop(t, o, cmp, false)
}

func (c *customer) appSession(t time.Time) {
	o := c.app(true)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Application Opened", Properties: raw(map[string]any{"from_background": c.rng.Float64() < 0.6})}, nil)
	c.add(t.Add(2*time.Second), o, touchpoint.Event{Type: touchpoint.TypeScreen, Name: "Home"}, nil)
	c.shop(t.Add(10*time.Second), o, nil, true)
	if c.rng.Float64() < 0.02 {
		c.survey(t.Add(5*time.Minute), "nps", "app", false)
	}
}

// shop walks the e-commerce funnel; every step loses some customers.
func (c *customer) shop(t time.Time, o origin, cmp *campaign, app bool) {
	r := c.rng
	var viewed []product
	for i, n := 0, 1+r.IntN(4); i < n; i++ {
		t = t.Add(time.Duration(10+r.IntN(90)) * time.Second)
		p := pick(r, products)
		viewed = append(viewed, p)
		props := map[string]any{"product_id": p.id, "sku": p.sku, "name": p.name, "category": p.category, "price": p.price, "currency": "USD"}
		c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Product Viewed", Properties: raw(props)}, nil)
		if app {
			c.add(t, o, touchpoint.Event{Type: touchpoint.TypeScreen, Name: "Product", Properties: raw(map[string]any{"product_id": p.id})}, nil)
		}
	}
	addP := 0.3
	if cmp != nil {
		addP = 0.45
	}
	if !o.known || r.Float64() > addP {
		return
	}
	var cart []product
	for _, p := range viewed {
		if len(cart) == 0 || r.Float64() < 0.3 {
			cart = append(cart, p)
			t = t.Add(time.Duration(5+r.IntN(30)) * time.Second)
			c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Product Added", Properties: raw(map[string]any{"product_id": p.id, "sku": p.sku, "name": p.name, "price": p.price, "quantity": 1, "currency": "USD"})}, nil)
		}
	}
	t = t.Add(time.Duration(10+r.IntN(60)) * time.Second)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Cart Viewed", Properties: raw(map[string]any{"products": len(cart)})}, nil)
	if r.Float64() > 0.7 {
		return
	}
	t = t.Add(time.Duration(10+r.IntN(60)) * time.Second)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Checkout Started", Properties: raw(map[string]any{"value": basketValue(cart), "currency": "USD"})}, nil)
	if r.Float64() > 0.85 {
		return
	}
	t = t.Add(time.Duration(20+r.IntN(90)) * time.Second)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Payment Info Entered", Properties: raw(map[string]any{"payment_method": pick(r, []string{"card", "paypal", "apple_pay", "cod"})})}, nil)
	if r.Float64() > c.persona.buy+0.2 {
		return
	}
	c.order(t.Add(time.Duration(5+r.IntN(20))*time.Second), o, cart, cmp)
}

func basketValue(cart []product) float64 {
	v := 0.0
	for _, p := range cart {
		v += p.price
	}
	return v
}

// order completes a purchase, then ships and delivers it; some deliveries
// are late, some orders are refunded.
func (c *customer) order(t time.Time, o origin, cart []product, cmp *campaign) {
	r := c.rng
	c.orders++
	orderID := fmt.Sprintf("ord_%s_%d", c.key, c.orders)
	var items []map[string]any
	revenue := 0.0
	for _, p := range cart {
		qty := 1
		if r.Float64() < 0.15*c.persona.spend {
			qty = 2
		}
		price := p.price
		if c.persona.name == "bargain_hunter" || cmp != nil {
			price = math.Round(p.price*0.8*100) / 100
		}
		revenue += price * float64(qty)
		items = append(items, map[string]any{"product_id": p.id, "sku": p.sku, "name": p.name, "category": p.category, "price": price, "quantity": qty})
	}
	revenue = math.Round(revenue*100) / 100
	props := map[string]any{"order_id": orderID, "revenue": revenue, "total": revenue, "currency": "USD", "products": items}
	if cmp != nil {
		props["coupon"] = cmp.name
	}
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Order Completed", Properties: raw(props)}, nil)
	shipped := t.Add(time.Duration(6+r.IntN(30)) * time.Hour)
	c.track(shipped, "server", "Order Shipped", map[string]any{"order_id": orderID, "carrier": pick(r, []string{"DHL", "UPS", "GHN", "Kerry", "Post"})})
	late := r.Float64() < 0.09
	delivered := shipped.Add(time.Duration(24+r.IntN(72)) * time.Hour)
	if late {
		c.track(delivered, "server", "Delivery Delayed", map[string]any{"order_id": orderID, "reason": pick(r, []string{"weather", "capacity", "address_issue", "customs"})})
		delivered = delivered.Add(time.Duration(3+r.IntN(6)) * 24 * time.Hour)
		c.hadBad(delivered)
	}
	c.track(delivered, "server", "Order Delivered", map[string]any{"order_id": orderID, "on_time": !late})
	if r.Float64() < 0.3 {
		c.survey(delivered.Add(time.Duration(4+r.IntN(40))*time.Hour), "nps", "delivery", late)
	}
	if r.Float64() < 0.05 {
		refundAt := delivered.Add(time.Duration(2+r.IntN(10)) * 24 * time.Hour)
		c.track(refundAt, "server", "Order Refunded", map[string]any{"order_id": orderID, "revenue": revenue, "reason": pick(r, []string{"wrong_size", "damaged", "not_as_described", "changed_mind"})})
		if r.Float64() < 0.4 {
			c.hadBad(refundAt)
		}
	}
}

func (c *customer) email(t time.Time, cmp *campaign) {
	r := c.rng
	props := map[string]any{"campaign_id": cmp.id, "campaign_name": cmp.name, "email_subject": cmp.subject}
	ctx := map[string]any{"campaign": map[string]any{"name": cmp.name, "source": "newsletter", "medium": "email"}}
	o := server("email", touchpoint.ChannelEmail)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Email Delivered", Properties: raw(props)}, ctx)
	if r.Float64() > c.persona.emailOpn {
		return
	}
	t = t.Add(time.Duration(5+r.IntN(600)) * time.Minute)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Email Opened", Properties: raw(props)}, ctx)
	switch x := r.Float64(); {
	case x < 0.3:
		t = t.Add(time.Duration(10+r.IntN(120)) * time.Second)
		c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Email Link Clicked", Properties: raw(map[string]any{"campaign_id": cmp.id, "campaign_name": cmp.name, "link_url": "https://shop.example.com/?utm_campaign=" + cmp.name})}, ctx)
		c.webSession(t.Add(3*time.Second), true, cmp)
	case x < 0.33:
		c.subscribed = false
		c.add(t.Add(20*time.Second), o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Unsubscribed", Properties: raw(props)}, ctx)
	}
}

func (c *customer) storeVisit(t time.Time) {
	r := c.rng
	s := c.store
	ctx := externalIDs("loyalty_card_id", "lc_"+c.userID[2:])
	o := server("store", touchpoint.ChannelStore)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Store Visited", Properties: raw(map[string]any{"store_id": s.id, "store_name": s.name})}, ctx)
	if r.Float64() < 0.6 {
		p := pick(r, products)
		c.orders++
		revenue := p.price
		c.add(t.Add(time.Duration(10+r.IntN(30))*time.Minute), o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Order Completed", Properties: raw(map[string]any{
			"order_id": fmt.Sprintf("pos_%s_%d", c.key, c.orders), "revenue": revenue, "total": revenue, "currency": "USD",
			"store_id": s.id, "store_name": s.name, "payment_method": pick(r, []string{"card", "cash", "mobile"}),
			"products": []map[string]any{{"product_id": p.id, "sku": p.sku, "name": p.name, "category": p.category, "price": p.price, "quantity": 1}},
		})}, ctx)
	}
	if r.Float64() < 0.2 {
		c.survey(t.Add(2*time.Hour), "csat", "store_visit", false)
	}
}

func (c *customer) call(t time.Time) {
	r := c.rng
	callID := fmt.Sprintf("call_%s_%d", c.key, len(c.events))
	reason := pick(r, callReasons)
	wait := 20 + r.IntN(300)
	if r.Float64() < 0.25 {
		wait = 900 + r.IntN(2400)
	}
	resolved := r.Float64() < 0.75
	o := server("callcenter", touchpoint.ChannelCallCenter)
	ctx := map[string]any{"phone": c.phone}
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Call Started", Properties: raw(map[string]any{"call_id": callID, "reason": reason, "queue": reason})}, ctx)
	duration := 60 + r.IntN(900)
	end := t.Add(time.Duration(wait+duration) * time.Second)
	c.add(end, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Call Completed", Properties: raw(map[string]any{
		"call_id": callID, "reason": reason, "wait_seconds": wait, "duration_seconds": duration,
		"agent_id": fmt.Sprintf("agent_%02d", 1+r.IntN(40)), "resolved": resolved,
	})}, ctx)
	bad := wait > 900 || !resolved
	if bad {
		c.hadBad(end)
	}
	if r.Float64() < 0.4 {
		c.survey(end.Add(10*time.Minute), "csat", "call", bad)
	}
}

func (c *customer) ticket(t time.Time) {
	r := c.rng
	id := fmt.Sprintf("tkt_%s_%d", c.key, len(c.events))
	zendesk := fmt.Sprintf("%d", 400000+r.IntN(500000))
	category := pick(r, callReasons)
	subject := pick(r, ticketSubjects[category])
	ctx := externalIDs("zendesk_id", zendesk)
	o := server("support", touchpoint.ChannelSupport)
	base := map[string]any{"ticket_id": id, "zendesk_id": zendesk, "subject": subject, "category": category,
		"priority": pick(r, []string{"low", "normal", "normal", "high", "urgent"})}
	with := func(kv ...any) map[string]any {
		m := map[string]any{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	created := t
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Ticket Created", Properties: raw(with("status", "new"))}, ctx)
	t = t.Add(time.Duration(1+r.IntN(20)) * time.Hour)
	c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Ticket Updated", Properties: raw(with("status", "open"))}, ctx)
	if r.Float64() < 0.8 {
		t = t.Add(time.Duration(2+r.IntN(70)) * time.Hour)
		hours := int(t.Sub(created).Hours())
		c.add(t, o, touchpoint.Event{Type: touchpoint.TypeTrack, Event: "Ticket Resolved", Properties: raw(with("status", "solved", "reopened", false, "handle_hours", hours))}, ctx)
		if r.Float64() < 0.35 {
			c.survey(t.Add(time.Hour), "ces", "support_ticket", false)
		}
		return
	}
	c.hadBad(t)
	if r.Float64() < 0.35 {
		c.survey(t.Add(72*time.Hour), "ces", "support_ticket", true)
	}
}

// survey answers an NPS (0-10), CSAT (1-5) or CES (1-7, 7 = very easy)
// question about a touchpoint, often with a comment in the customer's
// language.
func (c *customer) survey(t time.Time, kind, touchpointName string, bad bool) {
	if !c.active(t) {
		return
	}
	r := c.rng
	v := c.latent(bad)
	var score, maxScore int
	switch kind {
	case "nps":
		score, maxScore = int(math.Round(v)), 10
	case "csat":
		score, maxScore = 1+int(math.Round(v*0.4)), 5
	case "ces":
		score, maxScore = 1+int(math.Round(v*0.6)), 7
	}
	lang := c.country.lang
	if lang != "en" && r.Float64() < 0.2 {
		lang = "en"
	}
	props := map[string]any{
		"survey_id": "srv_" + kind + "_" + touchpointName, "survey_type": kind, "score": score, "max_score": maxScore,
		"touchpoint": touchpointName, "language": lang, "locale": c.country.locale,
	}
	if r.Float64() < 0.65 {
		props["comment"] = pick(r, comments[lang][sentimentOf(v)])
	}
	c.track(t, "survey", "Survey Responded", props)
}
