package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/feedback"
)

// FeedbackResponse is the answer to GET /api/v1/feedback: the inbox.
type FeedbackResponse struct {
	Feedback []*touchpoint.Feedback `json:"feedback"`
	// Next is the cursor of the next page (before=…), empty at the end.
	Next string `json:"next,omitempty"`
}

// handleListFeedback serves the feedback inbox across sources, newest
// first, filtered by source, kind, channel, survey_id, sentiment,
// language, topic, customer (any identifier or profile id), flagged,
// has_text, min_score, max_score, q (text), since, until.
func (s *Server) handleListFeedback(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	f := touchpoint.FeedbackFilter{Workspace: workspaceOf(r), Q: v.Get("q"), Before: v.Get("before")}
	for name, dst := range map[string]**string{"source": &f.Source, "kind": &f.Kind, "channel": &f.Channel, "survey_id": &f.SurveyID,
		"sentiment": &f.Sentiment, "language": &f.Language, "topic": &f.Topic} {
		if x := v.Get(name); x != "" {
			*dst = &x
		}
	}
	for name, dst := range map[string]**bool{"flagged": &f.Flagged, "has_text": &f.HasText} {
		if x := v.Get(name); x != "" {
			b, err := strconv.ParseBool(x)
			if err != nil {
				return touchpoint.FieldError(name, "must be true or false")
			}
			*dst = &b
		}
	}
	for name, dst := range map[string]**float64{"min_score": &f.MinScore, "max_score": &f.MaxScore} {
		if x := v.Get(name); x != "" {
			n, err := strconv.ParseFloat(x, 64)
			if err != nil {
				return touchpoint.FieldError(name, "must be a number")
			}
			*dst = &n
		}
	}
	if x := v.Get("since"); x != "" {
		at, err := touchpoint.ParseTime("since", x)
		if err != nil {
			return err
		}
		f.Since = &at
	}
	if x := v.Get("until"); x != "" {
		at, err := touchpoint.ParseTime("until", x)
		if err != nil {
			return err
		}
		f.Until = &at
	}
	f.Limit = touchpoint.DefaultFeedbackLimit
	if x := v.Get("limit"); x != "" {
		n, err := strconv.Atoi(x)
		if err != nil {
			return touchpoint.FieldError("limit", "must be a whole number from 1 to %d", touchpoint.MaxFeedbackLimit)
		}
		f.Limit = n
	}
	if c := v.Get("customer"); c != "" {
		id, err := profileIdentifier(c)
		if err != nil {
			return err
		}
		p, err := s.cfg.Profiles.FindProfile(r.Context(), f.Workspace, id)
		if err != nil {
			return err
		}
		f.UserIDs, f.AnonymousIDs, f.Emails = []string{}, []string{}, []string{}
		for _, pi := range p.Identifiers {
			switch pi.Kind {
			case touchpoint.KindUserID:
				f.UserIDs = append(f.UserIDs, pi.Value)
			case touchpoint.KindAnonymousID:
				f.AnonymousIDs = append(f.AnonymousIDs, pi.Value)
			case touchpoint.KindEmail:
				f.Emails = append(f.Emails, pi.Value)
			}
		}
	}
	items, err := s.cfg.Feedback.FindFeedback(r.Context(), f)
	if err != nil {
		return err
	}
	s.attachProfiles(r, items)
	out := FeedbackResponse{Feedback: items}
	if len(items) == f.Limit {
		out.Next = items[len(items)-1].ID
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// attachProfiles fills each item's profile from its identifiers now, so a
// merge shows at once. Items whose customer is not resolved yet keep none.
func (s *Server) attachProfiles(r *http.Request, items []*touchpoint.Feedback) {
	if s.cfg.Profiles == nil {
		return
	}
	cache := map[string]string{}
	for _, it := range items {
		for _, id := range []touchpoint.Identifier{{Kind: touchpoint.KindUserID, Value: it.UserID}, {Kind: touchpoint.KindEmail, Value: it.Email},
			{Kind: touchpoint.KindAnonymousID, Value: it.AnonymousID}} {
			if id.Value == "" {
				continue
			}
			key := id.String()
			pid, ok := cache[key]
			if !ok {
				if p, err := s.cfg.Profiles.FindProfile(r.Context(), it.Workspace, id); err == nil {
					pid = p.ID
				}
				cache[key] = pid
			}
			if pid != "" {
				it.ProfileID = pid
				break
			}
		}
	}
}

// TopicsResponse is the answer to GET /api/v1/feedback/topics.
type TopicsResponse struct {
	Topics []touchpoint.TopicCount `json:"topics"`
}

// handleFeedbackTopics serves the themes of feedback with their counts by
// sentiment and example comments, filtered like the inbox (source, kind,
// channel, survey_id, language, flagged, since, until).
func (s *Server) handleFeedbackTopics(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	f := touchpoint.FeedbackFilter{Workspace: workspaceOf(r)}
	for name, dst := range map[string]**string{"source": &f.Source, "kind": &f.Kind, "channel": &f.Channel, "survey_id": &f.SurveyID, "language": &f.Language} {
		if x := v.Get(name); x != "" {
			*dst = &x
		}
	}
	if x := v.Get("flagged"); x != "" {
		b, err := strconv.ParseBool(x)
		if err != nil {
			return touchpoint.FieldError("flagged", "must be true or false")
		}
		f.Flagged = &b
	}
	for name, dst := range map[string]**time.Time{"since": &f.Since, "until": &f.Until} {
		if x := v.Get(name); x != "" {
			at, err := touchpoint.ParseTime(name, x)
			if err != nil {
				return err
			}
			*dst = &at
		}
	}
	if x := v.Get("limit"); x != "" {
		n, err := strconv.Atoi(x)
		if err != nil {
			return touchpoint.FieldError("limit", "must be a whole number from 1 to 200")
		}
		f.Limit = n
	}
	topics, err := s.cfg.Feedback.FeedbackTopics(r.Context(), f)
	if err != nil {
		return err
	}
	for _, tc := range topics {
		s.attachProfiles(r, tc.Examples)
	}
	writeJSON(w, http.StatusOK, TopicsResponse{Topics: topics})
	return nil
}

func (s *Server) handleGetFeedback(w http.ResponseWriter, r *http.Request) error {
	it, err := s.cfg.Feedback.FindFeedbackItem(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	s.attachProfiles(r, []*touchpoint.Feedback{it})
	writeJSON(w, http.StatusOK, it)
	return nil
}

// HookView is a hook with the URL its sender calls.
type HookView struct {
	*touchpoint.FeedbackHook
	URL string `json:"url"`
}

// HooksResponse is the answer to GET /api/v1/feedback-hooks.
type HooksResponse struct {
	Hooks []HookView `json:"hooks"`
}

func (s *Server) hookView(r *http.Request, h *touchpoint.FeedbackHook) HookView {
	return HookView{FeedbackHook: h, URL: s.publicBase(r) + "/hooks/" + h.ID}
}

func (s *Server) handleListHooks(w http.ResponseWriter, r *http.Request) error {
	hooks, err := s.cfg.Feedback.FindFeedbackHooks(r.Context(), workspaceOf(r))
	if err != nil {
		return err
	}
	out := HooksResponse{Hooks: []HookView{}}
	for _, h := range hooks {
		out.Hooks = append(out.Hooks, s.hookView(r, h))
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) findHook(r *http.Request) (*touchpoint.FeedbackHook, error) {
	h, err := s.cfg.Feedback.FindFeedbackHook(r.Context(), chi.URLParam(r, "id"))
	if err != nil {
		return nil, err
	}
	if h.Workspace != workspaceOf(r) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "hook %q not found", chi.URLParam(r, "id"))
	}
	return h, nil
}

func (s *Server) handleGetHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.findHook(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.hookView(r, h))
	return nil
}

// HookRequest is the body of POST and PUT /api/v1/feedback-hooks.
type HookRequest struct {
	Name    string                     `json:"name"`
	Kind    string                     `json:"kind"`
	Channel string                     `json:"channel"`
	Auth    touchpoint.HookAuth        `json:"auth"`
	Mapping touchpoint.FeedbackMapping `json:"mapping"`
}

func (req HookRequest) hook(ws string) *touchpoint.FeedbackHook {
	return &touchpoint.FeedbackHook{Workspace: ws, Name: req.Name, Kind: req.Kind, Channel: req.Channel, Auth: req.Auth, Mapping: req.Mapping}
}

func (s *Server) handleCreateHook(w http.ResponseWriter, r *http.Request) error {
	var req HookRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	h := req.hook(workspaceOf(r))
	if err := s.cfg.Feedback.CreateFeedbackHook(r.Context(), h); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, s.hookView(r, h))
	return nil
}

