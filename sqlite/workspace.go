package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
)

// CreateWorkspace stores a new workspace.
func (db *DB) CreateWorkspace(ctx context.Context, w *touchpoint.Workspace) error {
	if err := w.Validate(); err != nil {
		return err
	}
	w.CreatedAt = db.now()
	if _, err := db.db.ExecContext(ctx, db.query("create_workspace"), w.ID, w.Name, formatTime(w.CreatedAt)); err != nil {
		if isUniqueViolation(err) {
			return touchpoint.Errorf(touchpoint.ECONFLICT, "workspace %q already exists", w.ID)
		}
		return fmt.Errorf("create workspace: %w", err)
	}
	return nil
}

// FindWorkspace returns a workspace by id.
func (db *DB) FindWorkspace(ctx context.Context, id string) (*touchpoint.Workspace, error) {
	w, err := scanWorkspace(db.rdb.QueryRowContext(ctx, db.query("find_workspace"), id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "workspace %q not found", id)
	} else if err != nil {
		return nil, fmt.Errorf("find workspace: %w", err)
	}
	return w, nil
}

// ListWorkspaces returns every workspace ordered by id.
func (db *DB) ListWorkspaces(ctx context.Context) ([]*touchpoint.Workspace, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("list_workspaces"))
	if err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	defer rows.Close()
	var out []*touchpoint.Workspace
	for rows.Next() {
		w, err := scanWorkspace(rows)
		if err != nil {
			return nil, fmt.Errorf("list workspaces: %w", err)
		}
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list workspaces: %w", err)
	}
	return out, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanWorkspace(s scanner) (*touchpoint.Workspace, error) {
	var w touchpoint.Workspace
	var created string
	if err := s.Scan(&w.ID, &w.Name, &created); err != nil {
		return nil, err
	}
	var err error
	if w.CreatedAt, err = parseTime(created); err != nil {
		return nil, err
	}
	return &w, nil
}

// RenameWorkspace changes a workspace's display name.
func (db *DB) RenameWorkspace(ctx context.Context, id, name string) (*touchpoint.Workspace, error) {
	w := &touchpoint.Workspace{ID: id, Name: strings.TrimSpace(name)}
	if err := w.Validate(); err != nil {
		return nil, err
	}
	res, err := db.db.ExecContext(ctx, db.query("workspace_rename"), w.Name, id)
	if err != nil {
		return nil, fmt.Errorf("rename workspace: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "workspace %q not found", id)
	}
	return db.FindWorkspace(ctx, id)
}
