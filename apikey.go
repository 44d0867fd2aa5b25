package touchpoint

import (
	"context"
	"time"
)

// APIKey grants access to one workspace's admin API, presented as
// `Authorization: Bearer <secret>`. Only a hash of the secret is stored; the
// secret itself is shown once, when the key is created.
type APIKey struct {
	ID        string     `json:"id"`
	Workspace string     `json:"workspace"`
	Name      string     `json:"name"`
	CreatedAt time.Time  `json:"created_at"`
	RevokedAt *time.Time `json:"revoked_at,omitempty"`
}

// APIKeyService manages admin keys.
type APIKeyService interface {
	// CreateAPIKey stores k and returns its secret.
	// Returns EINVALID for bad fields, ENOTFOUND if the workspace is unknown.
	CreateAPIKey(ctx context.Context, k *APIKey) (secret string, err error)

	// AuthenticateAPIKey returns the live key whose secret this is.
	// Returns EUNAUTHORIZED if no live key has it.
	AuthenticateAPIKey(ctx context.Context, secret string) (*APIKey, error)

	// FindAPIKeys lists a workspace's keys, revoked ones too, oldest first.
	FindAPIKeys(ctx context.Context, workspace string) ([]*APIKey, error)

	// RevokeAPIKey stops a key from working. Revoking is final.
	// Returns ENOTFOUND if the key is not in the workspace.
	RevokeAPIKey(ctx context.Context, workspace, id string) (*APIKey, error)
}