func (s *Server) handleUpdateHook(w http.ResponseWriter, r *http.Request) error {
	var req HookRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	old, err := s.findHook(r)
	if err != nil {
		return err
	}
	h := req.hook(old.Workspace)
	h.ID = old.ID
	if err := s.cfg.Feedback.UpdateFeedbackHook(r.Context(), h); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.hookView(r, h))
	return nil
}

func (s *Server) handleRevokeHook(w http.ResponseWriter, r *http.Request) error {
	h, err := s.cfg.Feedback.RevokeFeedbackHook(r.Context(), workspaceOf(r), chi.URLParam(r, "id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, s.hookView(r, h))
	return nil
}

// FeedbackAccepted is the answer to a hook call or a feedback import.
type FeedbackAccepted struct {
	Success  bool                   `json:"success"`
	Accepted int                    `json:"accepted"`
	Rejected []touchpoint.ItemError `json:"rejected,omitempty"`
}

// handleHook serves POST /hooks/{id}: another system's call, authenticated
// by the hook's secret or signature, mapped to Feedback Received events
// and appended to the log. Rate-limited per hook.
func (s *Server) handleHook(w http.ResponseWriter, r *http.Request) error {
	id := chi.URLParam(r, "id")
	if err := s.limits.allow(s.limits.hooks, "hook:"+id, w, s.cfg.Clock.Now()); err != nil {
		return err
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, feedback.MaxHookBody+1))
	if err != nil {
		return touchpoint.Errorf(touchpoint.EINVALID, "read body: %s", err.Error())
	}
	if len(body) > feedback.MaxHookBody {
		return touchpoint.Errorf(touchpoint.ETOOLARGE, "body is larger than %d bytes", feedback.MaxHookBody)
	}
	h, err := s.cfg.Feedback.FindFeedbackHook(r.Context(), id)
	if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "no hook %q", id)
	} else if err != nil {
		return err
	}
	now := s.cfg.Clock.Now()
	if err := feedback.Authenticate(h, r.Header, body, now); err != nil {
		return err
	}
	events, rejected, err := feedback.HookEvents(h, body, now)
	if err != nil {
		return err
	}
	return s.appendFeedback(r.Context(), w, events, rejected)
}

