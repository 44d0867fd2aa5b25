package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

var surveyIDPattern = regexp.MustCompile(`^srv_[a-z0-9_]{1,60}$`)

// CreateSurvey stores a new survey.
func (db *DB) CreateSurvey(ctx context.Context, s *touchpoint.Survey) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := db.FindWorkspace(ctx, s.Workspace); err != nil {
		return err
	}
	// An id given by the caller (the demo, an import of definitions) is
	// kept if it looks like one of ours.
	if s.ID == "" {
		s.ID = randomID("srv_", 16)
	} else if !surveyIDPattern.MatchString(s.ID) {
		return touchpoint.FieldError("id", "must be srv_ followed by 1-60 lower-case letters, digits or '_'")
	}
	s.Version = 1
	s.CreatedAt = db.now()
	s.UpdatedAt = s.CreatedAt
	def, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("create survey: %w", err)
	}
	if _, err := db.db.ExecContext(ctx, db.query("survey_insert"), surveyArgs(s, def)...); err != nil {
		if isUniqueViolation(err) {
			return touchpoint.Errorf(touchpoint.ECONFLICT, "survey %q exists", s.ID)
		}
		return fmt.Errorf("create survey: %w", err)
	}
	return nil
}

func surveyArgs(s *touchpoint.Survey, def []byte) []any {
	return []any{sql.Named("id", s.ID), sql.Named("workspace", s.Workspace), sql.Named("name", s.Name),
		sql.Named("type", string(s.Type)), sql.Named("status", s.Status), sql.Named("widget", s.Widget != nil && s.Widget.Enabled),
		sql.Named("definition", string(def)), sql.Named("version", s.Version),
		sql.Named("created_at", formatTime(s.CreatedAt)), sql.Named("updated_at", formatTime(s.UpdatedAt))}
}

// FindSurvey returns a survey.
func (db *DB) FindSurvey(ctx context.Context, workspace, id string) (*touchpoint.Survey, error) {
	var def string
	err := db.rdb.QueryRowContext(ctx, db.query("survey_get"), sql.Named("workspace", workspace), sql.Named("id", id)).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "survey %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find survey: %w", err)
	}
	var s touchpoint.Survey
	if err := json.Unmarshal([]byte(def), &s); err != nil {
		return nil, fmt.Errorf("find survey: %w", err)
	}
	return &s, nil
}

