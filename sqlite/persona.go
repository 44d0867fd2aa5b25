package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// NextPersonaRun numbers a new discovery run.
func (db *DB) NextPersonaRun(ctx context.Context) (uint64, error) {
	var n uint64
	if err := db.rdb.QueryRowContext(ctx, db.query("persona_run_next")).Scan(&n); err != nil {
		return 0, fmt.Errorf("persona run: %w", err)
	}
	return n, nil
}

// LastPersonaRun is the number of the newest discovery run (0 if none).
func (db *DB) LastPersonaRun(ctx context.Context) (uint64, error) {
	var n uint64
	if err := db.rdb.QueryRowContext(ctx, db.query("persona_run_last")).Scan(&n); err != nil {
		return 0, fmt.Errorf("persona run: %w", err)
	}
	return n, nil
}

// ReplacePersonas replaces a workspace's discovered personas, their
// members and the run's description, in one transaction.
func (db *DB) ReplacePersonas(ctx context.Context, run *touchpoint.PersonaRun, ps []*touchpoint.Persona, members map[string][]string) error {
	ctx = context.WithoutCancel(ctx)
	tx, err := db.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("replace personas: %w", err)
	}
	defer tx.Rollback()
	ws := sql.Named("workspace", run.Workspace)
	for _, q := range []string{"persona_delete_all", "persona_members_delete_all"} {
		if _, err := tx.ExecContext(ctx, db.query(q), ws); err != nil {
			return fmt.Errorf("replace personas: %w", err)
		}
	}
	at := formatTime(run.At)
	for _, p := range ps {
		features, err := json.Marshal(p.Features)
		if err != nil {
			return fmt.Errorf("replace personas: %w", err)
		}
		var nps, churn any
		if p.NPS != nil {
			nps = *p.NPS
		}
		if p.ChurnRisk != nil {
			churn = *p.ChurnRisk
		}
		if _, err := tx.ExecContext(ctx, db.query("persona_insert"), ws, sql.Named("id", p.ID), sql.Named("run", run.Run), sql.Named("name", p.Name),
			sql.Named("description", p.Description), sql.Named("size", p.Size), sql.Named("share", p.Share), sql.Named("nps", nps),
			sql.Named("nps_responses", p.NPSResponses), sql.Named("churn_risk", churn), sql.Named("churn_source", p.ChurnSource),
			sql.Named("features", string(features)), sql.Named("at", at)); err != nil {
			return fmt.Errorf("replace personas: %w", err)
		}
	}
	ins, err := tx.PrepareContext(ctx, db.query("persona_member_insert"))
	if err != nil {
		return fmt.Errorf("replace personas: %w", err)
	}
	defer ins.Close()
	for id, profiles := range members {
		for _, p := range profiles {
			if _, err := ins.ExecContext(ctx, ws, sql.Named("persona", id), sql.Named("profile", p)); err != nil {
				return fmt.Errorf("replace personas: %w", err)
			}
		}
	}
	body, err := json.Marshal(run)
	if err != nil {
		return fmt.Errorf("replace personas: %w", err)
	}
	if _, err := tx.ExecContext(ctx, db.query("persona_run_save"), ws, sql.Named("run", run.Run), sql.Named("body", string(body)), sql.Named("at", at)); err != nil {
		return fmt.Errorf("replace personas: %w", err)
	}
	return tx.Commit()
}

