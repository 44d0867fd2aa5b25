package httpapi

import (
	"context"
	"crypto/subtle"
	_ "embed"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/survey"
)

// LogInfo tells how far the log has been written.
type LogInfo interface {
	LastSequence(ctx context.Context) (uint64, error)
}

// Config holds what the server needs. Every field but Logger and Clock is required.
type Config struct {
	Logger     *slog.Logger
	Clock      touchpoint.Clock
	Appender   touchpoint.EventAppender
	Events     touchpoint.EventService
	Workspaces touchpoint.WorkspaceService
	Sources    touchpoint.SourceService
	APIKeys    touchpoint.APIKeyService
	Profiles   touchpoint.ProfileService
	Analytics  touchpoint.AnalyticsService
	// Activities lists activities and their properties, Scores sums up
	// the stored scores; their routes answer "unavailable" when nil.
	Activities touchpoint.ActivityService
	Scores     touchpoint.ScoreService
	Log        LogInfo
	// Ready returns nil when every store is open and every consumer runs.
	Ready func(ctx context.Context) error
	// Registry is where the server registers its metrics and what /metrics serves.
	Registry *prometheus.Registry
	// LocalKey, if set, is an admin key for the default workspace that lives
	// only as long as the process. The server writes it to a file in the
	// data directory that only its owner can read, so CLI commands run by
	// the same user can talk to the running server.
	LocalKey string
	// RulesChanged, if set, is told when a workspace's identity rules change.
	RulesChanged func(workspace string)
	// Surveys, Feedback and Metrics serve voice-of-the-customer routes;
	// Delivery takes answers and makes invitations. Segments, if set,
	// resolves segment_id in metric queries.
	Surveys  touchpoint.SurveyService
	Feedback touchpoint.FeedbackService
	Metrics  touchpoint.MetricService
	Delivery *survey.Service
	Segments touchpoint.SegmentMembers
	// SegmentAdmin, Destinations and Personas serve the segment routes;
	// routes that need them answer "unavailable" when they are nil.
	SegmentAdmin touchpoint.SegmentService
	Destinations touchpoint.DestinationService
	Personas     touchpoint.PersonaService
	// SegmentsSeq, if set, tells how far segment membership has followed
	// the log, for /api/v1/stats.
	SegmentsSeq func(ctx context.Context) (uint64, error)
	// FeedbackSeq, if set, tells how far the feedback engine has read the
	// log, for /api/v1/stats.
	FeedbackSeq func(ctx context.Context) (uint64, error)
	// IdentityMapSynced, if set, waits until analytics attributes events
	// as identity resolution does now (after an unmerge, say).
	IdentityMapSynced func(ctx context.Context) error

	// Users and Overview serve people, workspaces and the overview's
	// figures; routes that need them answer "unavailable" when they are nil.
	Users    touchpoint.UserService
	Overview touchpoint.OverviewService
	// Debug keeps recent collection calls for the event debugger; the
	// server makes one when it is nil.
	Debug *touchpoint.DebugRing
	// Sessions, if set, lets a signed-in dashboard user call the admin API
	// with their session cookie instead of an admin key.
	Sessions SessionAuthenticator
	// Dashboard, if set, serves every path that is not an API route: the
	// web app, its sign-in pages and static files.
	Dashboard http.Handler
	// Text reads sentiment and topics, TextGroups groups texts into
	// themes, TextModels manages the workspace's sentiment models.
	Text       touchpoint.TextAnalyzer
	TextGroups touchpoint.TextGrouper
	TextModels touchpoint.TextModelManager

	// Journeys, messaging and consent.
	Journeys     touchpoint.JourneyService
	Orchestrator touchpoint.Orchestrator
	Deliveries   touchpoint.DeliveryService
	Consent      touchpoint.ConsentService
	Messaging    touchpoint.MessagingSettingsService
	// JourneysChanged, if set, is told when a journey is published or stopped.
	JourneysChanged func()
	// MessagesQueued, if set, is told when a message is put back in line.
	MessagesQueued func()
}

// SessionAuthenticator recognises a person signed in to the dashboard.
type SessionAuthenticator interface {
	// SessionActor returns who the request's session cookie belongs to.
	// ok is false when the request carries no session at all. Returns
	// EUNAUTHORIZED for a session that has ended, EFORBIDDEN for a request
	// that changes something without the session's CSRF token.
	SessionActor(r *http.Request) (a *touchpoint.Actor, ok bool, err error)
}

// Server is Touchpoint's HTTP server.
type Server struct {
	cfg     Config
	logger  *slog.Logger
	router  chi.Router
	keys    *writeKeyCache
	metrics *serverMetrics
	limits  *publicLimits

	mu  sync.Mutex
	srv *http.Server
}

