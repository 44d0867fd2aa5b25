package main

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

// InitResult is what `touchpoint init` prints: the keys a new install needs.
// The admin key is shown only here; only its hash is stored.
type InitResult struct {
	Workspace string `json:"workspace"`
	AdminKey  string `json:"admin_key"`
	WriteKey  string `json:"write_key"`
	// AdminEmail and AdminPassword sign the first owner in to the
	// dashboard. The password is shown only here; only its hash is stored.
	AdminEmail    string `json:"admin_email"`
	AdminPassword string `json:"admin_password"`
}

// DefaultAdminEmail is the first owner's email when init is not given one.
const DefaultAdminEmail = "admin@touchpoint.local"

func runInit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("init", stderr, "init --data DIR")
	config := commonFlags(fs)
	email := fs.String("admin-email", DefaultAdminEmail, "`email` of the first owner, who signs in to the dashboard")
	rest, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if err := noArgs("init", rest); err != nil {
		return err
	}
	cfg, err := config()
	if err != nil {
		return err
	}
	res, err := initDataDir(ctx, cfg.Data, *email)
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(res)
}

// initDataDir creates a data directory with the default workspace, an admin
// key, a first source and the first owner, who signs in with adminEmail and
// a random password. It refuses a directory that is already initialised.
func initDataDir(ctx context.Context, dir, adminEmail string) (InitResult, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return InitResult{}, fmt.Errorf("create data dir: %w", err)
	}
	path := filepath.Join(dir, stateFile)
	if _, err := os.Stat(path); err == nil {
		return InitResult{}, touchpoint.Errorf(touchpoint.ECONFLICT, "%s is already initialised; its admin key was printed when it was created", dir)
	} else if !errors.Is(err, os.ErrNotExist) {
		return InitResult{}, fmt.Errorf("init: %w", err)
	}
	lock, err := lockDataDir(dir)
	if err != nil {
		return InitResult{}, err
	}
	defer lock.Close()
	// Build the state in a temporary file and move it into place at the end,
	// so that an interrupted init leaves nothing half-made behind.
	tmp := path + ".init"
	os.Remove(tmp)
	db, err := sqlite.Open(ctx, tmp, touchpoint.SystemClock{})
	if err != nil {
		return InitResult{}, err
	}
	res, err := seedState(ctx, db, adminEmail)
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return InitResult{}, err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	if err := os.Rename(tmp, path); err != nil {
		return InitResult{}, fmt.Errorf("init: %w", err)
	}
	return res, nil
}

func seedState(ctx context.Context, db *sqlite.DB, adminEmail string) (InitResult, error) {
	ws := &touchpoint.Workspace{ID: touchpoint.DefaultWorkspace, Name: "Default"}
	if err := db.CreateWorkspace(ctx, ws); err != nil {
		return InitResult{}, err
	}
	secret, err := db.CreateAPIKey(ctx, &touchpoint.APIKey{Workspace: ws.ID, Name: "admin"})
	if err != nil {
		return InitResult{}, err
	}
	src := &touchpoint.Source{Workspace: ws.ID, Name: "Default", Type: "server"}
	if err := db.CreateSource(ctx, src); err != nil {
		return InitResult{}, err
	}
	// 26 base32 characters: 130 random bits, and easy to type from a terminal.
	password := strings.ToLower(rand.Text())
	owner := &touchpoint.User{Email: adminEmail, Name: "Admin"}
	if err := db.CreateUser(ctx, owner, password); err != nil {
		return InitResult{}, err
	}
	if _, err := db.SetMembership(ctx, ws.ID, owner.ID, touchpoint.RoleOwner); err != nil {
		return InitResult{}, err
	}
	return InitResult{Workspace: ws.ID, AdminKey: secret, WriteKey: src.WriteKey, AdminEmail: owner.Email, AdminPassword: password}, nil
}
