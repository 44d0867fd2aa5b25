package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/importer"
)

// Client talks to a Touchpoint server's admin API. The CLI uses it, and so
// do the tests.
type Client struct {
	BaseURL  string
	AdminKey string
	HTTP     *http.Client
}

// NewClient returns a client for the server at baseURL (e.g.
// "http://127.0.0.1:8080") authenticating with an admin key.
func NewClient(baseURL, adminKey string) *Client {
	return &Client{BaseURL: strings.TrimRight(baseURL, "/"), AdminKey: adminKey, HTTP: &http.Client{Timeout: 0}}
}

// Stats returns GET /api/v1/stats.
func (c *Client) Stats(ctx context.Context) (touchpoint.Stats, error) {
	var s touchpoint.Stats
	err := c.do(ctx, http.MethodGet, "/api/v1/stats", nil, "", &s)
	return s, err
}

// EventsQuery filters GET /api/v1/events.
type EventsQuery struct {
	UserID, AnonymousID, Type, Event string
	Limit                            int
}

// Events returns stored events, newest first.
func (c *Client) Events(ctx context.Context, q EventsQuery) ([]*touchpoint.Event, error) {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("user_id", q.UserID)
	set("anonymous_id", q.AnonymousID)
	set("type", q.Type)
	set("event", q.Event)
	if q.Limit > 0 {
		v.Set("limit", strconv.Itoa(q.Limit))
	}
	var out EventsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/events?"+v.Encode(), nil, "", &out)
	return out.Events, err
}

// Sources lists the workspace's sources.
func (c *Client) Sources(ctx context.Context, includeRevoked bool) ([]*touchpoint.Source, error) {
	var out SourcesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/sources?include_revoked="+strconv.FormatBool(includeRevoked), nil, "", &out)
	return out.Sources, err
}

// CreateSource creates a source and returns it with its write key.
func (c *Client) CreateSource(ctx context.Context, name, typ string) (*touchpoint.Source, error) {
	body, _ := json.Marshal(CreateSourceRequest{Name: name, Type: typ})
	var src touchpoint.Source
	err := c.do(ctx, http.MethodPost, "/api/v1/sources", bytes.NewReader(body), "application/json", &src)
	return &src, err
}

// RevokeSource revokes a source's write key.
func (c *Client) RevokeSource(ctx context.Context, id string) (*touchpoint.Source, error) {
	var src touchpoint.Source
	err := c.do(ctx, http.MethodPost, "/api/v1/sources/"+url.PathEscape(id)+"/revoke", nil, "", &src)
	return &src, err
}

// ImportOptions are the query parameters of POST /api/v1/import.
type ImportOptions struct {
	Format     string // ndjson or csv; "" lets the server sniff
	Filename   string // helps the server guess the format
	SourceID   string
	Mapping    string // e.g. "userId=customer_id,event=action"
	Type       string
	Unmapped   string
	TimeFormat string
	Delimiter  string
}

// Import streams a file to the server and returns its summary.
func (c *Client) Import(ctx context.Context, r io.Reader, o ImportOptions) (importer.Summary, error) {
	v := url.Values{}
	for k, val := range map[string]string{"format": o.Format, "filename": o.Filename, "source_id": o.SourceID, "map": o.Mapping,
		"type": o.Type, "unmapped": o.Unmapped, "time_format": o.TimeFormat, "delimiter": o.Delimiter} {
		if val != "" {
			v.Set(k, val)
		}
	}
	var sum importer.Summary
	err := c.do(ctx, http.MethodPost, "/api/v1/import?"+v.Encode(), r, "application/octet-stream", &sum)
	return sum, err
}

// Ready polls /readyz until the server is ready or ctx ends.
func (c *Client) Ready(ctx context.Context) error {
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/readyz", nil)
		if err != nil {
			return err
		}
		resp, err := c.HTTP.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("server at %s not ready: %w", c.BaseURL, ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// do sends a request and decodes a JSON answer into out. Error answers
// come back as *touchpoint.Error with the server's code and message.
func (c *Client) do(ctx context.Context, method, path string, body io.Reader, contentType string, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+c.AdminKey)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "cannot reach Touchpoint at %s: %s", c.BaseURL, err.Error())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode >= 300 {
		var eb errorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error != nil {
			return eb.Error
		}
		return touchpoint.Errorf(errorCodeByStatus(resp.StatusCode), "%s %s: %s", method, path, resp.Status)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decode %s %s: %w", method, path, err)
	}
	return nil
}

// Profile returns the profile holding an identifier ("user_id:42") or with
// a profile id.
func (c *Client) Profile(ctx context.Context, identifier string) (*touchpoint.Profile, error) {
	var p touchpoint.Profile
	err := c.do(ctx, http.MethodGet, "/api/v1/profiles/"+url.PathEscape(identifier), nil, "", &p)
	return &p, err
}

// Merges lists the merges of a profile.
func (c *Client) Merges(ctx context.Context, profileID string) ([]*touchpoint.Merge, error) {
	var out MergesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/profiles/"+url.PathEscape(profileID)+"/merges", nil, "", &out)
	return out.Merges, err
}

