package survey

import (
	"context"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Errors a respondent can meet. They are *touchpoint.Error values, so the
// HTTP layer maps them like any other, and the survey page tells them apart
// with errors.Is to say the right thing in the respondent's language.
var (
	ErrInvalidLink = &touchpoint.Error{Code: touchpoint.ENOTFOUND, Message: "this survey link is not valid"}
	ErrExpired     = &touchpoint.Error{Code: touchpoint.EFORBIDDEN, Message: "this survey link has expired"}
	ErrAnswered    = &touchpoint.Error{Code: touchpoint.ECONFLICT, Message: "this survey was already answered"}
	ErrClosed      = &touchpoint.Error{Code: touchpoint.EFORBIDDEN, Message: "this survey is no longer open"}
)

// Service delivers surveys and records answers: it decides who may be
// asked (targeting and fatigue), makes invitations and their tokens, takes
// answers from every delivery, judges their quality and records each as a
// Survey Responded event in the log.
type Service struct {
	Surveys  touchpoint.SurveyService
	Profiles touchpoint.ProfileService
	Appender touchpoint.EventAppender
	// Segments resolves widget rules that name a segment; nil makes such
	// surveys never show.
	Segments touchpoint.SegmentMembers
	Clock    touchpoint.Clock
	// BaseURL is where customers reach the server ("https://cx.example.com"),
	// for links made outside a request. Empty, EmailInvitation needs one.
	BaseURL string
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock.Now().UTC()
}

// Customer is who is asked, as far as Touchpoint knows them.
type Customer struct {
	ProfileID   string
	UserID      string
	AnonymousID string
	Email       string
	Traits      map[string]json.RawMessage
	// keys are every key the customer's invitations may be stored under:
	// their profile and the profiles merged into it, and each user and
	// anonymous id, so a visitor who signs in is still the same customer
	// to the fatigue rules.
	keys []string
}

// Keys returns every key the customer's invitations may be stored under.
func (c Customer) Keys() []string {
	keys := slices.Clone(c.keys)
	for _, k := range []string{c.Key(), "user_id:" + c.UserID, "anonymous_id:" + c.AnonymousID} {
		if !strings.HasSuffix(k, ":") && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys
}

// Key identifies the customer for fatigue rules.
func (c Customer) Key() string {
	switch {
	case c.ProfileID != "":
		return c.ProfileID
	case c.UserID != "":
		return "user_id:" + c.UserID
	}
	return "anonymous_id:" + c.AnonymousID
}

// language is the customer's language from their traits, if any.
func (c Customer) language() string {
	for _, k := range []string{"language", "locale", "lang"} {
		var v string
		if raw, ok := c.Traits[k]; ok && json.Unmarshal(raw, &v) == nil && v != "" {
			return strings.ReplaceAll(v, "_", "-")
		}
	}
	return ""
}

// ResolveCustomer finds the customer named by ref ("user_id:42",
// "email:a@b.com", a profile id) or, for a website or app, by the raw ids
// the device holds. A user or anonymous id not known yet is still a
// customer; an email or other identifier no profile holds is ENOTFOUND.
func (s *Service) ResolveCustomer(ctx context.Context, workspace, ref, userID, anonymousID string) (Customer, error) {
	c := Customer{UserID: userID, AnonymousID: anonymousID}
	var ids []touchpoint.Identifier
	if ref != "" {
		id := touchpoint.Identifier{Kind: touchpoint.KindProfile, Value: ref}
		if strings.Contains(ref, ":") {
			var err error
			if id, err = touchpoint.ParseIdentifier(ref); err != nil {
				return c, &touchpoint.Error{Code: touchpoint.EINVALID, Field: "customer", Message: "customer: " + strings.TrimPrefix(touchpoint.ErrorMessage(err), "identifier: ")}
			}
			if n, err := touchpoint.DefaultIdentityRules().Normalize(id); err == nil {
				id = n
			}
		}
		ids = append(ids, id)
		switch id.Kind {
		case touchpoint.KindUserID:
			c.UserID = id.Value
		case touchpoint.KindAnonymousID:
			c.AnonymousID = id.Value
		}
	} else {
		if userID == "" && anonymousID == "" {
			return c, touchpoint.FieldError("user_id", "give user_id or anonymous_id")
		}
		if userID != "" {
			ids = append(ids, touchpoint.Identifier{Kind: touchpoint.KindUserID, Value: userID})
		}
		if anonymousID != "" {
			ids = append(ids, touchpoint.Identifier{Kind: touchpoint.KindAnonymousID, Value: anonymousID})
		}
	}
	for _, id := range ids {
		p, err := s.Profiles.FindProfile(ctx, workspace, id)
		if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
			continue
		} else if err != nil {
			return c, err
		}
		c.ProfileID, c.Traits = p.ID, p.Traits
		c.keys = append([]string{p.ID}, p.MergedFrom...)
		for _, pi := range p.Identifiers {
			if pi.Kind == touchpoint.KindUserID || pi.Kind == touchpoint.KindAnonymousID {
				c.keys = append(c.keys, pi.Kind+":"+pi.Value)
			}
			switch {
			case pi.Kind == touchpoint.KindUserID && c.UserID == "":
				c.UserID = pi.Value
			case pi.Kind == touchpoint.KindEmail && c.Email == "":
				c.Email = pi.Value
			}
		}
		return c, nil
	}
	if c.UserID == "" && c.AnonymousID == "" {
		return c, touchpoint.Errorf(touchpoint.ENOTFOUND, "no profile has %s", ref)
	}
	return c, nil
}

// CheckFatigue returns ECONFLICT saying why the customer whose invitations
// these are (newest first) may not be asked survey sv now, or nil.
//
//   - workspace cooldown: no customer is asked any survey more often than
//     once every settings.CooldownDays;
//   - a customer who answered is asked again only if the survey recurs,
//     RepeatEveryDays after their last answer;
//   - a customer who did not answer is asked again after RetryAfterDays,
//     at most MaxAsks times since their last answer.
func CheckFatigue(sv *touchpoint.Survey, settings touchpoint.SurveySettings, history []*touchpoint.SurveyInvitation, now time.Time) error {
	day := 24 * time.Hour
	if len(history) > 0 && settings.CooldownDays > 0 {
		last := history[0].CreatedAt
		if now.Sub(last) < time.Duration(settings.CooldownDays)*day {
			return touchpoint.Errorf(touchpoint.ECONFLICT, "customer was asked a survey on %s; the workspace allows one every %d days",
				last.Format(time.DateOnly), settings.CooldownDays)
		}
	}
	unanswered := 0
	for _, inv := range history {
		if inv.SurveyID != sv.ID {
			continue
		}
		if inv.AnsweredAt != nil {
			rc := sv.Recontact
			if rc.RepeatEveryDays == 0 {
				return touchpoint.Errorf(touchpoint.ECONFLICT, "customer already answered survey %q on %s", sv.Name, inv.AnsweredAt.Format(time.DateOnly))
			}
			if now.Sub(*inv.AnsweredAt) < time.Duration(rc.RepeatEveryDays)*day {
				return touchpoint.Errorf(touchpoint.ECONFLICT, "customer answered survey %q on %s; it is asked again every %d days",
					sv.Name, inv.AnsweredAt.Format(time.DateOnly), rc.RepeatEveryDays)
			}
			break
		}
		if unanswered == 0 && now.Sub(inv.CreatedAt) < time.Duration(sv.Recontact.RetryAfterDays)*day {
			return touchpoint.Errorf(touchpoint.ECONFLICT, "customer was asked survey %q on %s without answering; it is asked again after %d days",
				sv.Name, inv.CreatedAt.Format(time.DateOnly), sv.Recontact.RetryAfterDays)
		}
		unanswered++
	}
	if sv.Recontact.MaxAsks > 0 && unanswered >= sv.Recontact.MaxAsks {
		return touchpoint.Errorf(touchpoint.ECONFLICT, "customer was asked survey %q %d times without answering; the survey asks at most %d", sv.Name, unanswered, sv.Recontact.MaxAsks)
	}
	return nil
}

// InviteRequest asks for an invitation.
type InviteRequest struct {
	Workspace string
	SurveyID  string
	// Customer names a known customer: "user_id:42", "email:a@b.com", or
	// a profile id. Websites and apps give UserID and AnonymousID instead.
	Customer    string
	UserID      string
	AnonymousID string
	Delivery    string
	// Language, if set, is asked for; else the customer's language trait
	// decides, else the survey's own language.
	Language   string
	Touchpoint string
}

// Invited is a new invitation with its token.
type Invited struct {
	Invitation *touchpoint.SurveyInvitation
	Survey     *touchpoint.Survey
	Token      string
}

// Invite makes an invitation if the survey is active and the fatigue rules
// allow it, and records it in the log as survey.sent. Returns ECONFLICT
// with the reason when the customer may not be asked now.
func (s *Service) Invite(ctx context.Context, req InviteRequest) (*Invited, error) {
	if !slices.Contains([]string{touchpoint.DeliveryLink, touchpoint.DeliveryEmail, touchpoint.DeliveryWidget, touchpoint.DeliveryApp}, req.Delivery) {
		return nil, touchpoint.FieldError("delivery", "must be link, email, widget or app")
	}
	if len(req.Touchpoint) > 200 {
		return nil, touchpoint.FieldError("touchpoint", "must be at most 200 characters")
	}
	sv, err := s.Surveys.FindSurvey(ctx, req.Workspace, req.SurveyID)
	if err != nil {
		return nil, err
	}
	if sv.Status != touchpoint.SurveyActive {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "survey %q is %s; activate it to send it", sv.Name, sv.Status)
	}
	c, err := s.ResolveCustomer(ctx, req.Workspace, req.Customer, req.UserID, req.AnonymousID)
	if err != nil {
		return nil, err
	}
	return s.invite(ctx, sv, c, req, true)
}

