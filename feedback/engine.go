package feedback

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/survey"
)

// ConsumerName is the engine's name as a log consumer.
const ConsumerName = "feedback"

// State is where the engine keeps feedback items for the inbox.
type State interface {
	FeedbackCheckpoint(ctx context.Context) (uint64, error)
	ApplyFeedback(ctx context.Context, items []*touchpoint.Feedback, seq uint64) error
}

// Analytics is where the engine keeps feedback facts for metrics, and
// where it finds what each customer did before giving feedback.
type Analytics interface {
	// Checkpoint is how far the analytics store has applied the log's
	// events: touchpoints are looked up only once it has the batch's.
	Checkpoint(ctx context.Context) (uint64, error)
	FeedbackCheckpoint(ctx context.Context) (uint64, error)
	ApplyFeedback(ctx context.Context, items []*touchpoint.Feedback, seq uint64) error
	PrecedingEvents(ctx context.Context, workspace string, qs []touchpoint.PrecedingQuery) (map[string][]touchpoint.TouchpointEvent, error)
}

// Engine turns feedback events in the log (Survey Responded from every
// source, Feedback Received from webhooks and imports) into feedback items:
// text analysed for language, sentiment and topics, attributed to the
// touchpoint that preceded it, kept in the state store for the inbox and in
// the analytics store for metrics.
type Engine struct {
	state     State
	analytics Analytics
	analyzer  touchpoint.TextAnalyzer
	logger    *slog.Logger
	// Stopping, when closed, ends a wait for the analytics store.
	Stopping <-chan struct{}
	// Poll is how often the engine looks whether analytics caught up.
	Poll time.Duration
}

// NewEngine returns an engine. analyzer may be nil: items are then kept
// without sentiment and topics, in the language they were given in.
func NewEngine(state State, analytics Analytics, analyzer touchpoint.TextAnalyzer, logger *slog.Logger) *Engine {
	return &Engine{state: state, analytics: analytics, analyzer: analyzer, logger: logger, Poll: 50 * time.Millisecond}
}

// Checkpoint is the last log sequence both stores have: reading resumes
// after it, and each store skips what it already has.
func (e *Engine) Checkpoint(ctx context.Context) (uint64, error) {
	s, err := e.state.FeedbackCheckpoint(ctx)
	if err != nil {
		return 0, err
	}
	a, err := e.analytics.FeedbackCheckpoint(ctx)
	if err != nil {
		return 0, err
	}
	return min(s, a), nil
}

// Apply is the engine's log handler. Each store writes the batch's items
// with the batch's sequence in one transaction, so a crash between the two
// makes the one behind redo the batch, and nothing is applied twice.
func (e *Engine) Apply(ctx context.Context, b tplog.Batch) error {
	stateSeq, err := e.state.FeedbackCheckpoint(ctx)
	if err != nil {
		return err
	}
	factSeq, err := e.analytics.FeedbackCheckpoint(ctx)
	if err != nil {
		return err
	}
	if stateSeq >= b.LastSequence && factSeq >= b.LastSequence {
		return nil
	}
	items := Extract(b.Events)
	if len(items) > 0 {
		if err := e.analyze(ctx, items); err != nil {
			return err
		}
		if err := e.attribute(ctx, items, b.LastSequence); err != nil {
			return err
		}
	}
	for _, it := range items {
		it.Seq = b.LastSequence
	}
	if stateSeq < b.LastSequence {
		if err := e.state.ApplyFeedback(ctx, items, b.LastSequence); err != nil {
			return err
		}
	}
	if factSeq < b.LastSequence {
		if err := e.analytics.ApplyFeedback(ctx, items, b.LastSequence); err != nil {
			return err
		}
	}
	return nil
}

// ItemID is the id of the feedback item made from a response or an event.
func ItemID(workspace, key string) string {
	sum := sha256.Sum256([]byte(workspace + "\x00" + key))
	return "fb_" + hex.EncodeToString(sum[:10])
}