// FindSurveys returns matching surveys, newest first.
func (db *DB) FindSurveys(ctx context.Context, f touchpoint.SurveyFilter) ([]*touchpoint.Survey, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("survey_list"), sql.Named("workspace", f.Workspace),
		sql.Named("status", f.Status), sql.Named("widget", f.Widget))
	if err != nil {
		return nil, fmt.Errorf("find surveys: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Survey{}
	for rows.Next() {
		var def string
		if err := rows.Scan(&def); err != nil {
			return nil, fmt.Errorf("find surveys: %w", err)
		}
		var s touchpoint.Survey
		if err := json.Unmarshal([]byte(def), &s); err != nil {
			return nil, fmt.Errorf("find surveys: %w", err)
		}
		out = append(out, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find surveys: %w", err)
	}
	return out, nil
}

// UpdateSurvey replaces a survey's definition.
func (db *DB) UpdateSurvey(ctx context.Context, s *touchpoint.Survey) error {
	s.Normalize()
	if err := s.Validate(); err != nil {
		return err
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("update survey: %w", err)
	}
	defer tx.Rollback()
	var def string
	err = tx.QueryRowContext(ctx, db.query("survey_get"), sql.Named("workspace", s.Workspace), sql.Named("id", s.ID)).Scan(&def)
	if errors.Is(err, sql.ErrNoRows) {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "survey %q not found", s.ID)
	} else if err != nil {
		return fmt.Errorf("update survey: %w", err)
	}
	var old touchpoint.Survey
	if err := json.Unmarshal([]byte(def), &old); err != nil {
		return fmt.Errorf("update survey: %w", err)
	}
	var answered bool
	if err := tx.QueryRowContext(ctx, db.query("survey_has_responses"), sql.Named("workspace", s.Workspace), sql.Named("id", s.ID)).Scan(&answered); err != nil {
		return fmt.Errorf("update survey: %w", err)
	}
	if answered {
		// Stored answers name questions by id; a question whose id now
		// means something else would make them unreadable.
		for i, q := range s.Questions {
			if o := old.Question(q.ID); o != nil && o.Type != q.Type {
				return &touchpoint.Error{Code: touchpoint.ECONFLICT, Field: fmt.Sprintf("questions[%d].type", i),
					Message: fmt.Sprintf("questions[%d].type: question %q has answers as %s; give the new question a new id", i, q.ID, o.Type)}
			}
		}
	}
	s.CreatedAt = old.CreatedAt
	s.UpdatedAt = db.now()
	s.Version = old.Version + 1
	body, err := json.Marshal(s)
	if err != nil {
		return fmt.Errorf("update survey: %w", err)
	}
	res, err := tx.ExecContext(ctx, db.query("survey_update"), surveyArgs(s, body)...)
	if err != nil {
		return fmt.Errorf("update survey: %w", err)
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return touchpoint.Errorf(touchpoint.ECONFLICT, "survey %q changed meanwhile; read it again", s.ID)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("update survey: %w", err)
	}
	return nil
}

// SurveySettings returns a workspace's survey settings.
func (db *DB) SurveySettings(ctx context.Context, workspace string) (touchpoint.SurveySettings, error) {
	st, _, err := db.surveySettings(ctx, workspace)
	return st, err
}

// SurveySecret returns the workspace's link-signing key.
func (db *DB) SurveySecret(ctx context.Context, workspace string) ([]byte, error) {
	_, secret, err := db.surveySettings(ctx, workspace)
	return secret, err
}

func (db *DB) surveySettings(ctx context.Context, workspace string) (touchpoint.SurveySettings, []byte, error) {
	read := func() (touchpoint.SurveySettings, []byte, error) {
		var st touchpoint.SurveySettings
		var secret []byte
		var updated string
		err := db.rdb.QueryRowContext(ctx, db.query("survey_settings_get"), sql.Named("workspace", workspace)).Scan(&st.CooldownDays, &secret, &updated)
		if err != nil {
			return st, nil, err
		}
		st.UpdatedAt, err = parseTime(updated)
		return st, secret, err
	}
	st, secret, err := read()
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := db.FindWorkspace(ctx, workspace); err != nil {
			return st, nil, err
		}
		key := make([]byte, 32)
		rand.Read(key)
		def := touchpoint.DefaultSurveySettings()
		if _, err := db.db.ExecContext(ctx, db.query("survey_settings_init"), sql.Named("workspace", workspace),
			sql.Named("cooldown_days", def.CooldownDays), sql.Named("secret", key), sql.Named("updated_at", formatTime(db.now()))); err != nil {
			return st, nil, fmt.Errorf("survey settings: %w", err)
		}
		st, secret, err = read()
	}
	if err != nil {
		return st, nil, fmt.Errorf("survey settings: %w", err)
	}
	return st, secret, nil
}

// SetSurveySettings stores a workspace's survey settings.
func (db *DB) SetSurveySettings(ctx context.Context, workspace string, s touchpoint.SurveySettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, _, err := db.surveySettings(ctx, workspace); err != nil {
		return err
	}
	if _, err := db.db.ExecContext(ctx, db.query("survey_settings_set"), sql.Named("workspace", workspace),
		sql.Named("cooldown_days", s.CooldownDays), sql.Named("updated_at", formatTime(db.now()))); err != nil {
		return fmt.Errorf("set survey settings: %w", err)
	}
	return nil
}

// CreateSurveyInvitation stores inv if allow accepts the customer's history; the
// check and the insert share one write transaction.
func (db *DB) CreateSurveyInvitation(ctx context.Context, inv *touchpoint.SurveyInvitation, keys []string, allow func([]*touchpoint.SurveyInvitation) error) error {
	if inv.Workspace == "" || inv.SurveyID == "" || inv.CustomerKey == "" {
		return touchpoint.FieldError("customer", "an invitation needs a workspace, a survey and a customer")
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	defer tx.Rollback()
	if !slices.Contains(keys, inv.CustomerKey) {
		keys = append(slices.Clone(keys), inv.CustomerKey)
	}
	history, err := surveyInvitationHistory(ctx, tx, db.query("invitation_history"), inv.Workspace, keys)
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	if allow != nil {
		if err := allow(history); err != nil {
			return err
		}
	}
	if inv.ID == "" {
		inv.ID = randomID("inv_", 20)
	}
	if inv.CreatedAt.IsZero() {
		inv.CreatedAt = db.now()
	}
	_, err = tx.ExecContext(ctx, db.query("invitation_insert"), sql.Named("id", inv.ID), sql.Named("workspace", inv.Workspace),
		sql.Named("survey_id", inv.SurveyID), sql.Named("customer_key", inv.CustomerKey), sql.Named("profile_id", nullStr(inv.ProfileID)),
		sql.Named("user_id", nullStr(inv.UserID)), sql.Named("anonymous_id", nullStr(inv.AnonymousID)), sql.Named("email", nullStr(inv.Email)),
		sql.Named("delivery", inv.Delivery), sql.Named("language", inv.Language), sql.Named("touchpoint", nullStr(inv.Touchpoint)),
		sql.Named("created_at", formatTime(inv.CreatedAt)), sql.Named("expires_at", formatTime(inv.ExpiresAt)))
	if err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("create invitation: %w", err)
	}
	return nil
}

