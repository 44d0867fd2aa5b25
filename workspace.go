package touchpoint

import (
	"context"
	"regexp"
	"time"
)

// DefaultWorkspace is the workspace `touchpoint init` creates.
const DefaultWorkspace = "default"

// Workspace is a brand or product: every record belongs to exactly one.
type Workspace struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	CreatedAt time.Time `json:"created_at"`
}

var workspaceIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,62}$`)

// Validate returns EINVALID naming the first bad field.
func (w *Workspace) Validate() error {
	if !workspaceIDPattern.MatchString(w.ID) {
		return FieldError("id", "must be 1-63 lower-case letters, digits, '-' or '_', starting with a letter or digit")
	}
	if w.Name == "" {
		return FieldError("name", "required")
	} else if len(w.Name) > 200 {
		return FieldError("name", "must be at most 200 characters")
	}
	return nil
}

// WorkspaceService manages workspaces.
type WorkspaceService interface {
	// CreateWorkspace stores a new workspace.
	// Returns EINVALID for a bad id or name, ECONFLICT if the id is taken.
	CreateWorkspace(ctx context.Context, w *Workspace) error

	// FindWorkspace returns a workspace by id. Returns ENOTFOUND if none.
	FindWorkspace(ctx context.Context, id string) (*Workspace, error)

	// ListWorkspaces returns every workspace ordered by id.
	ListWorkspaces(ctx context.Context) ([]*Workspace, error)

	// RenameWorkspace changes a workspace's display name.
	// Returns EINVALID for an empty name, ENOTFOUND if there is no such workspace.
	RenameWorkspace(ctx context.Context, id, name string) (*Workspace, error)
}
