package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// FeedbackConsumer is the feedback engine's name as a log consumer.
const FeedbackConsumer = "feedback"

// FeedbackCheckpoint is the last log sequence the feedback engine applied
// to this store.
func (db *DB) FeedbackCheckpoint(ctx context.Context) (uint64, error) {
	var seq uint64
	if err := db.rdb.QueryRowContext(ctx, db.query("checkpoint"), FeedbackConsumer).Scan(&seq); err != nil {
		return 0, fmt.Errorf("feedback checkpoint: %w", err)
	}
	return seq, nil
}

// ApplyFeedback stores items and the log sequence they bring the store to,
// in one transaction. An item already stored from a later event is kept.
func (db *DB) ApplyFeedback(ctx context.Context, items []*touchpoint.Feedback, seq uint64) error {
	ctx = context.WithoutCancel(ctx)
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply feedback: %w", err)
	}
	defer tx.Rollback()
	if len(items) > 0 {
		stmt, err := tx.PrepareContext(ctx, db.query("feedback_upsert"))
		if err != nil {
			return fmt.Errorf("apply feedback: %w", err)
		}
		defer stmt.Close()
		for _, it := range items {
			if it.Topics == nil {
				it.Topics = []string{}
			}
			if it.Flags == nil {
				it.Flags = []string{}
			}
			if it.Preceding == nil {
				it.Preceding = []touchpoint.TouchpointEvent{}
			}
			body, err := json.Marshal(it)
			if err != nil {
				return fmt.Errorf("apply feedback: %w", err)
			}
			topics, _ := json.Marshal(it.Topics)
			var score any
			if it.Score != nil {
				score = *it.Score
			}
			if _, err := stmt.ExecContext(ctx, sql.Named("workspace", it.Workspace), sql.Named("id", it.ID), sql.Named("event_id", it.EventID),
				sql.Named("seq", it.Seq), sql.Named("source", it.Source), sql.Named("kind", it.Kind), sql.Named("channel", nullStr(it.Channel)),
				sql.Named("survey_id", nullStr(it.SurveyID)), sql.Named("sentiment", nullStr(it.Sentiment)), sql.Named("language", nullStr(it.Language)),
				sql.Named("user_id", nullStr(it.UserID)), sql.Named("anonymous_id", nullStr(it.AnonymousID)), sql.Named("email", nullStr(it.Email)),
				sql.Named("score", score), sql.Named("flagged", len(it.Flags) > 0), sql.Named("text", nullStr(it.Text)),
				sql.Named("topics", string(topics)), sql.Named("body", string(body)), sql.Named("created_at", formatTime(it.CreatedAt))); err != nil {
				return fmt.Errorf("apply feedback %s: %w", it.ID, err)
			}
		}
	}
	if _, err := tx.ExecContext(ctx, db.query("save_checkpoint"), FeedbackConsumer, seq, formatTime(db.now())); err != nil {
		return fmt.Errorf("apply feedback: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("apply feedback: %w", err)
	}
	return nil
}

// FindFeedbackItem returns one feedback item.
func (db *DB) FindFeedbackItem(ctx context.Context, workspace, id string) (*touchpoint.Feedback, error) {
	var body string
	err := db.rdb.QueryRowContext(ctx, db.query("feedback_get"), sql.Named("workspace", workspace), sql.Named("id", id)).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "feedback %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find feedback: %w", err)
	}
	var it touchpoint.Feedback
	if err := json.Unmarshal([]byte(body), &it); err != nil {
		return nil, fmt.Errorf("find feedback: %w", err)
	}
	return &it, nil
}

