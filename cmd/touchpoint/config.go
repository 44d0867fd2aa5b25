package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
	"github.com/touchpoint-cx/touchpoint/sqlite"
)

// Config is everything Touchpoint reads at start-up. It is read here, in
// main, and passed down as values; no package below reads the environment.
type Config struct {
	// Data is the data directory (embedded stores, log files).
	Data string `json:"data"`
	// Addr is where the HTTP server listens.
	Addr string `json:"addr"`
	// LogLevel is debug, info, warn or error.
	LogLevel string `json:"log_level"`
	// LogFormat is text or json.
	LogFormat string         `json:"log_format"`
	Log       LogConfig      `json:"log"`
	Identity  IdentityConfig `json:"identity"`
	// PublicURL is where customers reach this server (survey links made
	// outside a request, e.g. by journeys, start with it). Empty: links
	// made through the API use the address the request came to.
	PublicURL string         `json:"public_url"`
	Segments  SegmentsConfig `json:"segments"`
}

// SegmentsConfig tunes segments, personas and destinations.
type SegmentsConfig struct {
	// SweepEvery is how often segments are evaluated again for windows
	// that time moved past ("not in 14 days"), as a Go duration.
	SweepEvery string `json:"sweep_every"`
	// PersonasEvery is how often personas are discovered again.
	PersonasEvery string `json:"personas_every"`
	// AllowedHosts may receive destination webhooks even on loopback or
	// private addresses (host or host:port); others are refused.
	AllowedHosts []string `json:"allowed_hosts"`
}

// IdentityConfig tunes identity resolution.
type IdentityConfig struct {
	// StateCache is how many recently active profiles resolution keeps
	// decoded in memory (about a kilobyte each).
	StateCache int `json:"state_cache"`
}

// LogConfig configures the event log.
type LogConfig struct {
	// URL of a NATS cluster; empty embeds a server in the process.
	URL        string `json:"url"`
	Partitions int    `json:"partitions"`
	Replicas   int    `json:"replicas"`
}

// DefaultConfig is a single-machine setup with embedded stores.
func DefaultConfig() Config {
	return Config{
		Data:      "./touchpoint-data",
		Addr:      "127.0.0.1:8080",
		LogLevel:  "info",
		LogFormat: "text",
		Log:       LogConfig{Partitions: 1, Replicas: 1},
		Identity:  IdentityConfig{StateCache: sqlite.DefaultStateCacheSize},
		Segments:  SegmentsConfig{SweepEvery: "1m", PersonasEvery: "24h"},
	}
}

// ParseConfig reads a JSON config file over the defaults. Unknown keys are
// errors, so that a misspelt setting is not silently ignored.
func ParseConfig(r io.Reader) (Config, error) {
	c := DefaultConfig()
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return c, fmt.Errorf("config: %w", err)
	}
	return c, nil
}

// applyEnv overrides the config from TOUCHPOINT_* variables.
func (c *Config) applyEnv(getenv func(string) string) {
	if v := getenv("TOUCHPOINT_DATA"); v != "" {
		c.Data = v
	}
	if v := getenv("TOUCHPOINT_ADDR"); v != "" {
		c.Addr = v
	}
	if v := getenv("TOUCHPOINT_LOG_LEVEL"); v != "" {
		c.LogLevel = v
	}
	if v := getenv("TOUCHPOINT_LOG_FORMAT"); v != "" {
		c.LogFormat = v
	}
	if v := getenv("TOUCHPOINT_NATS_URL"); v != "" {
		c.Log.URL = v
	}
	if v := getenv("TOUCHPOINT_PUBLIC_URL"); v != "" {
		c.PublicURL = v
	}
	if v := getenv("TOUCHPOINT_SEGMENTS_ALLOWED_HOSTS"); v != "" {
		c.Segments.AllowedHosts = strings.Split(v, ",")
	}
}

// Validate names the first bad key.
func (c Config) Validate() error {
	if strings.TrimSpace(c.Data) == "" {
		return touchpoint.FieldError("data", "required: the data directory")
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return touchpoint.FieldError("addr", "must be HOST:PORT, e.g. 127.0.0.1:8080")
	}
	if _, err := c.level(); err != nil {
		return err
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return touchpoint.FieldError("log_format", "must be text or json")
	}
	if c.Identity.StateCache < 0 || c.Identity.StateCache > 50_000_000 {
		return touchpoint.FieldError("identity.state_cache", "must be between 0 and 50000000 profiles")
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return touchpoint.FieldError("public_url", "must be an http(s) address such as https://cx.example.com")
		}
	}
	for _, k := range []struct{ key, v string }{{"segments.sweep_every", c.Segments.SweepEvery}, {"segments.personas_every", c.Segments.PersonasEvery}} {
		if d, err := time.ParseDuration(k.v); err != nil || d < time.Second {
			return touchpoint.FieldError(k.key, "must be a duration of a second or more, such as 1m or 24h")
		}
	}
	return c.logConfig().Validate()
}

// duration reads a validated duration setting.
func duration(s string) time.Duration {
	d, _ := time.ParseDuration(s)
	return d
}

func (c Config) level() (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(c.LogLevel)); err != nil {
		return l, touchpoint.FieldError("log_level", "must be debug, info, warn or error")
	}
	return l, nil
}

func (c Config) logConfig() tplog.Config {
	lc := tplog.DefaultConfig(c.Data + "/log")
	lc.URL, lc.Partitions, lc.Replicas = c.Log.URL, c.Log.Partitions, c.Log.Replicas
	return lc
}

// logger builds the process's structured logger.
func (c Config) logger(w io.Writer) *slog.Logger {
	level, _ := c.level()
	opts := &slog.HandlerOptions{Level: level}
	if c.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// loadConfig builds the config: defaults, then the file, then the environment.
// Flags are applied by the caller.
func loadConfig(path string) (Config, error) {
	c := DefaultConfig()
	if path != "" {
		f, err := os.Open(path)
		if err != nil {
			return c, fmt.Errorf("config: %w", err)
		}
		defer f.Close()
		if c, err = ParseConfig(f); err != nil {
			return c, err
		}
	}
	c.applyEnv(os.Getenv)
	return c, nil
}