func (s *Server) appendFeedback(ctx context.Context, w http.ResponseWriter, events []touchpoint.Event, rejected []touchpoint.ItemError) error {
	if len(events) == 0 && len(rejected) > 0 {
		writeJSON(w, http.StatusBadRequest, struct {
			Error    *touchpoint.Error      `json:"error"`
			Rejected []touchpoint.ItemError `json:"rejected"`
		}{&touchpoint.Error{Code: touchpoint.EINVALID, Message: "every item was rejected; first: " + rejected[0].Error.Message, Field: rejected[0].Error.Field}, rejected})
		return nil
	}
	for i := 0; i < len(events); i += 500 {
		if err := s.cfg.Appender.Append(ctx, events[i:min(i+500, len(events))]); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, FeedbackAccepted{Success: true, Accepted: len(events), Rejected: rejected})
	return nil
}

// handleImportFeedback serves POST /api/v1/feedback/import: a CSV file of
// tickets or reviews, with ?map=text=Review,email=Email,… and kind,
// channel, max_score and survey_type.
func (s *Server) handleImportFeedback(w http.ResponseWriter, r *http.Request) error {
	v := r.URL.Query()
	if strings.TrimSpace(v.Get("map")) == "" {
		return touchpoint.FieldError("map", "required, e.g. text=Review,score=Rating,email=Email")
	}
	m, err := feedback.ParseMap(v.Get("map"))
	if err != nil {
		return err
	}
	if x := v.Get("max_score"); x != "" {
		if m.MaxScore, err = strconv.ParseFloat(x, 64); err != nil {
			return touchpoint.FieldError("max_score", "must be a number")
		}
	}
	m.SurveyType = v.Get("survey_type")
	h := &touchpoint.FeedbackHook{ID: feedback.ImportSource, Workspace: workspaceOf(r), Name: feedback.ImportSource,
		Kind: v.Get("kind"), Channel: v.Get("channel"), Mapping: m}
	if h.Kind == "" {
		h.Kind = touchpoint.KindReview
	}
	h.Normalize()
	if err := h.Validate(); err != nil {
		return err
	}
	events, rejected, err := feedback.CSVEvents(h, io.LimitReader(r.Body, 256<<20), s.cfg.Clock.Now())
	if err != nil {
		return err
	}
	return s.appendFeedback(r.Context(), w, events, rejected)
}