// FindFeedback returns matching feedback items, newest first.
func (db *DB) FindFeedback(ctx context.Context, f touchpoint.FeedbackFilter) ([]*touchpoint.Feedback, error) {
	limit := f.Limit
	if limit == 0 {
		limit = touchpoint.DefaultFeedbackLimit
	}
	if limit < 1 || limit > touchpoint.MaxFeedbackLimit {
		return nil, touchpoint.FieldError("limit", "must be between 1 and %d", touchpoint.MaxFeedbackLimit)
	}
	list := func(xs []string) string {
		if xs == nil {
			xs = []string{}
		}
		b, _ := json.Marshal(xs)
		return string(b)
	}
	var q, since, until, before, flagged, hasText any
	if f.Q != "" {
		q = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(f.Q)
	}
	if f.Since != nil {
		since = formatTime(*f.Since)
	}
	if f.Until != nil {
		until = formatTime(*f.Until)
	}
	if f.Before != "" {
		before = f.Before
	}
	if f.Flagged != nil {
		flagged = *f.Flagged
	}
	if f.HasText != nil {
		hasText = *f.HasText
	}
	customer := f.UserIDs != nil || f.AnonymousIDs != nil || f.Emails != nil
	rows, err := db.rdb.QueryContext(ctx, db.query("feedback_list"), sql.Named("workspace", f.Workspace),
		sql.Named("source", f.Source), sql.Named("kind", f.Kind), sql.Named("channel", f.Channel), sql.Named("survey_id", f.SurveyID),
		sql.Named("sentiment", f.Sentiment), sql.Named("language", f.Language), sql.Named("topic", f.Topic),
		sql.Named("customer", customer), sql.Named("user_ids", list(f.UserIDs)), sql.Named("anonymous_ids", list(f.AnonymousIDs)),
		sql.Named("emails", list(f.Emails)), sql.Named("flagged", flagged), sql.Named("has_text", hasText),
		sql.Named("min_score", f.MinScore), sql.Named("max_score", f.MaxScore), sql.Named("q", q),
		sql.Named("since", since), sql.Named("until", until), sql.Named("before", before), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("find feedback: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Feedback{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("find feedback: %w", err)
		}
		var it touchpoint.Feedback
		if err := json.Unmarshal([]byte(body), &it); err != nil {
			return nil, fmt.Errorf("find feedback: %w", err)
		}
		out = append(out, &it)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find feedback: %w", err)
	}
	return out, nil
}