func (s *Service) invite(ctx context.Context, sv *touchpoint.Survey, c Customer, req InviteRequest, fatigue bool) (*Invited, error) {
	settings, err := s.Surveys.SurveySettings(ctx, sv.Workspace)
	if err != nil {
		return nil, err
	}
	secret, err := s.Surveys.SurveySecret(ctx, sv.Workspace)
	if err != nil {
		return nil, err
	}
	now := s.now()
	inv := &touchpoint.SurveyInvitation{
		Workspace: sv.Workspace, SurveyID: sv.ID, CustomerKey: c.Key(), ProfileID: c.ProfileID, UserID: c.UserID,
		AnonymousID: c.AnonymousID, Email: c.Email, Delivery: req.Delivery,
		Language:   sv.PickLanguage(req.Language, c.language()),
		Touchpoint: firstNonEmpty(req.Touchpoint, sv.Touchpoint),
		CreatedAt:  now, ExpiresAt: now.Add(time.Duration(sv.LinkDays) * 24 * time.Hour),
	}
	if err := s.Surveys.CreateSurveyInvitation(ctx, inv, c.Keys(), func(history []*touchpoint.SurveyInvitation) error {
		if !fatigue {
			return nil
		}
		return CheckFatigue(sv, settings, history, now)
	}); err != nil {
		return nil, err
	}
	ev, err := touchpoint.PlatformEvent{
		ID: "svs:" + inv.ID, Workspace: inv.Workspace, ProfileID: inv.ProfileID, UserID: inv.UserID, AnonymousID: inv.AnonymousID,
		Event: touchpoint.EventSurveySent, Channel: touchpoint.DeliveryChannel(inv.Delivery), Timestamp: now,
		Properties: map[string]any{"survey_id": sv.ID, "survey_type": string(sv.Type), "invitation_id": inv.ID,
			"delivery": inv.Delivery, "language": inv.Language, "touchpoint": inv.Touchpoint},
	}.Build()
	if err != nil {
		return nil, err
	}
	if err := s.Appender.Append(ctx, []touchpoint.Event{ev}); err != nil {
		return nil, fmt.Errorf("record survey sent: %w", err)
	}
	return &Invited{Invitation: inv, Survey: sv, Token: Sign(secret, inv.ID)}, nil
}

