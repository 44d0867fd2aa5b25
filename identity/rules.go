package identity

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// RulesCache keeps workspaces' merge rules in memory for the engine, which
// needs them for every event. Changes made through this process apply at
// once (Forget); changes made elsewhere within ttl.
type RulesCache struct {
	load   func(ctx context.Context, workspace string) (touchpoint.IdentityRules, error)
	ttl    time.Duration
	logger *slog.Logger

	mu      sync.Mutex
	entries map[string]rulesEntry
}

type rulesEntry struct {
	rules   touchpoint.IdentityRules
	expires time.Time
}

// NewRulesCache returns a cache over load.
func NewRulesCache(load func(ctx context.Context, workspace string) (touchpoint.IdentityRules, error), ttl time.Duration, logger *slog.Logger) *RulesCache {
	return &RulesCache{load: load, ttl: ttl, logger: logger, entries: map[string]rulesEntry{}}
}

// Rules returns a workspace's rules. If they cannot be read, the last ones
// known are used, else the defaults, and the failure is logged.
func (c *RulesCache) Rules(workspace string) touchpoint.IdentityRules {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[workspace]
	if ok && time.Now().Before(e.expires) {
		return e.rules
	}
	r, err := c.load(context.Background(), workspace)
	if err != nil {
		c.logger.Error("identity rules unreadable; using the last known or default rules", "workspace", workspace, "err", err)
		if !ok {
			e.rules = touchpoint.DefaultIdentityRules()
		}
		r = e.rules
	}
	c.entries[workspace] = rulesEntry{rules: r, expires: time.Now().Add(c.ttl)}
	return r
}

// Forget drops a workspace's cached rules so the next event reads them anew.
func (c *RulesCache) Forget(workspace string) {
	c.mu.Lock()
	delete(c.entries, workspace)
	c.mu.Unlock()
}
