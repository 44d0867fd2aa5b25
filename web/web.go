package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Config holds the services the dashboard reads and the clock it tells
// time by. Every service is required; Logger and Clock have defaults.
type Config struct {
	Logger     *slog.Logger
	Clock      touchpoint.Clock
	Workspaces touchpoint.WorkspaceService
	Sources    touchpoint.SourceService
	APIKeys    touchpoint.APIKeyService
	Users      touchpoint.UserService
	Sessions   touchpoint.SessionService
	Profiles   touchpoint.ProfileService
	Events     touchpoint.EventService
	Overview   touchpoint.OverviewService
	// Surveys, Feedback and Metrics serve the voice-of-the-customer pages
	// (surveys, results, the feedback inbox); TextGroups, if set, finds
	// the themes of survey comments.
	Surveys    touchpoint.SurveyService
	Feedback   touchpoint.FeedbackService
	Metrics    touchpoint.MetricService
	TextGroups touchpoint.TextGrouper
	// PublicURL, if set, is where customers and other systems reach the
	// server: survey widget snippets and webhook addresses start with it.
	PublicURL string
	// Analytics runs the analyses of the Analytics section, Activities
	// lists what its pickers offer, Scores sums up the stored scores.
	Analytics  touchpoint.AnalyticsService
	Activities touchpoint.ActivityService
	Scores     touchpoint.ScoreService
	// Segments, Destinations, Personas and SegmentHints serve the segment
	// and persona pages; without Segments those pages are not there.
	Segments     touchpoint.SegmentService
	Destinations touchpoint.DestinationService
	Personas     touchpoint.PersonaService
	SegmentHints touchpoint.SegmentHinter
	// Version is shown at the foot of the navigation.
	Version string
	// Journeys, Deliveries (the outbox), Messaging (the rules), Consent
	// and Orchestrator (message previews) serve the Journeys section;
	// Surveys lists what a survey step may send.
	Journeys     touchpoint.JourneyService
	Deliveries   touchpoint.DeliveryService
	Messaging    touchpoint.MessagingSettingsService
	Consent      touchpoint.ConsentService
	Orchestrator touchpoint.Orchestrator
}

// Dashboard is the web app: an http.Handler for every page, the sign-in
// pages, the static files and the web tracker. It also recognises signed-in
// users for the admin API (SessionActor).
type Dashboard struct {
	cfg      Config
	logger   *slog.Logger
	router   chi.Router
	pages    []*Page
	views    map[string]*template.Template
	throttle *throttle
	csrf     *http.CrossOriginProtection
}

// New builds the dashboard: parses every template and registers every page.
func New(cfg Config) (*Dashboard, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = touchpoint.SystemClock{}
	}
	d := &Dashboard{cfg: cfg, logger: cfg.Logger, views: map[string]*template.Template{},
		throttle: newThrottle(cfg.Clock), csrf: http.NewCrossOriginProtection()}
	d.pages = d.allPages()
	names := []string{"login.html", "invite.html", "error.html", "account.html"}
	for _, p := range d.pages {
		names = append(names, p.Template)
	}
	for _, name := range names {
		if _, ok := d.views[name]; ok {
			continue
		}
		t, err := template.New(name).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/components.html", "templates/"+name)
		if err != nil {
			return nil, fmt.Errorf("dashboard template %s: %w", name, err)
		}
		d.views[name] = t
	}
	d.router = d.routes()
	return d, nil
}

// allPages lists every page of the dashboard. A feature adds its pages by
// writing a method that returns them and naming it here.
func (d *Dashboard) allPages() []*Page {
	return slices.Concat(
		d.overviewPages(),
		d.surveyPages(),
		d.feedbackPages(),
		d.analyticsPages(),
		d.profilePages(),
		d.streamPages(),
		d.sourcePages(),
		d.feedbackSourcePages(),
		d.userPages(),
		d.settingsPages(),
		d.segmentPages(),
		d.journeyPages(),
	)
}