// EmailInvitation is an invitation by email with what to put in the email.
type EmailInvitation struct {
	*Invited
	// URL is the personal link; HTML is the first question with one link
	// per answer, for the body of the email.
	URL  string
	HTML string
}

// InviteByEmail makes an email invitation (fatigue rules apply) and renders
// its block: what a journey's email step sends. base is the server's public
// address; empty uses s.BaseURL.
func (s *Service) InviteByEmail(ctx context.Context, req InviteRequest, base string) (*EmailInvitation, error) {
	if base == "" {
		base = s.BaseURL
	}
	if base == "" {
		return nil, touchpoint.FieldError("public_url", "required to make survey links outside a request: set public_url")
	}
	req.Delivery = touchpoint.DeliveryEmail
	inv, err := s.Invite(ctx, req)
	if err != nil {
		return nil, err
	}
	link := strings.TrimRight(base, "/") + "/s/" + inv.Token
	html, err := EmailBlock(inv.Survey, inv.Invitation.Language, link)
	if err != nil {
		return nil, err
	}
	return &EmailInvitation{Invited: inv, URL: link, HTML: html}, nil
}

// Session is where a respondent is in a survey.
type Session struct {
	Token      string
	Invitation *touchpoint.SurveyInvitation
	Survey     *touchpoint.Survey
	// Response is nil before the first answer.
	Response *touchpoint.Response
	// Next is the next question to ask; nil when the survey is complete.
	Next *touchpoint.Question
}