func surveyInvitationHistory(ctx context.Context, q querier, query, workspace string, keys []string) ([]*touchpoint.SurveyInvitation, error) {
	if keys == nil {
		keys = []string{}
	}
	b, _ := json.Marshal(keys)
	rows, err := q.QueryContext(ctx, query, sql.Named("workspace", workspace), sql.Named("keys", string(b)))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	history := []*touchpoint.SurveyInvitation{}
	for rows.Next() {
		h, err := scanSurveyInvitation(rows)
		if err != nil {
			return nil, err
		}
		history = append(history, h)
	}
	return history, rows.Err()
}

// SurveyInvitationHistory returns the invitations of any of a customer's keys,
// newest first.
func (db *DB) SurveyInvitationHistory(ctx context.Context, workspace string, keys []string) ([]*touchpoint.SurveyInvitation, error) {
	h, err := surveyInvitationHistory(ctx, db.rdb, db.query("invitation_history"), workspace, keys)
	if err != nil {
		return nil, fmt.Errorf("invitation history: %w", err)
	}
	return h, nil
}

// FindSurveyInvitation returns an invitation by id.
func (db *DB) FindSurveyInvitation(ctx context.Context, id string) (*touchpoint.SurveyInvitation, error) {
	inv, err := scanSurveyInvitation(db.rdb.QueryRowContext(ctx, db.query("invitation_get"), sql.Named("id", id)))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "invitation %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find invitation: %w", err)
	}
	return inv, nil
}

// MarkSurveyInvitation records an invitation being opened or dismissed.
func (db *DB) MarkSurveyInvitation(ctx context.Context, id, what string, at time.Time) error {
	var q string
	switch what {
	case "opened":
		q = "invitation_mark_opened"
	case "dismissed":
		q = "invitation_mark_dismissed"
	default:
		return touchpoint.FieldError("what", "must be opened or dismissed")
	}
	res, err := db.db.ExecContext(ctx, db.query(q), sql.Named("id", id), sql.Named("at", formatTime(at)))
	if err != nil {
		return fmt.Errorf("mark invitation: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "invitation %q not found", id)
	}
	return nil
}

func scanSurveyInvitation(s scanner) (*touchpoint.SurveyInvitation, error) {
	var inv touchpoint.SurveyInvitation
	var profile, user, anon, email, tp, opened, answered, completed, dismissed sql.NullString
	var created, expires string
	if err := s.Scan(&inv.ID, &inv.Workspace, &inv.SurveyID, &inv.CustomerKey, &profile, &user, &anon, &email, &inv.Delivery,
		&inv.Language, &tp, &created, &expires, &opened, &answered, &completed, &dismissed); err != nil {
		return nil, err
	}
	inv.ProfileID, inv.UserID, inv.AnonymousID, inv.Email, inv.Touchpoint = profile.String, user.String, anon.String, email.String, tp.String
	var err error
	if inv.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	if inv.ExpiresAt, err = parseTime(expires); err != nil {
		return nil, err
	}
	for _, p := range []struct {
		dst **time.Time
		src sql.NullString
	}{{&inv.OpenedAt, opened}, {&inv.AnsweredAt, answered}, {&inv.CompletedAt, completed}, {&inv.DismissedAt, dismissed}} {
		if *p.dst, err = parseNullTime(p.src); err != nil {
			return nil, err
		}
	}
	return &inv, nil
}

// SaveResponse stores a response's first or next revision.
func (db *DB) SaveResponse(ctx context.Context, r *touchpoint.Response) error {
	if r.Workspace == "" || r.SurveyID == "" || r.InvitationID == "" {
		return touchpoint.FieldError("invitation_id", "a response needs a workspace, a survey and an invitation")
	}
	if r.Flags == nil {
		r.Flags = []string{}
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("save response: %w", err)
	}
	defer tx.Rollback()
	if r.ID == "" {
		r.ID = randomID("rsp_", 20)
	}
	body, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("save response: %w", err)
	}
	args := []any{sql.Named("id", r.ID), sql.Named("workspace", r.Workspace), sql.Named("survey_id", r.SurveyID),
		sql.Named("invitation_id", r.InvitationID), sql.Named("customer_key", r.CustomerKey), sql.Named("complete", r.Complete),
		sql.Named("revision", r.Revision), sql.Named("body", string(body)), sql.Named("started_at", formatTime(r.StartedAt)),
		sql.Named("updated_at", formatTime(r.UpdatedAt))}
	if r.Revision == 1 {
		if _, err := tx.ExecContext(ctx, db.query("response_insert"), args...); err != nil {
			if isUniqueViolation(err) {
				return touchpoint.Errorf(touchpoint.ECONFLICT, "invitation %q was answered meanwhile", r.InvitationID)
			}
			return fmt.Errorf("save response: %w", err)
		}
	} else {
		res, err := tx.ExecContext(ctx, db.query("response_update"), args...)
		if err != nil {
			return fmt.Errorf("save response: %w", err)
		}
		if n, _ := res.RowsAffected(); n != 1 {
			var rev int
			var complete bool
			err := tx.QueryRowContext(ctx, db.query("response_state"), sql.Named("id", r.ID)).Scan(&rev, &complete)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				return touchpoint.Errorf(touchpoint.ENOTFOUND, "response %q not found", r.ID)
			case err != nil:
				return fmt.Errorf("save response: %w", err)
			case complete:
				return touchpoint.Errorf(touchpoint.ECONFLICT, "this survey was already answered")
			}
			return touchpoint.Errorf(touchpoint.ECONFLICT, "response %q is at revision %d, not %d", r.ID, rev, r.Revision-1)
		}
	}
	if _, err := tx.ExecContext(ctx, db.query("invitation_mark_answered"), sql.Named("id", r.InvitationID),
		sql.Named("at", formatTime(r.UpdatedAt)), sql.Named("complete", r.Complete)); err != nil {
		return fmt.Errorf("save response: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("save response: %w", err)
	}
	return nil
}

