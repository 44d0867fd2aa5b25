package sqlite

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/touchpoint-cx/touchpoint"
)

// CreateSource stores s with a new id and write key.
func (db *DB) CreateSource(ctx context.Context, s *touchpoint.Source) error {
	if err := s.Validate(); err != nil {
		return err
	}
	if _, err := db.FindWorkspace(ctx, s.Workspace); err != nil {
		return err
	}
	s.ID = randomID("src_", 20)
	s.WriteKey = randomID("wk_", 32)
	s.CreatedAt = db.now()
	s.RevokedAt = nil
	if _, err := db.db.ExecContext(ctx, db.query("create_source"), s.ID, s.Workspace, s.Name, s.Type, s.WriteKey, formatTime(s.CreatedAt)); err != nil {
		return fmt.Errorf("create source: %w", err)
	}
	return nil
}

// FindSources returns matching sources ordered by creation time.
func (db *DB) FindSources(ctx context.Context, f touchpoint.SourceFilter) ([]*touchpoint.Source, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("find_sources"),
		sql.Named("workspace", f.Workspace), sql.Named("id", f.ID), sql.Named("write_key", f.WriteKey),
		sql.Named("include_revoked", f.IncludeRevoked))
	if err != nil {
		return nil, fmt.Errorf("find sources: %w", err)
	}
	defer rows.Close()
	var out []*touchpoint.Source
	for rows.Next() {
		var s touchpoint.Source
		var created string
		var revoked sql.NullString
		if err := rows.Scan(&s.ID, &s.Workspace, &s.Name, &s.Type, &s.WriteKey, &created, &revoked); err != nil {
			return nil, fmt.Errorf("find sources: %w", err)
		}
		if s.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("find sources: %w", err)
		}
		if s.RevokedAt, err = parseNullTime(revoked); err != nil {
			return nil, fmt.Errorf("find sources: %w", err)
		}
		out = append(out, &s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("find sources: %w", err)
	}
	return out, nil
}

// FindSourceByWriteKey returns the source holding key, revoked or not.
func (db *DB) FindSourceByWriteKey(ctx context.Context, key string) (*touchpoint.Source, error) {
	sources, err := db.FindSources(ctx, touchpoint.SourceFilter{WriteKey: &key, IncludeRevoked: true})
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "unknown write key")
	}
	return sources[0], nil
}

// RevokeSource revokes a source's write key. Revoking twice is harmless.
func (db *DB) RevokeSource(ctx context.Context, workspace, id string) (*touchpoint.Source, error) {
	if _, err := db.db.ExecContext(ctx, db.query("revoke_source"), formatTime(db.now()), workspace, id); err != nil {
		return nil, fmt.Errorf("revoke source: %w", err)
	}
	sources, err := db.FindSources(ctx, touchpoint.SourceFilter{Workspace: &workspace, ID: &id, IncludeRevoked: true})
	if err != nil {
		return nil, err
	}
	if len(sources) == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "source %q not found", id)
	}
	return sources[0], nil
}