// Answers returns the answers so far.
func (ss *Session) Answers() []touchpoint.Answer {
	if ss.Response == nil {
		return nil
	}
	return ss.Response.Answers
}

// Complete reports whether the response is complete.
func (ss *Session) Complete() bool { return ss.Response != nil && ss.Response.Complete }

// Open checks a token and returns the session it leads to. Returns
// ErrInvalidLink, ErrExpired or ErrClosed; a complete response is a
// session with Complete() true, for the caller to decide what to show.
func (s *Service) Open(ctx context.Context, token string) (*Session, error) {
	id, ok := SplitToken(token)
	if !ok {
		return nil, ErrInvalidLink
	}
	inv, err := s.Surveys.FindSurveyInvitation(ctx, id)
	if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
		return nil, ErrInvalidLink
	} else if err != nil {
		return nil, err
	}
	secret, err := s.Surveys.SurveySecret(ctx, inv.Workspace)
	if err != nil {
		return nil, err
	}
	if !Verify(secret, token, inv.ID) {
		return nil, ErrInvalidLink
	}
	sv, err := s.Surveys.FindSurvey(ctx, inv.Workspace, inv.SurveyID)
	if err != nil {
		return nil, err
	}
	ss := &Session{Token: token, Invitation: inv, Survey: sv}
	r, err := s.Surveys.FindResponseByInvitation(ctx, inv.ID)
	if err == nil {
		ss.Response = r
	} else if touchpoint.ErrorCode(err) != touchpoint.ENOTFOUND {
		return nil, err
	}
	if ss.Complete() {
		return ss, nil
	}
	if sv.Status == touchpoint.SurveyArchived {
		return nil, ErrClosed
	}
	if s.now().After(inv.ExpiresAt) {
		return nil, ErrExpired
	}
	ss.Next = sv.NextQuestion(ss.Answers())
	return ss, nil
}

// MarkOpened records that the respondent saw the survey.
func (s *Service) MarkOpened(ctx context.Context, ss *Session) error {
	if ss.Invitation.OpenedAt != nil {
		return nil
	}
	now := s.now()
	ss.Invitation.OpenedAt = &now
	return s.Surveys.MarkSurveyInvitation(ctx, ss.Invitation.ID, "opened", now)
}

// Dismiss records that the respondent closed the survey without finishing.
func (s *Service) Dismiss(ctx context.Context, token string) error {
	ss, err := s.Open(ctx, token)
	if err != nil {
		return err
	}
	return s.Surveys.MarkSurveyInvitation(ctx, ss.Invitation.ID, "dismissed", s.now())
}