func (d *Dashboard) ServeHTTP(w http.ResponseWriter, r *http.Request) { d.router.ServeHTTP(w, r) }

func (d *Dashboard) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(securityHeaders)
	static, _ := fs.Sub(staticFS, "static")
	files := http.StripPrefix("/static/", http.FileServerFS(static))
	r.Get("/static/*", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		files.ServeHTTP(w, r)
	})
	r.Get("/tp.js", d.handleTracker)
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		d.renderError(w, r, touchpoint.Errorf(touchpoint.ENOTFOUND, "There is no page at %s.", r.URL.Path))
	})

	// Pages before sign-in. Cross-origin form posts are refused, so no other
	// site can sign a visitor in to an account of its choosing.
	r.Group(func(r chi.Router) {
		r.Use(d.csrf.Handler)
		r.Get("/login", d.handleLoginPage)
		r.Post("/login", d.handleLogin)
		r.Get("/invite/{token}", d.handleInvitePage)
		r.Post("/invite/{token}", d.handleAcceptInvite)
	})

	// Everything else needs a session.
	r.Group(func(r chi.Router) {
		r.Use(d.requireSession)
		r.Get("/", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, d.home(sessionFrom(r)), http.StatusSeeOther)
		})
		r.Post("/logout", d.handleLogout)
		r.Post("/workspace", d.handleSwitchWorkspace)
		r.Get("/account", d.page(&Page{Title: "Your account", Path: "/account", Template: "account.html", Load: d.loadAccount}))
		r.Post("/account/password", d.handleChangePassword)
		r.Post("/journeys/preview", d.handleMessagePreview)
		for _, p := range d.pages {
			r.Get(p.Path, d.page(p))
		}
		d.vocRoutes(r)
	})
	return r
}

// home is where a signed-in user lands: the first page their role may see.
func (d *Dashboard) home(s *session) string {
	for _, p := range d.pages {
		if p.Nav && s.actor.Can(p.Permission) {
			return p.Path
		}
	}
	return "/account"
}

// securityHeaders are sent with every dashboard answer. The content
// security policy allows scripts and styles from this server only: no
// inline script runs, so text that slips into a page cannot execute.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "+
			"connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		h.Set("X-Frame-Options", "DENY")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// handleTracker serves the web tracker that install snippets load. Other
// sites embed it, so it is the one file allowed across origins.
func (d *Dashboard) handleTracker(w http.ResponseWriter, r *http.Request) {
	b, err := staticFS.ReadFile("static/build/tp.js")
	if err != nil {
		d.renderError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/javascript; charset=utf-8")
	h.Set("Cache-Control", "public, max-age=3600")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
	h.Set("Access-Control-Allow-Origin", "*")
	w.Write(b)
}

// View is what every page template receives: who is looking, where, the
// navigation they may use, and the page's own Data.
type View struct {
	Page       *Page
	Title      string
	Actor      *touchpoint.Actor
	User       *touchpoint.User
	Workspace  *touchpoint.Workspace
	Workspaces []WorkspaceChoice
	Nav        []NavSection
	CSRF       string
	Path       string
	Query      url.Values
	Origin     string
	Version    string
	// Scripts lists extra script files of the page (under /static/).
	Scripts []string
	// Styles lists extra stylesheets of the page (under /static/).
	Styles []string
	Data   any
	// Status is the HTTP status of the answer (200 unless an error page).
	Status int
}

// WorkspaceChoice is one entry of the workspace switcher.
type WorkspaceChoice struct {
	ID, Name string
	Role     touchpoint.Role
	Current  bool
}

// Can reports whether the viewer's role grants a permission, for templates
// that show a control only to those who may use it. The server checks
// again when the control is used.
func (v *View) Can(p string) bool { return v.Actor.Can(touchpoint.Permission(p)) }

// page turns a registered page into a handler: it checks the permission,
// loads the page's data and renders it in the layout.
func (d *Dashboard) page(p *Page) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s := sessionFrom(r)
		if p.Permission != "" && !s.actor.Can(p.Permission) {
			d.renderError(w, r, touchpoint.Forbidden(s.actor, p.Permission))
			return
		}
		v, err := d.view(r, p)
		if err != nil {
			d.renderError(w, r, err)
			return
		}
		if p.Load != nil {
			if err := p.Load(r, v); err != nil {
				d.renderError(w, r, err)
				return
			}
		}
		d.render(w, r, p.Template, v)
	}
}