// HookTestRequest is the body of POST /api/v1/feedback-hooks/test: a hook
// as it would be created or changed, and a body its sender might post.
type HookTestRequest struct {
	HookRequest
	Payload json.RawMessage `json:"payload"`
}

// HookTestResponse is what a hook would make of a payload: the feedback
// items, read by the workspace's text models, and the items it would
// reject with the reason.
type HookTestResponse struct {
	Items    []*touchpoint.Feedback `json:"items"`
	Rejected []touchpoint.ItemError `json:"rejected"`
}

// handleTestHook runs a mapping over a sample payload and stores nothing,
// so whoever sets up a webhook sees what each field lands as before the
// sender calls it.
func (s *Server) handleTestHook(w http.ResponseWriter, r *http.Request) error {
	var req HookTestRequest
	if err := decodeBody(r, &req); err != nil {
		return err
	}
	h := req.hook(workspaceOf(r))
	h.ID = "test"
	h.Normalize()
	if err := h.Validate(); err != nil {
		return err
	}
	if len(bytes.TrimSpace(req.Payload)) == 0 {
		return touchpoint.FieldError("payload", "required: a JSON body the sender would post")
	}
	events, rejected, err := feedback.HookEvents(h, req.Payload, s.cfg.Clock.Now())
	if err != nil {
		return err
	}
	out := HookTestResponse{Items: feedback.Extract(events), Rejected: rejected}
	if out.Items == nil {
		out.Items = []*touchpoint.Feedback{}
	}
	if out.Rejected == nil {
		out.Rejected = []touchpoint.ItemError{}
	}
	var texts []string
	var read []*touchpoint.Feedback
	for _, it := range out.Items {
		if it.Text != "" {
			texts = append(texts, strings.TrimSpace(it.Title+"\n"+it.Text))
			read = append(read, it)
		}
	}
	if s.cfg.Text != nil && len(texts) > 0 {
		// The same reading the feedback engine gives a delivered call.
		res, err := s.cfg.Text.Analyze(r.Context(), h.Workspace, texts, "")
		if err != nil {
			return err
		}
		for i, it := range read {
			if l := res[i].Language; l != "" && l != touchpoint.LangUndetermined {
				it.Language = l
			}
			score := res[i].Score
			it.Sentiment, it.SentimentScore, it.Topics = res[i].Sentiment, &score, append([]string{}, res[i].Topics...)
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}