// Answer records answers to an invitation: the response is saved at once,
// complete or not, and recorded as a Survey Responded event. Answers may
// change earlier ones until the response is complete; follow-ups an
// answer no longer leads to are dropped. Sending the answers of a complete
// response again is harmless (the event is recorded once); different ones
// get ErrAnswered. Returns EINVALID naming the bad answer as
// "answers[i]…".
func (s *Service) Answer(ctx context.Context, token string, answers []touchpoint.Answer, language string) (*Session, error) {
	ss, err := s.Open(ctx, token)
	if err != nil {
		return nil, err
	}
	sv, inv := ss.Survey, ss.Invitation
	if ss.Complete() {
		if sameAnswers(ss.Response.Answers, answers) {
			return ss, s.record(ctx, ss)
		}
		return nil, ErrAnswered
	}
	if len(answers) == 0 {
		return nil, touchpoint.FieldError("answers", "give at least one answer")
	}
	now := s.now()
	r := ss.Response
	if r == nil {
		r = &touchpoint.Response{
			Workspace: inv.Workspace, SurveyID: sv.ID, SurveyType: string(sv.Type), InvitationID: inv.ID, CustomerKey: inv.CustomerKey,
			ProfileID: inv.ProfileID, UserID: inv.UserID, AnonymousID: inv.AnonymousID, Delivery: inv.Delivery,
			Channel: touchpoint.DeliveryChannel(inv.Delivery), Language: inv.Language, Touchpoint: inv.Touchpoint, StartedAt: now,
		}
	}
	if language != "" {
		if !slices.Contains(sv.Languages(), language) {
			return nil, touchpoint.FieldError("language", "survey %q is not available in %q", sv.Name, language)
		}
		r.Language = language
	}
	current := slices.Clone(r.Answers)
	for i, a := range answers {
		field := fmt.Sprintf("answers[%d]", i)
		q := sv.Question(a.QuestionID)
		if q == nil {
			return nil, touchpoint.FieldError(field+".question_id", "survey has no question %q", a.QuestionID)
		}
		if err := a.Check(q, field); err != nil {
			return nil, err
		}
		rest := slices.DeleteFunc(slices.Clone(current), func(x touchpoint.Answer) bool { return x.QuestionID == q.ID })
		if !sv.Visible(q, rest) {
			return nil, touchpoint.FieldError(field+".question_id", "question %q is not asked after the answers given", q.ID)
		}
		a.At = now
		if j := slices.IndexFunc(current, func(x touchpoint.Answer) bool { return x.QuestionID == q.ID }); j >= 0 {
			current[j] = a
		} else {
			current = append(current, a)
		}
	}
	r.Answers = prune(sv, current)
	r.Summarize(sv)
	next := sv.NextQuestion(r.Answers)
	r.Complete = next == nil
	r.CompletedAt = nil
	if r.Complete {
		r.CompletedAt = &now
	}
	r.UpdatedAt = now
	r.Revision++
	since := now.Add(-duplicateWindow)
	recent, err := s.Surveys.FindResponses(ctx, touchpoint.ResponseFilter{Workspace: r.Workspace, SurveyID: &sv.ID, Since: &since, Limit: 200})
	if err != nil {
		return nil, err
	}
	mine, err := s.Surveys.FindResponses(ctx, touchpoint.ResponseFilter{Workspace: r.Workspace, SurveyID: &sv.ID, Customers: []string{r.CustomerKey}, Since: &since, Limit: 10})
	if err != nil {
		return nil, err
	}
	r.Flags = QualityFlags(sv, r, append(recent, mine...))
	if err := s.Surveys.SaveResponse(ctx, r); err != nil {
		return nil, err
	}
	ss.Response, ss.Next = r, next
	if err := s.MarkOpened(ctx, ss); err != nil {
		return nil, err
	}
	return ss, s.record(ctx, ss)
}

// prune drops answers to questions the other answers no longer lead to,
// until none is left to drop (a dropped answer can hide another question).
func prune(sv *touchpoint.Survey, answers []touchpoint.Answer) []touchpoint.Answer {
	for {
		n := len(answers)
		answers = slices.DeleteFunc(answers, func(a touchpoint.Answer) bool {
			q := sv.Question(a.QuestionID)
			return q == nil || !sv.Visible(q, answers)
		})
		if len(answers) == n {
			return answers
		}
	}
}

func sameAnswers(stored, sent []touchpoint.Answer) bool {
	if len(sent) == 0 {
		return false
	}
	for _, a := range sent {
		b := touchpoint.FindAnswer(stored, a.QuestionID)
		if b == nil || b.Skipped != a.Skipped || strings.TrimSpace(a.Text) != b.Text || !slices.Equal(a.Choices, b.Choices) ||
			(a.Score == nil) != (b.Score == nil) || (a.Score != nil && *a.Score != *b.Score) {
			return false
		}
	}
	return true
}