// FindPersonas lists a workspace's discovered personas, largest first,
// and the run that found them (nil if none ran).
func (db *DB) FindPersonas(ctx context.Context, workspace string) ([]*touchpoint.Persona, *touchpoint.PersonaRun, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("persona_list"), sql.Named("workspace", workspace))
	if err != nil {
		return nil, nil, fmt.Errorf("find personas: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.Persona{}
	for rows.Next() {
		p := &touchpoint.Persona{Workspace: workspace, Kind: touchpoint.PersonaDiscovered}
		var nps, churn sql.NullFloat64
		var features, at string
		if err := rows.Scan(&p.ID, &p.Name, &p.Description, &p.Size, &p.Share, &nps, &p.NPSResponses, &churn, &p.ChurnSource, &features, &at); err != nil {
			return nil, nil, fmt.Errorf("find personas: %w", err)
		}
		if nps.Valid {
			p.NPS = &nps.Float64
		}
		if churn.Valid {
			p.ChurnRisk = &churn.Float64
		}
		if err := json.Unmarshal([]byte(features), &p.Features); err != nil {
			return nil, nil, fmt.Errorf("find personas: %w", err)
		}
		if p.RefreshedAt, err = parseTime(at); err != nil {
			return nil, nil, err
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, nil, fmt.Errorf("find personas: %w", err)
	}
	var body, at string
	err = db.rdb.QueryRowContext(ctx, db.query("persona_run_get"), sql.Named("workspace", workspace)).Scan(&body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return out, nil, nil
	} else if err != nil {
		return nil, nil, fmt.Errorf("find personas: %w", err)
	}
	var run touchpoint.PersonaRun
	if err := json.Unmarshal([]byte(body), &run); err != nil {
		return nil, nil, fmt.Errorf("find personas: %w", err)
	}
	return out, &run, nil
}

// PersonaRunAge is when a workspace's personas were last discovered.
func (db *DB) PersonaRunAge(ctx context.Context, workspace string) (time.Time, bool, error) {
	var body, at string
	err := db.rdb.QueryRowContext(ctx, db.query("persona_run_get"), sql.Named("workspace", workspace)).Scan(&body, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	} else if err != nil {
		return time.Time{}, false, fmt.Errorf("persona run: %w", err)
	}
	t, err := parseTime(at)
	return t, err == nil, err
}

// AllPersonaMembers calls fn for every member of every discovered persona.
func (db *DB) AllPersonaMembers(ctx context.Context, fn func(workspace, personaID, profileID string) error) error {
	rows, err := db.rdb.QueryContext(ctx, db.query("persona_members_all"))
	if err != nil {
		return fmt.Errorf("persona members: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ws, id, p string
		if err := rows.Scan(&ws, &id, &p); err != nil {
			return fmt.Errorf("persona members: %w", err)
		}
		if err := fn(ws, id, p); err != nil {
			return err
		}
	}
	return rows.Err()
}

func (db *DB) personaExists(ctx context.Context, workspace, id string) error {
	var n int
	if err := db.rdb.QueryRowContext(ctx, db.query("persona_exists"), sql.Named("workspace", workspace), sql.Named("persona", id)).Scan(&n); err != nil {
		return fmt.Errorf("find persona: %w", err)
	}
	if n == 0 {
		return touchpoint.Errorf(touchpoint.ENOTFOUND, "persona %q not found", id)
	}
	return nil
}

// PersonaMembersPage pages through a persona's members with their
// identifiers.
func (db *DB) PersonaMembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error) {
	if f.Limit == 0 {
		f.Limit = touchpoint.DefaultMemberLimit
	}
	if f.Limit < 1 || f.Limit > touchpoint.MaxMemberLimit {
		return nil, touchpoint.FieldError("limit", "must be between 1 and %d", touchpoint.MaxMemberLimit)
	}
	if err := db.personaExists(ctx, f.Workspace, f.SegmentID); err != nil {
		return nil, err
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("persona_members_page"), sql.Named("workspace", f.Workspace),
		sql.Named("persona", f.SegmentID), sql.Named("after", f.After), sql.Named("limit", f.Limit))
	if err != nil {
		return nil, fmt.Errorf("persona members: %w", err)
	}
	out := []touchpoint.SegmentMember{}
	for rows.Next() {
		var m touchpoint.SegmentMember
		if err := rows.Scan(&m.ProfileID); err != nil {
			rows.Close()
			return nil, fmt.Errorf("persona members: %w", err)
		}
		out = append(out, m)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("persona members: %w", err)
	}
	return out, db.fillMembers(ctx, out)
}

// PersonaMemberIDs lists a persona's members.
func (db *DB) PersonaMemberIDs(ctx context.Context, workspace, personaID string) ([]string, error) {
	if err := db.personaExists(ctx, workspace, personaID); err != nil {
		return nil, err
	}
	rows, err := db.rdb.QueryContext(ctx, db.query("persona_members_ids"), sql.Named("workspace", workspace), sql.Named("persona", personaID))
	if err != nil {
		return nil, fmt.Errorf("persona members: %w", err)
	}
	defer rows.Close()
	out := []string{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("persona members: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// IsPersonaMember reports whether a profile is in a persona.
func (db *DB) IsPersonaMember(ctx context.Context, workspace, personaID, profileID string) (bool, error) {
	if err := db.personaExists(ctx, workspace, personaID); err != nil {
		return false, err
	}
	var n int
	if err := db.rdb.QueryRowContext(ctx, db.query("persona_member_is"), sql.Named("workspace", workspace), sql.Named("persona", personaID),
		sql.Named("profile", profileID)).Scan(&n); err != nil {
		return false, fmt.Errorf("persona member: %w", err)
	}
	return n > 0, nil
}
