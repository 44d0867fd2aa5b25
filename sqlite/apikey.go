package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/touchpoint-cx/touchpoint"
)

// CreateAPIKey stores k and returns its secret, which is not kept.
func (db *DB) CreateAPIKey(ctx context.Context, k *touchpoint.APIKey) (string, error) {
	if k.Name == "" {
		return "", touchpoint.FieldError("name", "required")
	}
	if _, err := db.FindWorkspace(ctx, k.Workspace); err != nil {
		return "", err
	}
	secret := randomID("tpk_", 40)
	k.ID = randomID("key_", 16)
	k.CreatedAt = db.now()
	k.RevokedAt = nil
	if _, err := db.db.ExecContext(ctx, db.query("create_api_key"), k.ID, k.Workspace, k.Name, hashSecret(secret), formatTime(k.CreatedAt)); err != nil {
		return "", fmt.Errorf("create api key: %w", err)
	}
	return secret, nil
}

// AuthenticateAPIKey returns the live key with this secret.
func (db *DB) AuthenticateAPIKey(ctx context.Context, secret string) (*touchpoint.APIKey, error) {
	var k touchpoint.APIKey
	var created string
	err := db.rdb.QueryRowContext(ctx, db.query("authenticate_api_key"), hashSecret(secret)).Scan(&k.ID, &k.Workspace, &k.Name, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, touchpoint.Errorf(touchpoint.EUNAUTHORIZED, "invalid admin key")
	} else if err != nil {
		return nil, fmt.Errorf("authenticate api key: %w", err)
	}
	if k.CreatedAt, err = parseTime(created); err != nil {
		return nil, fmt.Errorf("authenticate api key: %w", err)
	}
	return &k, nil
}

// hashSecret is how admin secrets are stored. The secrets are long and
// random, so a plain SHA-256 is enough: there is nothing to brute-force.
func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// FindAPIKeys lists a workspace's keys, revoked ones too.
func (db *DB) FindAPIKeys(ctx context.Context, workspace string) ([]*touchpoint.APIKey, error) {
	rows, err := db.rdb.QueryContext(ctx, db.query("api_keys_find"), workspace)
	if err != nil {
		return nil, fmt.Errorf("find api keys: %w", err)
	}
	defer rows.Close()
	out := []*touchpoint.APIKey{}
	for rows.Next() {
		var k touchpoint.APIKey
		var created string
		var revoked sql.NullString
		if err := rows.Scan(&k.ID, &k.Workspace, &k.Name, &created, &revoked); err != nil {
			return nil, fmt.Errorf("find api keys: %w", err)
		}
		if k.CreatedAt, err = parseTime(created); err != nil {
			return nil, fmt.Errorf("find api keys: %w", err)
		}
		if k.RevokedAt, err = parseNullTime(revoked); err != nil {
			return nil, fmt.Errorf("find api keys: %w", err)
		}
		out = append(out, &k)
	}
	return out, rows.Err()
}

// RevokeAPIKey revokes a key; revoking twice keeps the first time.
func (db *DB) RevokeAPIKey(ctx context.Context, workspace, id string) (*touchpoint.APIKey, error) {
	res, err := db.db.ExecContext(ctx, db.query("api_key_revoke"), formatTime(db.now()), workspace, id)
	if err != nil {
		return nil, fmt.Errorf("revoke api key: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "admin key %q not found", id)
	}
	keys, err := db.FindAPIKeys(ctx, workspace)
	if err != nil {
		return nil, err
	}
	for _, k := range keys {
		if k.ID == id {
			return k, nil
		}
	}
	return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "admin key %q not found", id)
}