// NewServer builds the route table.
func NewServer(cfg Config) *Server {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Clock == nil {
		cfg.Clock = touchpoint.SystemClock{}
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Debug == nil {
		cfg.Debug = touchpoint.NewDebugRing(0)
	}
	s := &Server{cfg: cfg, logger: cfg.Logger, keys: newWriteKeyCache(cfg.Sources, 30*time.Second), metrics: newServerMetrics(), limits: newPublicLimits()}
	for _, c := range s.metrics.collectors() {
		cfg.Registry.MustRegister(c)
	}
	s.router = s.routes()
	return s
}

// handlerFunc is a handler that returns its error for one adapter to render.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, r, s.logger, err)
		}
	}
}

// routes is the one route table of the server.
func (s *Server) routes() chi.Router {
	r := chi.NewRouter()
	r.Use(middleware.Recoverer, s.instrument, cors, noSniff)
	notFound := s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "no route %s %s", r.Method, r.URL.Path)
	})
	r.NotFound(func(w http.ResponseWriter, r *http.Request) {
		// The dashboard has its own routes; the API's stay JSON.
		if s.cfg.Dashboard != nil && !isAPIPath(r.URL.Path) {
			s.cfg.Dashboard.ServeHTTP(w, r)
			return
		}
		notFound(w, r)
	})
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error {
		return touchpoint.Errorf(touchpoint.EINVALID, "method %s is not allowed on %s", r.Method, r.URL.Path)
	}))

	r.Get("/", s.handleIndex)
	r.Get("/healthz", s.handleHealth)
	r.Get("/readyz", s.handle(s.handleReady))
	r.Method(http.MethodGet, "/metrics", promhttp.HandlerFor(s.cfg.Registry, promhttp.HandlerOpts{Registry: s.cfg.Registry}))

	// The Segment tracking API, plus the short paths analytics.js uses and
	// the paths RudderStack SDKs use where they differ.
	r.Group(func(r chi.Router) {
		for _, typ := range []touchpoint.EventType{touchpoint.TypeTrack, touchpoint.TypeIdentify, touchpoint.TypePage, touchpoint.TypeScreen, touchpoint.TypeGroup, touchpoint.TypeAlias} {
			h := s.handle(s.handleCall(typ))
			r.Post("/v1/"+string(typ), h)
			r.Post("/v1/"+string(typ)[:1], h)
		}
		batch := s.handle(s.handleBatch)
		r.Post("/v1/batch", batch)
		r.Post("/v1/b", batch)
		r.Post("/v1/import", batch)
		r.Post("/beacon/v1/batch", batch)
		// The web widget fetches a customer's in-app messages with the
		// site's write key.
		r.Get("/v1/inapp", s.handle(s.handleInApp))
		r.Post("/v1/inapp/{id}/seen", s.handle(s.handleInAppSeen))
		r.Post("/v1/{call}", s.handle(func(w http.ResponseWriter, r *http.Request) error {
			return touchpoint.FieldError("type", "unknown call type %q (want track, identify, page, screen, group, alias or batch)", chi.URLParam(r, "call"))
		}))
	})
	s.publicSurveyRoutes(r)

	// Unsubscribe links in emails work without signing in: the token is signed.
	r.Get("/u/{token}", s.handle(s.handleUnsubscribePage))
	r.Post("/u/{token}", s.handle(s.handleUnsubscribe))

	r.Route("/api/v1", func(r chi.Router) {
		r.Get("/openapi.json", s.handleOpenAPI)
		r.Group(func(r chi.Router) {
			r.Use(s.authenticate)
			r.With(s.require(touchpoint.PermOverviewRead)).Get("/stats", s.handle(s.handleStats))
			r.With(s.require(touchpoint.PermOverviewRead)).Get("/overview", s.handle(s.handleOverview))
			r.With(s.require(touchpoint.PermEventsRead)).Get("/debugger", s.handle(s.handleDebugger))
			r.Group(func(r chi.Router) {
				r.Use(s.require(touchpoint.PermUsersManage))
				r.Get("/users", s.handle(s.handleListUsers))
				r.Put("/users/{id}", s.handle(s.handleSetUserRole))
				r.Delete("/users/{id}", s.handle(s.handleRemoveUser))
				r.Get("/invitations", s.handle(s.handleListInvitations))
				r.Post("/invitations", s.handle(s.handleCreateInvitation))
				r.Post("/invitations/{id}/revoke", s.handle(s.handleRevokeInvitation))
			})
			r.With(s.require(touchpoint.PermOverviewRead)).Get("/workspaces", s.handle(s.handleListWorkspaces))
			r.With(s.require(touchpoint.PermOverviewRead)).Get("/workspace", s.handle(s.handleGetWorkspace))
			r.Group(func(r chi.Router) {
				r.Use(s.require(touchpoint.PermWorkspaceAdmin))
				r.Post("/workspaces", s.handle(s.handleCreateWorkspace))
				r.Put("/workspace", s.handle(s.handleRenameWorkspace))
				r.Get("/keys", s.handle(s.handleListKeys))
				r.Post("/keys", s.handle(s.handleCreateKey))
				r.Post("/keys/{id}/revoke", s.handle(s.handleRevokeKey))
			})
			r.With(s.require(touchpoint.PermEventsRead)).Get("/events", s.handle(s.handleEvents))
			r.Group(func(r chi.Router) {
				r.Use(s.require(touchpoint.PermSourcesManage))
				r.Get("/sources", s.handle(s.handleListSources))
				r.Post("/sources", s.handle(s.handleCreateSource))
				r.Get("/sources/{id}", s.handle(s.handleGetSource))
				r.Post("/sources/{id}/revoke", s.handle(s.handleRevokeSource))
				r.Post("/import", s.handle(s.handleImport))
			})
			r.Group(func(r chi.Router) {
				r.Use(s.require(touchpoint.PermProfilesRead))
				r.Get("/identity/rules", s.handle(s.handleGetIdentityRules))
				r.Get("/profiles", s.handle(s.handleSearchProfiles))
				r.Get("/profiles/{identifier}", s.handle(s.handleGetProfile))
				r.Get("/profiles/{id}/timeline", s.handle(s.handleTimeline))
				r.Get("/profiles/{id}/merges", s.handle(s.handleProfileMerges))
				r.Get("/profiles/{id}/trait-history", s.handle(s.handleTraitHistory))
				r.Get("/accounts/{id}", s.handle(s.handleGetAccount))
			})
			r.Group(func(r chi.Router) {
				r.Use(s.require(touchpoint.PermAnalyticsRead))
				r.Post("/analytics/funnel", s.handle(s.handleFunnel))
				r.Post("/analytics/paths", s.handle(s.handlePaths))
				r.Post("/analytics/retention", s.handle(s.handleRetention))
				r.Post("/analytics/journey-map", s.handle(s.handleJourneyMap))
				r.Post("/analytics/drivers", s.handle(s.handleDrivers))
				r.Post("/analytics/churn", s.handle(s.handleChurn))
				r.Post("/analytics/clv", s.handle(s.handleCLV))
				r.Get("/analytics/scores/{profile_id}", s.handle(s.handleProfileScores))
				r.Get("/analytics/activities", s.handle(s.handleActivities))
				r.Get("/analytics/properties", s.handle(s.handleActivityProperties))
				r.Get("/analytics/scores", s.handle(s.handleScoreDistribution))
			})
			// Refreshing retrains the models and rewrites every profile's
			// scores, which segments and journeys read as traits: it is for
			// those who build segments, not for everyone who reads analytics.
			r.With(s.require(touchpoint.PermSegmentsWrite)).Post("/analytics/scores/refresh", s.handle(s.handleRefreshScores))
			r.Group(func(r chi.Router) {
				r.Use(s.require(touchpoint.PermProfilesWrite))
				r.Put("/identity/rules", s.handle(s.handlePutIdentityRules))
				r.Post("/profiles/{id}/unmerge", s.handle(s.handleUnmerge))
			})
			s.surveyRoutes(r)
			s.textRoutes(r)
			s.journeyRoutes(r)
			s.segmentRoutes(r)
		})
	})
	return r
}