// view builds the parts of a View every signed-in page shares.
func (d *Dashboard) view(r *http.Request, p *Page) (*View, error) {
	s := sessionFrom(r)
	v := &View{Page: p, Title: p.Title, Actor: s.actor, User: s.user, CSRF: s.csrf, Path: r.URL.Path, Query: r.URL.Query(),
		Origin: origin(r), Version: d.cfg.Version, Scripts: p.Scripts, Styles: p.Styles, Status: http.StatusOK}
	ws, err := d.cfg.Workspaces.FindWorkspace(r.Context(), s.actor.Workspace)
	if err != nil {
		return nil, err
	}
	v.Workspace = ws
	ms, err := d.cfg.Users.Memberships(r.Context(), touchpoint.MembershipFilter{UserID: &s.user.ID})
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		name := m.Workspace
		if w, err := d.cfg.Workspaces.FindWorkspace(r.Context(), m.Workspace); err == nil {
			name = w.Name
		}
		v.Workspaces = append(v.Workspaces, WorkspaceChoice{ID: m.Workspace, Name: name, Role: m.Role, Current: m.Workspace == ws.ID})
	}
	v.Nav = d.nav(s.actor, r.URL.Path)
	return v, nil
}

// render executes a page template into a buffer first, so that a template
// error becomes an error page instead of half a page.
func (d *Dashboard) render(w http.ResponseWriter, r *http.Request, name string, v *View) {
	t, ok := d.views[name]
	if !ok {
		d.logger.Error("no dashboard template", "name", name)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, name, v); err != nil {
		d.logger.Error("render dashboard page", "template", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if v.Status != 0 {
		w.WriteHeader(v.Status)
	}
	w.Write(buf.Bytes())
}

// ErrorData is what the error page shows.
type ErrorData struct {
	Heading string
	Message string
	Code    string
}

// renderError shows an error in plain words with the status its code maps
// to. Internal errors are logged and shown without detail.
func (d *Dashboard) renderError(w http.ResponseWriter, r *http.Request, err error) {
	code := touchpoint.ErrorCode(err)
	if code == touchpoint.EINTERNAL {
		d.logger.Error("dashboard request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	e := ErrorData{Code: code, Message: touchpoint.ErrorMessage(err)}
	switch code {
	case touchpoint.ENOTFOUND:
		e.Heading = "Not found"
	case touchpoint.EFORBIDDEN:
		e.Heading = "You don't have access to this page"
	case touchpoint.EINVALID:
		e.Heading = "Something in the request is not right"
	case touchpoint.EUNAVAILABLE:
		e.Heading = "This is not available right now"
	default:
		e.Heading = "Something went wrong on our side"
		e.Message = "The error was logged. Try again in a moment; if it keeps happening, tell whoever runs this Touchpoint."
	}
	v := &View{Title: e.Heading, Data: e, Status: httpapi.ErrorStatus(code), Path: r.URL.Path}
	if s := sessionFrom(r); s != nil {
		if full, verr := d.view(r, &Page{Title: e.Heading}); verr == nil {
			full.Data, full.Status = e, v.Status
			v = full
		}
	}
	d.render(w, r, "error.html", v)
}

// origin is the scheme and host the browser reached this server at, for
// install snippets and links.
func origin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// safeNext returns a local path to go to after signing in, or "".
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") {
		return ""
	}
	u, err := url.Parse(next)
	if err != nil || u.Host != "" || u.Scheme != "" {
		return ""
	}
	return path.Clean(u.Path) + map[bool]string{true: "?" + u.RawQuery}[u.RawQuery != ""]
}
