package main

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/mail"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/channel"
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
	// outside a request, e.g. by journeys, and unsubscribe links start
	// with it). Empty: links made through the API use the address the
	// request came to, and journeys the address the server listens on.
	PublicURL string `json:"public_url"`
	// Analytics sets the background refresh of journeys and scores.
	Analytics AnalyticsConfig `json:"analytics"`
	SMTP      SMTPConfig      `json:"smtp"`
	SMS       SMSConfig       `json:"sms"`
	Outbound  OutboundConfig  `json:"outbound"`
	Journeys  JourneysConfig  `json:"journeys"`
	Segments  SegmentsConfig  `json:"segments"`
}

// SegmentsConfig tunes segments, personas and destinations.
type SegmentsConfig struct {
	// SweepEvery is how often segments are evaluated again for windows
	// that time moved past ("not in 14 days"), as a Go duration.
	SweepEvery string `json:"sweep_every"`
	// PersonasEvery is how often personas are discovered again.
	PersonasEvery string `json:"personas_every"`
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

// SMTPConfig is the mail server journeys send email through.
type SMTPConfig struct {
	Host     string `json:"host"`
	Port     int    `json:"port"`
	Username string `json:"username"`
	Password string `json:"password"`
	// TLS is starttls (when offered), require, tls (implicit) or none.
	TLS                string `json:"tls"`
	From               string `json:"from"`
	HELO               string `json:"helo"`
	InsecureSkipVerify bool   `json:"insecure_skip_verify"`
}

// SMSConfig is the HTTP gateway journeys send SMS through, and the shape
// of its requests.
type SMSConfig struct {
	URL         string            `json:"url"`
	Method      string            `json:"method"`
	Headers     map[string]string `json:"headers"`
	ContentType string            `json:"content_type"`
	// Body is a Go template over .to, .from, .text and .id.
	Body    string `json:"body"`
	From    string `json:"from"`
	IDField string `json:"id_field"`
}

// OutboundConfig lists hosts outbound calls (SMS gateway, webhooks) may
// reach even though they resolve to private or loopback addresses.
type OutboundConfig struct {
	AllowedHosts []string `json:"allowed_hosts"`
}

// JourneysConfig tunes the journey engine and its dispatcher.
type JourneysConfig struct {
	// RetryInitial is the pause after a message's first failed attempt;
	// each next one is four times longer.
	RetryInitial touchpoint.Duration `json:"retry_initial"`
	MaxAttempts  int                 `json:"max_attempts"`
	// TimerInterval is how often due timers are looked for.
	TimerInterval touchpoint.Duration `json:"timer_interval"`
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
		Analytics: AnalyticsConfig{JourneyRefresh: "10s", ScoresRefresh: "24h"},
		SMTP:      SMTPConfig{Port: 587, TLS: "starttls"},
		Journeys:  JourneysConfig{RetryInitial: touchpoint.Duration(30 * time.Second), MaxAttempts: 6, TimerInterval: touchpoint.Duration(250 * time.Millisecond)},
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
	if v := getenv("TOUCHPOINT_SMTP_HOST"); v != "" {
		c.SMTP.Host = v
	}
	if v := getenv("TOUCHPOINT_SMTP_PORT"); v != "" {
		fmt.Sscan(v, &c.SMTP.Port)
	}
	if v := getenv("TOUCHPOINT_SMTP_USERNAME"); v != "" {
		c.SMTP.Username = v
	}
	if v := getenv("TOUCHPOINT_SMTP_PASSWORD"); v != "" {
		c.SMTP.Password = v
	}
	if v := getenv("TOUCHPOINT_SMTP_FROM"); v != "" {
		c.SMTP.From = v
	}
	if v := getenv("TOUCHPOINT_SMS_URL"); v != "" {
		c.SMS.URL = v
	}
	if v := getenv("TOUCHPOINT_OUTBOUND_ALLOWED_HOSTS"); v != "" {
		c.Outbound.AllowedHosts = strings.Split(v, ",")
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
	if _, _, err := c.Analytics.durations(); err != nil {
		return err
	}
	if err := c.validateMessaging(); err != nil {
		return err
	}
	for _, k := range []struct{ key, v string }{{"segments.sweep_every", c.Segments.SweepEvery}, {"segments.personas_every", c.Segments.PersonasEvery}} {
		if d, err := time.ParseDuration(k.v); err != nil || d < time.Second {
			return touchpoint.FieldError(k.key, "must be a duration of a second or more, such as 1m or 24h")
		}
	}
	return c.logConfig().Validate()
}

// validateMessaging checks the keys of the channels journeys send on.
func (c Config) validateMessaging() error {
	if c.SMTP.Host != "" {
		if c.SMTP.Port < 1 || c.SMTP.Port > 65535 {
			return touchpoint.FieldError("smtp.port", "must be between 1 and 65535")
		}
		switch c.SMTP.TLS {
		case "starttls", "require", "tls", "none":
		default:
			return touchpoint.FieldError("smtp.tls", "must be starttls, require, tls or none")
		}
		if _, err := mail.ParseAddress(c.SMTP.From); c.SMTP.From != "" && err != nil {
			return touchpoint.FieldError("smtp.from", "%q is not an email address", c.SMTP.From)
		}
		if (c.SMTP.Username == "") != (c.SMTP.Password == "") {
			return touchpoint.FieldError("smtp.password", "smtp.username and smtp.password go together")
		}
	}
	if c.SMS.URL != "" {
		if u, err := url.Parse(c.SMS.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return touchpoint.FieldError("sms.url", "must be an http or https URL")
		}
		if _, err := channel.NewSMS(c.smsConfig()); err != nil {
			return touchpoint.FieldError("sms.body", "%s", err.Error())
		}
		switch c.SMS.Method {
		case "", "POST", "PUT", "GET":
		default:
			return touchpoint.FieldError("sms.method", "must be POST, PUT or GET")
		}
	}
	if c.Journeys.RetryInitial <= 0 {
		return touchpoint.FieldError("journeys.retry_initial", "must be a positive duration, e.g. 30s")
	}
	if c.Journeys.MaxAttempts < 1 || c.Journeys.MaxAttempts > 50 {
		return touchpoint.FieldError("journeys.max_attempts", "must be between 1 and 50")
	}
	if c.Journeys.TimerInterval <= 0 {
		return touchpoint.FieldError("journeys.timer_interval", "must be a positive duration, e.g. 250ms")
	}
	return nil
}

func (c Config) smsConfig() channel.SMSConfig {
	return channel.SMSConfig{URL: c.SMS.URL, Method: c.SMS.Method, Headers: c.SMS.Headers, ContentType: c.SMS.ContentType, Body: c.SMS.Body,
		From: c.SMS.From, IDField: c.SMS.IDField, AllowedHosts: c.Outbound.AllowedHosts}
}

func (c Config) smtpConfig() channel.SMTPConfig {
	return channel.SMTPConfig{Host: c.SMTP.Host, Port: c.SMTP.Port, Username: c.SMTP.Username, Password: c.SMTP.Password, TLS: c.SMTP.TLS,
		From: c.SMTP.From, HELO: c.SMTP.HELO, InsecureSkipVerify: c.SMTP.InsecureSkipVerify}
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