// Extract makes the feedback items of a batch's events, in log order. A
// response answered in steps makes one item per step, all with the same id:
// the last one is the response as it stands.
func Extract(events []touchpoint.Event) []*touchpoint.Feedback {
	var items []*touchpoint.Feedback
	for i := range events {
		ev := &events[i]
		if ev.Type != touchpoint.TypeTrack {
			continue
		}
		var it *touchpoint.Feedback
		switch ev.Event {
		case touchpoint.EventSurveyResponded:
			it = fromSurvey(ev)
		case touchpoint.EventFeedbackReceived:
			it = fromFeedback(ev)
		}
		if it != nil {
			items = append(items, it)
		}
	}
	return items
}

// props are the properties feedback events carry (docs/EVENTS.md).
type props struct {
	SurveyID     string          `json:"survey_id"`
	SurveyType   string          `json:"survey_type"`
	Score        json.RawMessage `json:"score"`
	MaxScore     json.RawMessage `json:"max_score"`
	Comment      string          `json:"comment"`
	Language     string          `json:"language"`
	Touchpoint   string          `json:"touchpoint"`
	ResponseID   string          `json:"response_id"`
	InvitationID string          `json:"invitation_id"`
	Complete     *bool           `json:"complete"`
	Flags        []string        `json:"quality_flags"`
	// Feedback Received
	Source     string `json:"source"`
	Kind       string `json:"kind"`
	Text       string `json:"text"`
	Title      string `json:"title"`
	ExternalID string `json:"external_id"`
	Email      string `json:"email"`
}

// number reads a score sent as a number or a numeric string. A missing
// or null score is no score, not 0: a choice or open-text survey's answers
// carry "score": null.
func number(raw json.RawMessage) *float64 {
	var f float64
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	if json.Unmarshal(raw, &f) != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return nil
		}
		if _, err := fmt.Sscanf(s, "%g", &f); err != nil {
			return nil
		}
	}
	return &f
}

func base(ev *touchpoint.Event) *touchpoint.Feedback {
	it := &touchpoint.Feedback{Workspace: ev.Workspace, EventID: ev.ID, Channel: ev.Channel, UserID: ev.UserID,
		AnonymousID: ev.AnonymousID, CreatedAt: ev.Timestamp, UpdatedAt: ev.ReceivedAt, Topics: []string{}, Flags: []string{},
		Preceding: []touchpoint.TouchpointEvent{}}
	var ctx struct {
		Traits struct {
			Email string `json:"email"`
		} `json:"traits"`
	}
	if len(ev.Context) > 0 && json.Unmarshal(ev.Context, &ctx) == nil {
		it.Email = strings.ToLower(strings.TrimSpace(ctx.Traits.Email))
	}
	return it
}

func fromSurvey(ev *touchpoint.Event) *touchpoint.Feedback {
	var p props
	if len(ev.Properties) > 0 && json.Unmarshal(ev.Properties, &p) != nil {
		return nil
	}
	it := base(ev)
	key := "event:" + ev.ID
	if p.ResponseID != "" {
		key = "response:" + p.ResponseID
	}
	it.ID = ItemID(ev.Workspace, key)
	it.Source, it.Kind = touchpoint.KindSurvey, touchpoint.KindSurvey
	if it.Channel == "" {
		it.Channel = touchpoint.ChannelSurvey
	}
	it.SurveyID, it.SurveyType, it.ResponseID, it.InvitationID = p.SurveyID, p.SurveyType, p.ResponseID, p.InvitationID
	it.Score, it.MaxScore = number(p.Score), number(p.MaxScore)
	it.Text, it.Language, it.Touchpoint = strings.TrimSpace(p.Comment), p.Language, p.Touchpoint
	// Answers sent without "complete" (older integrations, imports) are
	// whole answers.
	it.Complete = p.Complete == nil || *p.Complete
	for _, f := range p.Flags {
		if slices.Contains(touchpoint.QualityFlags(), f) && !slices.Contains(it.Flags, f) {
			it.Flags = append(it.Flags, f)
		}
	}
	return it
}