// FindResponse returns a response.
func (db *DB) FindResponse(ctx context.Context, workspace, id string) (*touchpoint.Response, error) {
	return db.oneResponse(ctx, "response_get", sql.Named("workspace", workspace), sql.Named("id", id))
}

// FindResponseByInvitation returns the response to an invitation.
func (db *DB) FindResponseByInvitation(ctx context.Context, invitationID string) (*touchpoint.Response, error) {
	return db.oneResponse(ctx, "response_by_invitation", sql.Named("invitation_id", invitationID))
}

func (db *DB) oneResponse(ctx context.Context, q string, args ...any) (*touchpoint.Response, error) {
	var body string
	err := db.rdb.QueryRowContext(ctx, db.query(q), args...).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "response not found")
	} else if err != nil {
		return nil, fmt.Errorf("find response: %w", err)
	}
	var r touchpoint.Response
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		return nil, fmt.Errorf("find response: %w", err)
	}
	return &r, nil
}

// FindResponses returns matching responses, newest first.
func (db *DB) FindResponses(ctx context.Context, f touchpoint.ResponseFilter) ([]*touchpoint.Response, error) {
	limit := f.Limit
	if limit == 0 {
		limit = 100
	}
	if limit < 1 || limit > 1000 {
		return nil, touchpoint.FieldError("limit", "must be between 1 and 1000")
	}
	var customers, since, before any
	if f.Customers != nil {
		b, _ := json.Marshal(f.Customers)
		customers = string(b)
	}
	if f.Since != nil {
		since = formatTime(*f.Since)
	}
	if f.Before != "" {
		before = f.Before
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("response_list"), sql.Named("workspace", f.Workspace), sql.Named("survey_id", f.SurveyID),
		sql.Named("customers", customers), sql.Named("since", since), sql.Named("before", before), sql.Named("limit", limit))
	if err != nil {
		return nil, fmt.Errorf("find responses: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Response{}
	for rows.Next() {
		var body string
		if err := rows.Scan(&body); err != nil {
			return nil, fmt.Errorf("find responses: %w", err)
		}
		var r touchpoint.Response
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, fmt.Errorf("find responses: %w", err)
		}
		out = append(out, &r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find responses: %w", err)
	}
	return out, nil
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}