// Handler returns the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.router }

// Routes lets tests walk the route table.
func (s *Server) Routes() chi.Routes { return s.router }

// Serve serves on ln until Shutdown.
func (s *Server) Serve(ln net.Listener) error {
	s.mu.Lock()
	s.srv = &http.Server{
		Handler: s.router,
		// Bodies have their own deadlines (collection) or are long uploads
		// (import), so only headers are timed here.
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.logger.Handler(), slog.LevelWarn),
	}
	srv := s.srv
	s.mu.Unlock()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Shutdown stops accepting connections and waits for requests in flight.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	srv := s.srv
	s.mu.Unlock()
	if srv == nil {
		return nil
	}
	return srv.Shutdown(ctx)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

func (s *Server) handleReady(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.Ready != nil {
		if err := s.cfg.Ready(r.Context()); err != nil {
			return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "not ready: %s", touchpoint.ErrorMessage(err))
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

// cors lets browser SDKs on any site send events, answering their
// preflight requests before routing.
func cors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/v1/") && !strings.HasPrefix(r.URL.Path, "/beacon/") && !strings.HasPrefix(r.URL.Path, "/survey/v1/") {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
		h.Set("Access-Control-Allow-Headers", "Content-Type, Content-Encoding, Authorization, AnonymousId")
		h.Set("Access-Control-Max-Age", "86400")
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		next.ServeHTTP(w, r)
	})
}

