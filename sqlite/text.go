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

// CreateTextModel records a workspace's trained sentiment model.
func (db *DB) CreateTextModel(ctx context.Context, m *touchpoint.TextModel) error {
	if err := m.Validate(); err != nil {
		return err
	}
	training := m.Training
	if len(training) == 0 || !json.Valid(training) {
		training = json.RawMessage("{}")
	}
	m.CreatedAt = db.now()
	_, err := db.db.ExecContext(ctx, db.query("text_model_insert"), m.ID, m.Workspace, strings.TrimSpace(m.Name), m.Language,
		m.SHA256, m.Size, string(training), m.CreatedBy, formatTime(m.CreatedAt))
	if isUniqueViolation(err) {
		return touchpoint.Errorf(touchpoint.ECONFLICT, "text model %q already exists", m.ID)
	} else if err != nil {
		return fmt.Errorf("create text model: %w", err)
	}
	m.Name = strings.TrimSpace(m.Name)
	m.Training = training
	return nil
}

// FindTextModel returns one of a workspace's models.
func (db *DB) FindTextModel(ctx context.Context, workspace, id string) (*touchpoint.TextModel, error) {
	m, err := scanTextModel(db.rdb.QueryRowContext(ctx, db.query("text_model_get"), workspace, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "text model %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find text model: %w", err)
	}
	return m, nil
}

// FindTextModels lists a workspace's models, newest first.
func (db *DB) FindTextModels(ctx context.Context, workspace string) ([]*touchpoint.TextModel, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("text_models_list"), workspace)
	if err != nil {
		return nil, fmt.Errorf("list text models: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.TextModel{}
	for rows.Next() {
		m, err := scanTextModel(rows)
		if err != nil {
			return nil, fmt.Errorf("list text models: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list text models: %w", err)
	}
	return out, nil
}

// DeleteTextModel removes a model's record unless it is in use.
func (db *DB) DeleteTextModel(ctx context.Context, workspace, id string) error {
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("delete text model: %w", err)
	}
	defer tx.Rollback()
	langs, err := chosenFor(ctx, tx, db.query("text_model_chosen_for"), workspace, id)
	if err != nil {
		return fmt.Errorf("delete text model: %w", err)
	}
	if len(langs) > 0 {
		return touchpoint.Errorf(touchpoint.ECONFLICT, "text model %q is the workspace's model for %s; choose another model for it first", id, strings.Join(langs, ", "))
	}
	res, err := tx.ExecContext(ctx, db.query("text_model_delete"), workspace, id)
	if err != nil {
		return fmt.Errorf("delete text model: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "text model %q not found", id)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("delete text model: %w", err)
	}
	return nil
}

func chosenFor(ctx context.Context, tx *sql.Tx, q, workspace, id string) ([]string, error) {
	rows, err := tx.QueryContext(ctx, q, workspace, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var langs []string
	for rows.Next() {
		var l string
		if err := rows.Scan(&l); err != nil {
			return nil, err
		}
		langs = append(langs, l)
	}
	return langs, rows.Err()
}

// TextModelChoices returns the workspace's chosen model per language.
func (db *DB) TextModelChoices(ctx context.Context, workspace string) (map[string]string, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("text_model_choices"), workspace)
	if err != nil {
		return nil, fmt.Errorf("text model choices: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var lang, id string
		if err := rows.Scan(&lang, &id); err != nil {
			return nil, fmt.Errorf("text model choices: %w", err)
		}
		out[lang] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("text model choices: %w", err)
	}
	return out, nil
}

// SetTextModelChoice chooses the workspace's model for a language.
func (db *DB) SetTextModelChoice(ctx context.Context, workspace, lang, model, by string) error {
	if !touchpoint.IsTextLanguage(lang) {
		return touchpoint.FieldError("language", "unsupported language %q (want en, vi, th or fa)", lang)
	}
	if model == touchpoint.BuiltinModel {
		if _, err := db.db.ExecContext(ctx, db.query("text_model_choice_delete"), workspace, lang); err != nil {
			return fmt.Errorf("set text model choice: %w", err)
		}
		return nil
	}
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("set text model choice: %w", err)
	}
	defer tx.Rollback()
	m, err := scanTextModel(tx.QueryRowContext(ctx, db.query("text_model_get"), workspace, model))
	if errors.Is(err, sql.ErrNoRows) {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "text model %q not found", model)
	} else if err != nil {
		return fmt.Errorf("set text model choice: %w", err)
	}
	if m.Language != lang {
		return touchpoint.FieldError("model", "model %s reads %s, not %s", model, m.Language, lang)
	}
	if _, err := tx.ExecContext(ctx, db.query("text_model_choice_set"), workspace, lang, model, by, formatTime(db.now())); err != nil {
		return fmt.Errorf("set text model choice: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("set text model choice: %w", err)
	}
	return nil
}

func scanTextModel(s scanner) (*touchpoint.TextModel, error) {
	var m touchpoint.TextModel
	var training, created string
	if err := s.Scan(&m.ID, &m.Workspace, &m.Name, &m.Language, &m.SHA256, &m.Size, &training, &m.CreatedBy, &created); err != nil {
		return nil, err
	}
	m.Training = json.RawMessage(training)
	t, err := parseTime(created)
	if err != nil {
		return nil, err
	}
	m.CreatedAt = t
	return &m, nil
}