func fromFeedback(ev *touchpoint.Event) *touchpoint.Feedback {
	var p props
	if len(ev.Properties) > 0 && json.Unmarshal(ev.Properties, &p) != nil {
		return nil
	}
	it := base(ev)
	it.ID = ItemID(ev.Workspace, "event:"+ev.ID)
	it.Source = cmpOr(p.Source, ev.SourceID, "import")
	it.Kind = cmpOr(p.Kind, touchpoint.KindOther)
	it.SurveyType = p.SurveyType
	it.Score, it.MaxScore = number(p.Score), number(p.MaxScore)
	it.Title, it.Text, it.Language, it.Touchpoint = p.Title, strings.TrimSpace(p.Text), p.Language, p.Touchpoint
	it.ExternalID, it.Complete = p.ExternalID, true
	if p.Email != "" {
		it.Email = strings.ToLower(p.Email)
	}
	if it.Text == "" && it.Score == nil {
		return nil
	}
	if it.Text != "" && survey.Gibberish(it.Text) {
		it.Flags = append(it.Flags, touchpoint.FlagGibberish)
	}
	return it
}

func cmpOr(xs ...string) string {
	for _, x := range xs {
		if x != "" {
			return x
		}
	}
	return ""
}

// analyze sets language, sentiment and topics of items with text, one
// Analyze call per workspace.
func (e *Engine) analyze(ctx context.Context, items []*touchpoint.Feedback) error {
	if e.analyzer == nil {
		return nil
	}
	byWS := map[string][]*touchpoint.Feedback{}
	for _, it := range items {
		if it.Text != "" {
			byWS[it.Workspace] = append(byWS[it.Workspace], it)
		}
	}
	for ws, list := range byWS {
		texts := make([]string, len(list))
		for i, it := range list {
			texts[i] = strings.TrimSpace(it.Title + "\n" + it.Text)
		}
		res, err := e.analyzer.Analyze(ctx, ws, texts, "")
		if touchpoint.ErrorCode(err) == touchpoint.EINVALID {
			// The same texts would fail again: keep the items unanalysed
			// rather than stop the log.
			e.logger.Warn("text analysis refused a batch; feedback kept without sentiment", "workspace", ws, "err", err)
			continue
		} else if err != nil {
			return fmt.Errorf("analyze feedback: %w", err)
		}
		if len(res) != len(list) {
			return fmt.Errorf("analyze feedback: %d results for %d texts", len(res), len(list))
		}
		for i, it := range list {
			r := res[i]
			if r.Language != "" && r.Language != touchpoint.LangUndetermined {
				it.Language = r.Language
			}
			it.Sentiment = r.Sentiment
			score := r.Score
			it.SentimentScore = &score
			it.Topics = append([]string{}, r.Topics...)
		}
	}
	return nil
}

// errStopping ends a wait when the engine is being stopped.
var errStopping = errors.New("feedback engine stopping")

// attribute sets the touchpoint of items that name none: the customer's
// last touchpoint before the feedback, read from the analytics store once
// it has applied the batch (so it has every earlier event).
func (e *Engine) attribute(ctx context.Context, items []*touchpoint.Feedback, seq uint64) error {
	byWS := map[string][]touchpoint.PrecedingQuery{}
	index := map[string][]*touchpoint.Feedback{}
	for _, it := range items {
		if it.UserID == "" && it.AnonymousID == "" {
			continue
		}
		byWS[it.Workspace] = append(byWS[it.Workspace], touchpoint.PrecedingQuery{ID: it.ID, UserID: it.UserID, AnonymousID: it.AnonymousID, At: it.CreatedAt})
		index[it.ID] = append(index[it.ID], it)
	}
	if len(byWS) == 0 {
		return nil
	}
	for {
		got, err := e.analytics.Checkpoint(ctx)
		if err != nil {
			return err
		}
		if got >= seq {
			break
		}
		select {
		case <-e.Stopping:
			return errStopping
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(e.Poll):
		}
	}
	for ws, qs := range byWS {
		found, err := e.analytics.PrecedingEvents(ctx, ws, qs)
		if err != nil {
			return err
		}
		for _, q := range qs {
			evs := found[q.ID]
			for _, it := range index[q.ID] {
				if it.Workspace != ws {
					continue
				}
				it.Preceding = evs
				if it.Preceding == nil {
					it.Preceding = []touchpoint.TouchpointEvent{}
				}
				if it.Touchpoint == "" && len(evs) > 0 {
					it.Touchpoint, it.TouchpointChannel = evs[0].Name, evs[0].Channel
				}
			}
		}
	}
	return nil
}