type ctxKey int

const actorCtx ctxKey = iota

// isAPIPath reports whether a path belongs to the APIs rather than the
// dashboard, so that an unknown API route still answers in JSON.
func isAPIPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || strings.HasPrefix(p, "/v1/") || strings.HasPrefix(p, "/beacon/")
}

// noSniff stops browsers from reading an answer as another type than it
// says, on every route.
func noSniff(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Content-Type-Options", "nosniff")
		next.ServeHTTP(w, r)
	})
}

// authenticate recognises the caller: an admin key as
// `Authorization: Bearer <admin key>`, which acts with the owner role in its
// workspace, or else a dashboard session cookie, which acts as the signed-in
// user with their role in the session's workspace.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Get("Authorization")
		secret, ok := strings.CutPrefix(auth, "Bearer ")
		if !ok && auth == "" && s.cfg.Sessions != nil {
			actor, found, err := s.cfg.Sessions.SessionActor(r)
			if err != nil {
				writeError(w, r, s.logger, err)
				return
			}
			if found {
				next.ServeHTTP(w, r.WithContext(withActor(r.Context(), actor)))
				return
			}
		}
		if !ok || strings.TrimSpace(secret) == "" {
			writeError(w, r, s.logger, touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "admin key required: send Authorization: Bearer <admin_key>, or sign in to the dashboard"))
			return
		}
		secret = strings.TrimSpace(secret)
		var key *touchpoint.APIKey
		var err error
		if s.cfg.LocalKey != "" && subtle.ConstantTimeCompare([]byte(secret), []byte(s.cfg.LocalKey)) == 1 {
			key = &touchpoint.APIKey{ID: "local", Workspace: touchpoint.DefaultWorkspace, Name: "local CLI"}
		} else {
			key, err = s.cfg.APIKeys.AuthenticateAPIKey(r.Context(), secret)
		}
		if err != nil {
			writeError(w, r, s.logger, err)
			return
		}
		actor := &touchpoint.Actor{Kind: "api_key", ID: key.ID, Name: key.Name, Workspace: key.Workspace, Role: touchpoint.RoleOwner}
		next.ServeHTTP(w, r.WithContext(withActor(r.Context(), actor)))
	})
}

// require lets a request through only if its actor's role grants p.
func (s *Server) require(p touchpoint.Permission) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if a := actorFrom(r); !a.Can(p) {
				writeError(w, r, s.logger, touchpoint.Forbidden(a, p))
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func withActor(ctx context.Context, a *touchpoint.Actor) context.Context {
	return context.WithValue(ctx, actorCtx, a)
}

// actorFrom returns who is making the request; nil before authentication.
func actorFrom(r *http.Request) *touchpoint.Actor {
	a, _ := r.Context().Value(actorCtx).(*touchpoint.Actor)
	return a
}

// workspaceOf is the workspace a request acts in.
func workspaceOf(r *http.Request) string { return actorFrom(r).Workspace }

// instrument counts requests by route pattern and status.
func (s *Server) instrument(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		route := chi.RouteContext(r.Context()).RoutePattern()
		if route == "" {
			route = "unmatched"
		}
		status := ww.Status()
		if status == 0 {
			status = http.StatusOK
		}
		s.metrics.requests.WithLabelValues(r.Method, route, strconv.Itoa(status)).Inc()
		s.metrics.duration.WithLabelValues(r.Method, route).Observe(time.Since(start).Seconds())
	})
}

type serverMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	accepted *prometheus.CounterVec
	rejected *prometheus.CounterVec
}

func newServerMetrics() *serverMetrics {
	return &serverMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "touchpoint_http_requests_total", Help: "HTTP requests by route and status."}, []string{"method", "route", "status"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "touchpoint_http_request_seconds", Help: "HTTP request latency by route.", Buckets: prometheus.ExponentialBuckets(0.0005, 2, 16)}, []string{"method", "route"}),
		accepted: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "touchpoint_events_accepted_total", Help: "Events accepted by the collection API and import."}, []string{"type"}),
		rejected: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "touchpoint_events_rejected_total", Help: "Events rejected, by error code."}, []string{"code"}),
	}
}

func (m *serverMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{m.requests, m.duration, m.accepted, m.rejected}
}

//go:embed index.html
var indexHTML []byte

func (s *Server) handleOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openAPIDoc)
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	if s.cfg.Dashboard != nil {
		s.cfg.Dashboard.ServeHTTP(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Write(indexHTML)
}