// record appends the Survey Responded event of the response's current
// revision. Its id is derived from the response and revision, so recording
// the same revision twice stores it once.
func (s *Service) record(ctx context.Context, ss *Session) error {
	r, inv := ss.Response, ss.Invitation
	answers := map[string]any{}
	for _, a := range r.Answers {
		switch {
		case a.Skipped:
			answers[a.QuestionID] = nil
		case a.Score != nil:
			answers[a.QuestionID] = *a.Score
		case len(a.Choices) > 0:
			answers[a.QuestionID] = a.Choices
		default:
			answers[a.QuestionID] = a.Text
		}
	}
	props := map[string]any{
		"survey_id": r.SurveyID, "survey_type": r.SurveyType, "survey_name": ss.Survey.Name,
		"score": r.Score, "max_score": r.MaxScore, "comment": r.Comment, "language": r.Language,
		"touchpoint": r.Touchpoint, "response_id": r.ID, "invitation_id": r.InvitationID, "complete": r.Complete,
		"delivery": r.Delivery, "quality_flags": r.Flags, "answers": answers, "revision": r.Revision,
	}
	ev, err := touchpoint.PlatformEvent{
		ID: "svr:" + r.ID + ":" + strconv.Itoa(r.Revision), Workspace: r.Workspace, ProfileID: inv.ProfileID, UserID: inv.UserID,
		AnonymousID: inv.AnonymousID, Event: touchpoint.EventSurveyResponded, Channel: r.Channel, Properties: props, Timestamp: r.UpdatedAt,
	}.Build()
	if err != nil {
		return err
	}
	if err := s.Appender.Append(ctx, []touchpoint.Event{ev}); err != nil {
		return fmt.Errorf("record survey response: %w", err)
	}
	return nil
}

// Visitor is a website or app user the widget or app asks about.
type Visitor struct {
	Workspace   string
	UserID      string
	AnonymousID string
	// URL is the page the visitor is on (widget only).
	URL      string
	Language string
}

// Eligible returns the active widget surveys this visitor may be shown
// now: their page, traits, segment and sample match, and the fatigue
// rules allow asking. Rules the page decides (an event, a delay) are the
// widget's to wait for.
func (s *Service) Eligible(ctx context.Context, v Visitor) ([]*touchpoint.Survey, Customer, error) {
	c, err := s.ResolveCustomer(ctx, v.Workspace, "", v.UserID, v.AnonymousID)
	if err != nil {
		return nil, c, err
	}
	surveys, err := s.Surveys.FindSurveys(ctx, touchpoint.SurveyFilter{Workspace: v.Workspace, Widget: true})
	if err != nil {
		return nil, c, err
	}
	if len(surveys) == 0 {
		return nil, c, nil
	}
	settings, err := s.Surveys.SurveySettings(ctx, v.Workspace)
	if err != nil {
		return nil, c, err
	}
	history, err := s.Surveys.SurveyInvitationHistory(ctx, v.Workspace, c.Keys())
	if err != nil {
		return nil, c, err
	}
	now := s.now()
	var out []*touchpoint.Survey
	for _, sv := range surveys {
		w := sv.Widget
		if w == nil || !w.Enabled || !MatchURL(w.URLs, v.URL) || !InSample(sv.ID, c.Key(), w.SamplePercent) {
			continue
		}
		if CheckFatigue(sv, settings, history, now) != nil {
			continue
		}
		ok, err := s.matchesAudience(ctx, sv, c)
		if err != nil {
			return nil, c, err
		}
		if ok {
			out = append(out, sv)
		}
	}
	return out, c, nil
}

// Show makes the invitation for a widget or app survey the visitor is
// about to see, checking its rules again (another tab may have shown one).
func (s *Service) Show(ctx context.Context, v Visitor, surveyID, delivery string) (*Invited, error) {
	eligible, c, err := s.Eligible(ctx, v)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(eligible, func(sv *touchpoint.Survey) bool { return sv.ID == surveyID })
	if i < 0 {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "survey %q is not to be shown to this visitor now", surveyID)
	}
	return s.invite(ctx, eligible[i], c, InviteRequest{Delivery: delivery, Language: v.Language}, true)
}