// FeedbackTopics counts topics of matching feedback, with examples.
func (db *DB) FeedbackTopics(ctx context.Context, f touchpoint.FeedbackFilter) ([]touchpoint.TopicCount, error) {
	limit := f.Limit
	if limit == 0 {
		limit = 20
	}
	if limit < 1 || limit > 200 {
		return nil, touchpoint.FieldError("limit", "must be between 1 and 200")
	}
	var since, until, flagged any
	if f.Since != nil {
		since = formatTime(*f.Since)
	}
	if f.Until != nil {
		until = formatTime(*f.Until)
	}
	if f.Flagged != nil {
		flagged = *f.Flagged
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("feedback_topics"), sql.Named("workspace", f.Workspace), sql.Named("source", f.Source),
		sql.Named("kind", f.Kind), sql.Named("channel", f.Channel), sql.Named("survey_id", f.SurveyID), sql.Named("language", f.Language),
		sql.Named("flagged", flagged), sql.Named("since", since), sql.Named("until", until), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("feedback topics: %w", err)
	}
	out := []touchpoint.TopicCount{}
	for rows.Next() {
		var tc touchpoint.TopicCount
		if err := rows.Scan(&tc.Topic, &tc.Count, &tc.Positive, &tc.Neutral, &tc.Negative); err != nil {
			rows.Close()
			return nil, fmt.Errorf("feedback topics: %w", err)
		}
		out = append(out, tc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("feedback topics: %w", err)
	}
	for i := range out {
		ef := touchpoint.FeedbackFilter{Workspace: f.Workspace, Source: f.Source, Kind: f.Kind, Channel: f.Channel, SurveyID: f.SurveyID,
			Language: f.Language, Flagged: f.Flagged, Since: f.Since, Until: f.Until, Topic: &out[i].Topic, Limit: 3}
		if out[i].Examples, err = db.FindFeedback(ctx, ef); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateFeedbackHook stores a new inbound webhook with a new secret.
func (db *DB) CreateFeedbackHook(ctx context.Context, h *touchpoint.FeedbackHook) error {
	h.Normalize()
	if err := h.Validate(); err != nil {
		return err
	}
	if _, err := db.FindWorkspace(ctx, h.Workspace); err != nil {
		return err
	}
	h.ID = randomID("hk_", 20)
	if h.Secret == "" {
		h.Secret = randomID("whs_", 40)
	}
	h.CreatedAt = db.now()
	h.UpdatedAt = h.CreatedAt
	h.RevokedAt = nil
	body, err := json.Marshal(hookBody(h))
	if err != nil {
		return fmt.Errorf("create hook: %w", err)
	}
	if _, err := db.db.ExecContext(ctx, db.query("hook_insert"), sql.Named("id", h.ID), sql.Named("workspace", h.Workspace),
		sql.Named("name", h.Name), sql.Named("body", string(body)), sql.Named("secret", h.Secret),
		sql.Named("created_at", formatTime(h.CreatedAt)), sql.Named("updated_at", formatTime(h.UpdatedAt))); err != nil {
		if isUniqueViolation(err) {
			return &touchpoint.Error{Code: touchpoint.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: a hook named %q exists", h.Name)}
		}
		return fmt.Errorf("create hook: %w", err)
	}
	return nil
}

// hookBody is what is stored as JSON: everything but the secret and the
// times, which have their own columns.
func hookBody(h *touchpoint.FeedbackHook) touchpoint.FeedbackHook {
	c := *h
	c.Secret = ""
	return c
}

func scanHook(s scanner) (*touchpoint.FeedbackHook, error) {
	var body, secret, created, updated string
	var revoked sql.NullString
	if err := s.Scan(&body, &secret, &created, &updated, &revoked); err != nil {
		return nil, err
	}
	var h touchpoint.FeedbackHook
	if err := json.Unmarshal([]byte(body), &h); err != nil {
		return nil, err
	}
	h.Secret = secret
	var err error
	if h.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if h.UpdatedAt, err = parseTime(updated); err != nil {
		return nil, err
	}
	if h.RevokedAt, err = parseNullTime(revoked); err != nil {
		return nil, err
	}
	return &h, nil
}

// FindFeedbackHook returns a hook by id.
func (db *DB) FindFeedbackHook(ctx context.Context, id string) (*touchpoint.FeedbackHook, error) {
	h, err := scanHook(db.rdb.QueryRowContext(ctx, db.query("hook_get"), sql.Named("id", id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "hook %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find hook: %w", err)
	}
	return h, nil
}

// FindFeedbackHooks lists a workspace's hooks.
func (db *DB) FindFeedbackHooks(ctx context.Context, workspace string) ([]*touchpoint.FeedbackHook, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("hook_list"), sql.Named("workspace", workspace))
	if err != nil {
		return nil, fmt.Errorf("find hooks: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.FeedbackHook{}
	for rows.Next() {
		h, err := scanHook(rows)
		if err != nil {
			return nil, fmt.Errorf("find hooks: %w", err)
		}
		out = append(out, h)
	}
	return out, rows.Err()
}

// UpdateFeedbackHook replaces a live hook's settings; its id and secret stay.
func (db *DB) UpdateFeedbackHook(ctx context.Context, h *touchpoint.FeedbackHook) error {
	h.Normalize()
	if err := h.Validate(); err != nil {
		return err
	}
	old, err := db.FindFeedbackHook(ctx, h.ID)
	if err != nil {
		return err
	}
	if old.Workspace != h.Workspace {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "hook %q not found", h.ID)
	}
	if old.RevokedAt != nil {
		return touchpoint.Errorf(touchpoint.ECONFLICT, "hook %q was revoked", h.ID)
	}
	h.Secret, h.CreatedAt, h.UpdatedAt = old.Secret, old.CreatedAt, db.now()
	body, err := json.Marshal(hookBody(h))
	if err != nil {
		return fmt.Errorf("update hook: %w", err)
	}
	if _, err := db.db.ExecContext(ctx, db.query("hook_update"), sql.Named("workspace", h.Workspace), sql.Named("id", h.ID),
		sql.Named("name", h.Name), sql.Named("body", string(body)), sql.Named("updated_at", formatTime(h.UpdatedAt))); err != nil {
		if isUniqueViolation(err) {
			return &touchpoint.Error{Code: touchpoint.ECONFLICT, Field: "name", Message: fmt.Sprintf("name: a hook named %q exists", h.Name)}
		}
		return fmt.Errorf("update hook: %w", err)
	}
	return nil
}

// RevokeFeedbackHook stops a hook for good.
func (db *DB) RevokeFeedbackHook(ctx context.Context, workspace, id string) (*touchpoint.FeedbackHook, error) {
	if _, err := db.db.ExecContext(ctx, db.query("hook_revoke"), sql.Named("workspace", workspace), sql.Named("id", id), sql.Named("at", formatTime(db.now()))); err != nil {
		return nil, fmt.Errorf("revoke hook: %w", err)
	}
	h, err := db.FindFeedbackHook(ctx, id)
	if err != nil || h.Workspace != workspace {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "hook %q not found", id)
	}
	return h, nil
}