// Unmerge undoes a merge of a profile; mergeID may be "" when there is one.
func (c *Client) Unmerge(ctx context.Context, profileID, mergeID string) (*touchpoint.Merge, error) {
	body, _ := json.Marshal(UnmergeRequest{MergeID: mergeID})
	var m touchpoint.Merge
	err := c.do(ctx, http.MethodPost, "/api/v1/profiles/"+url.PathEscape(profileID)+"/unmerge", bytes.NewReader(body), "application/json", &m)
	return &m, err
}

// SearchProfiles finds profiles by identifier prefix or trait text.
func (c *Client) SearchProfiles(ctx context.Context, q string, limit int) ([]*touchpoint.Profile, error) {
	v := url.Values{"q": {q}}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out ProfilesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/profiles?"+v.Encode(), nil, "", &out)
	return out.Profiles, err
}

// Timeline returns a customer's events, oldest first.
func (c *Client) Timeline(ctx context.Context, profile string, limit int) ([]*touchpoint.Event, error) {
	path := "/api/v1/profiles/" + url.PathEscape(profile) + "/timeline"
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var out TimelineResponse
	err := c.do(ctx, http.MethodGet, path, nil, "", &out)
	return out.Events, err
}

// IdentityRules returns the workspace's merge rules.
func (c *Client) IdentityRules(ctx context.Context) (touchpoint.IdentityRules, error) {
	var r touchpoint.IdentityRules
	err := c.do(ctx, http.MethodGet, "/api/v1/identity/rules", nil, "", &r)
	return r, err
}

// SetIdentityRules replaces the workspace's merge rules.
func (c *Client) SetIdentityRules(ctx context.Context, rules touchpoint.IdentityRules) error {
	body, _ := json.Marshal(rules)
	return c.do(ctx, http.MethodPut, "/api/v1/identity/rules", bytes.NewReader(body), "application/json", nil)
}

// post sends a JSON body and decodes the JSON answer.
func (c *Client) post(ctx context.Context, path string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, path, bytes.NewReader(body), "application/json", out)
}

// Funnel counts the customers through each step of a funnel.
func (c *Client) Funnel(ctx context.Context, r touchpoint.FunnelRequest) (*touchpoint.FunnelResponse, error) {
	var out touchpoint.FunnelResponse
	return &out, c.post(ctx, "/api/v1/analytics/funnel", r, &out)
}

// Paths lists what customers do after or before an activity.
func (c *Client) Paths(ctx context.Context, r touchpoint.PathsRequest) (*touchpoint.PathsResponse, error) {
	var out touchpoint.PathsResponse
	return &out, c.post(ctx, "/api/v1/analytics/paths", r, &out)
}

// Retention builds a cohort retention grid.
func (c *Client) Retention(ctx context.Context, r touchpoint.RetentionRequest) (*touchpoint.RetentionResponse, error) {
	var out touchpoint.RetentionResponse
	return &out, c.post(ctx, "/api/v1/analytics/retention", r, &out)
}

// JourneyMap discovers the journey map.
func (c *Client) JourneyMap(ctx context.Context, r touchpoint.JourneyMapRequest) (*touchpoint.JourneyMap, error) {
	var out touchpoint.JourneyMap
	return &out, c.post(ctx, "/api/v1/analytics/journey-map", r, &out)
}

// Drivers ranks what explains a CX score or churn.
func (c *Client) Drivers(ctx context.Context, r touchpoint.DriversRequest) (*touchpoint.DriversResponse, error) {
	var out touchpoint.DriversResponse
	return &out, c.post(ctx, "/api/v1/analytics/drivers", r, &out)
}

// Churn trains the churn model and lists the customers most at risk.
func (c *Client) Churn(ctx context.Context, r touchpoint.ChurnRequest) (*touchpoint.ChurnResponse, error) {
	var out touchpoint.ChurnResponse
	return &out, c.post(ctx, "/api/v1/analytics/churn", r, &out)
}

// CLV describes and predicts customer lifetime value.
func (c *Client) CLV(ctx context.Context, r touchpoint.CLVRequest) (*touchpoint.CLVResponse, error) {
	var out touchpoint.CLVResponse
	return &out, c.post(ctx, "/api/v1/analytics/clv", r, &out)
}

// RefreshScores retrains the models and stores every profile's scores.
func (c *Client) RefreshScores(ctx context.Context) (*touchpoint.ScoresRefresh, error) {
	var out touchpoint.ScoresRefresh
	return &out, c.do(ctx, http.MethodPost, "/api/v1/analytics/scores/refresh", nil, "", &out)
}

// ProfileScores returns a profile's stored scores.
func (c *Client) ProfileScores(ctx context.Context, profileID string) (*touchpoint.ProfileScores, error) {
	var out touchpoint.ProfileScores
	return &out, c.do(ctx, http.MethodGet, "/api/v1/analytics/scores/"+url.PathEscape(profileID), nil, "", &out)
}