// Start makes the invitation for answers an app collected in its own
// screens and sends through the API without showing a survey first. The
// app already asked, so the fatigue rules are not consulted, but the ask
// is counted for the next ones.
func (s *Service) Start(ctx context.Context, v Visitor, surveyID string) (*Invited, error) {
	sv, err := s.Surveys.FindSurvey(ctx, v.Workspace, surveyID)
	if err != nil {
		return nil, err
	}
	if sv.Status != touchpoint.SurveyActive {
		return nil, touchpoint.Errorf(touchpoint.ECONFLICT, "survey %q is %s", sv.Name, sv.Status)
	}
	c, err := s.ResolveCustomer(ctx, v.Workspace, "", v.UserID, v.AnonymousID)
	if err != nil {
		return nil, err
	}
	return s.invite(ctx, sv, c, InviteRequest{Delivery: touchpoint.DeliveryApp, Language: v.Language}, false)
}

func (s *Service) matchesAudience(ctx context.Context, sv *touchpoint.Survey, c Customer) (bool, error) {
	w := sv.Widget
	for _, tc := range w.Traits {
		if !MatchTrait(tc, c.Traits) {
			return false, nil
		}
	}
	if w.Segment != "" {
		if s.Segments == nil || c.ProfileID == "" {
			return false, nil
		}
		// A segment that can answer for one profile is asked so, rather
		// than listed whole on every page view.
		if m, ok := s.Segments.(touchpoint.SegmentMembership); ok {
			in, err := m.IsMember(ctx, sv.Workspace, w.Segment, c.ProfileID)
			if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
				return false, nil
			}
			return in, err
		}
		members, err := s.Segments.Members(ctx, sv.Workspace, w.Segment)
		if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
			return false, nil
		} else if err != nil {
			return false, err
		}
		return slices.Contains(members, c.ProfileID), nil
	}
	return true, nil
}

// MatchURL reports whether url matches any pattern (* matches any run of
// characters); no patterns match every page.
func MatchURL(patterns []string, url string) bool {
	if len(patterns) == 0 {
		return true
	}
	for _, p := range patterns {
		parts := strings.Split(p, "*")
		for i := range parts {
			parts[i] = regexp.QuoteMeta(parts[i])
		}
		re, err := regexp.Compile("^" + strings.Join(parts, ".*") + "$")
		if err == nil && re.MatchString(url) {
			return true
		}
	}
	return false
}

// InSample reports whether a customer falls in a survey's sample. The draw
// is a hash of survey and customer, so the same visitor gets the same
// answer on every page.
func InSample(surveyID, customerKey string, percent float64) bool {
	if percent >= 100 || percent == 0 {
		return true
	}
	h := fnv.New64a()
	h.Write([]byte(surveyID + "\x00" + customerKey))
	return float64(h.Sum64()%10000) < percent*100
}

// MatchTrait tests one trait condition against a profile's traits.
func MatchTrait(tc touchpoint.TraitCondition, traits map[string]json.RawMessage) bool {
	raw, ok := traits[tc.Trait]
	if tc.Op == "exists" {
		return ok && string(raw) != "null"
	}
	if !ok {
		return tc.Op == "ne"
	}
	var have any
	if json.Unmarshal(raw, &have) != nil {
		return false
	}
	num := func(v any) (float64, bool) {
		switch x := v.(type) {
		case float64:
			return x, true
		case string:
			f, err := strconv.ParseFloat(x, 64)
			return f, err == nil
		}
		return 0, false
	}
	eq := func(a, b any) bool {
		if x, ok := num(a); ok {
			if y, ok := num(b); ok {
				return x == y
			}
		}
		return fmt.Sprint(a) == fmt.Sprint(b)
	}
	switch tc.Op {
	case "eq":
		return eq(have, tc.Value)
	case "ne":
		return !eq(have, tc.Value)
	case "in":
		list, _ := tc.Value.([]any)
		return slices.ContainsFunc(list, func(x any) bool { return eq(have, x) })
	case "contains":
		if list, ok := have.([]any); ok {
			return slices.ContainsFunc(list, func(x any) bool { return eq(x, tc.Value) })
		}
		s, _ := have.(string)
		sub, _ := tc.Value.(string)
		return sub != "" && strings.Contains(strings.ToLower(s), strings.ToLower(sub))
	case "gt", "gte", "lt", "lte":
		x, ok1 := num(have)
		y, ok2 := num(tc.Value)
		if !ok1 || !ok2 {
			return false
		}
		switch tc.Op {
		case "gt":
			return x > y
		case "gte":
			return x >= y
		case "lt":
			return x < y
		}
		return x <= y
	}
	return false
}

func firstNonEmpty(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}
