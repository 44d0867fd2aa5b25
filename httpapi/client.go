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
	out, err := c.MergeHistory(ctx, profileID)
	return out.Merges, err
}

// MergeHistory returns a profile's merges and the merges the rules refused.
func (c *Client) MergeHistory(ctx context.Context, profileID string) (MergesResponse, error) {
	var out MergesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/profiles/"+url.PathEscape(profileID)+"/merges", nil, "", &out)
	return out, err
}

// TraitHistory returns the values a profile's traits took, newest first.
func (c *Client) TraitHistory(ctx context.Context, profile, key string) ([]touchpoint.TraitChange, error) {
	path := "/api/v1/profiles/" + url.PathEscape(profile) + "/trait-history"
	if key != "" {
		path += "?key=" + url.QueryEscape(key)
	}
	var out TraitHistoryResponse
	err := c.do(ctx, http.MethodGet, path, nil, "", &out)
	return out.Changes, err
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

// CreateSurvey creates a survey and returns it as stored.
func (c *Client) CreateSurvey(ctx context.Context, s *touchpoint.Survey) (*SurveyView, error) {
	body, _ := json.Marshal(s)
	var out SurveyView
	err := c.do(ctx, http.MethodPost, "/api/v1/surveys", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// UpdateSurvey replaces a survey's definition.
func (c *Client) UpdateSurvey(ctx context.Context, s *touchpoint.Survey) (*SurveyView, error) {
	body, _ := json.Marshal(s)
	var out SurveyView
	err := c.do(ctx, http.MethodPut, "/api/v1/surveys/"+url.PathEscape(s.ID), bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// Survey returns a survey.
func (c *Client) Survey(ctx context.Context, id string) (*SurveyView, error) {
	var out SurveyView
	err := c.do(ctx, http.MethodGet, "/api/v1/surveys/"+url.PathEscape(id), nil, "", &out)
	return &out, err
}

// InviteToSurvey makes a personal survey link for a customer.
func (c *Client) InviteToSurvey(ctx context.Context, surveyID string, req InviteRequest) (*InviteResponse, error) {
	body, _ := json.Marshal(req)
	var out InviteResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/surveys/"+url.PathEscape(surveyID)+"/invitations", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// SurveyResponses returns a survey's responses, newest first.
func (c *Client) SurveyResponses(ctx context.Context, surveyID string) ([]*touchpoint.Response, error) {
	var out ResponsesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/surveys/"+url.PathEscape(surveyID)+"/responses", nil, "", &out)
	return out.Responses, err
}

// SurveyResults returns a survey's results summary.
func (c *Client) SurveyResults(ctx context.Context, surveyID string, q url.Values) (*ResultsResponse, error) {
	var out ResultsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/surveys/"+url.PathEscape(surveyID)+"/results?"+q.Encode(), nil, "", &out)
	return &out, err
}

// SetSurveySettings sets the workspace's survey rules.
func (c *Client) SetSurveySettings(ctx context.Context, st touchpoint.SurveySettings) error {
	body, _ := json.Marshal(st)
	return c.do(ctx, http.MethodPut, "/api/v1/survey-settings", bytes.NewReader(body), "application/json", nil)
}

// NPS returns GET /api/v1/metrics/nps with the given filters.
func (c *Client) NPS(ctx context.Context, q url.Values) (touchpoint.NPSResult, error) {
	var out touchpoint.NPSResult
	err := c.do(ctx, http.MethodGet, "/api/v1/metrics/nps?"+q.Encode(), nil, "", &out)
	return out, err
}

// CSAT returns GET /api/v1/metrics/csat.
func (c *Client) CSAT(ctx context.Context, q url.Values) (touchpoint.CSATResult, error) {
	var out touchpoint.CSATResult
	err := c.do(ctx, http.MethodGet, "/api/v1/metrics/csat?"+q.Encode(), nil, "", &out)
	return out, err
}

// CES returns GET /api/v1/metrics/ces.
func (c *Client) CES(ctx context.Context, q url.Values) (touchpoint.CESResult, error) {
	var out touchpoint.CESResult
	err := c.do(ctx, http.MethodGet, "/api/v1/metrics/ces?"+q.Encode(), nil, "", &out)
	return out, err
}

// ResponseRate returns GET /api/v1/metrics/response-rate.
func (c *Client) ResponseRate(ctx context.Context, q url.Values) (touchpoint.ResponseRateResult, error) {
	var out touchpoint.ResponseRateResult
	err := c.do(ctx, http.MethodGet, "/api/v1/metrics/response-rate?"+q.Encode(), nil, "", &out)
	return out, err
}

// MetricBreakdown returns a metric ("nps", "csat", "ces", "response-rate")
// broken down by a dimension.
func (c *Client) MetricBreakdown(ctx context.Context, metric, by string, q url.Values) (*BreakdownResponse, error) {
	if q == nil {
		q = url.Values{}
	}
	q.Set("by", by)
	var out BreakdownResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/metrics/"+metric+"/breakdown?"+q.Encode(), nil, "", &out)
	return &out, err
}

// MetricSeries returns a metric over time.
func (c *Client) MetricSeries(ctx context.Context, metric, interval string, q url.Values) (*SeriesResponse, error) {
	if q == nil {
		q = url.Values{}
	}
	q.Set("interval", interval)
	var out SeriesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/metrics/"+metric+"/series?"+q.Encode(), nil, "", &out)
	return &out, err
}

// Feedback returns the feedback inbox with the given filters.
func (c *Client) Feedback(ctx context.Context, q url.Values) ([]*touchpoint.Feedback, error) {
	var out FeedbackResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/feedback?"+q.Encode(), nil, "", &out)
	return out.Feedback, err
}

// CreateFeedbackHook creates an inbound feedback webhook.
func (c *Client) CreateFeedbackHook(ctx context.Context, req HookRequest) (*HookView, error) {
	body, _ := json.Marshal(req)
	var out HookView
	err := c.do(ctx, http.MethodPost, "/api/v1/feedback-hooks", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// TestFeedbackHook shows what a hook's mapping makes of a sample payload,
// storing nothing.
func (c *Client) TestFeedbackHook(ctx context.Context, req HookTestRequest) (*HookTestResponse, error) {
	body, _ := json.Marshal(req)
	var out HookTestResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/feedback-hooks/test", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// ImportFeedback uploads a CSV of tickets or reviews; q carries map, kind…
func (c *Client) ImportFeedback(ctx context.Context, csv io.Reader, q url.Values) (*FeedbackAccepted, error) {
	var out FeedbackAccepted
	err := c.do(ctx, http.MethodPost, "/api/v1/feedback/import?"+q.Encode(), csv, "text/csv", &out)
	return &out, err
}

// Account returns an account with up to limit members (0: the default).
func (c *Client) Account(ctx context.Context, id string, limit int) (*touchpoint.Account, error) {
	path := "/api/v1/accounts/" + url.PathEscape(id)
	if limit > 0 {
		path += "?limit=" + strconv.Itoa(limit)
	}
	var a touchpoint.Account
	err := c.do(ctx, http.MethodGet, path, nil, "", &a)
	return &a, err
}

// Overview returns the overview of [from, to); zero times mean the server's default period.
func (c *Client) Overview(ctx context.Context, from, to time.Time) (*touchpoint.Overview, error) {
	v := url.Values{}
	if !from.IsZero() {
		v.Set("from", from.UTC().Format(time.RFC3339))
	}
	if !to.IsZero() {
		v.Set("to", to.UTC().Format(time.RFC3339))
	}
	var o touchpoint.Overview
	err := c.do(ctx, http.MethodGet, "/api/v1/overview?"+v.Encode(), nil, "", &o)
	return &o, err
}

// Debugger returns recent collection calls newer than after, newest first;
// status is "", "accepted" or "rejected".
func (c *Client) Debugger(ctx context.Context, after uint64, status string) ([]touchpoint.DebugCall, error) {
	v := url.Values{"after": {strconv.FormatUint(after, 10)}}
	if status != "" {
		v.Set("status", status)
	}
	var out DebuggerResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/debugger?"+v.Encode(), nil, "", &out)
	return out.Calls, err
}

// Users lists the workspace's members.
func (c *Client) Users(ctx context.Context) ([]*touchpoint.Membership, error) {
	var out UsersResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/users", nil, "", &out)
	return out.Users, err
}

// SetUserRole changes a member's role.
func (c *Client) SetUserRole(ctx context.Context, userID string, role touchpoint.Role) (*touchpoint.Membership, error) {
	body, _ := json.Marshal(SetRoleRequest{Role: string(role)})
	var m touchpoint.Membership
	err := c.do(ctx, http.MethodPut, "/api/v1/users/"+url.PathEscape(userID), bytes.NewReader(body), "application/json", &m)
	return &m, err
}

// RemoveUser takes a member out of the workspace.
func (c *Client) RemoveUser(ctx context.Context, userID string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/users/"+url.PathEscape(userID), nil, "", nil)
}

// Invite invites someone with a role and returns the invitation link.
func (c *Client) Invite(ctx context.Context, email string, role touchpoint.Role) (*CreateInvitationResponse, error) {
	body, _ := json.Marshal(CreateInvitationRequest{Email: email, Role: string(role)})
	var out CreateInvitationResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/invitations", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// Invitations lists pending invitations.
func (c *Client) Invitations(ctx context.Context) ([]*touchpoint.Invitation, error) {
	var out InvitationsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/invitations", nil, "", &out)
	return out.Invitations, err
}

// RevokeInvitation withdraws a pending invitation.
func (c *Client) RevokeInvitation(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/invitations/"+url.PathEscape(id)+"/revoke", nil, "", nil)
}

// Workspaces lists the workspaces the caller can act in.
func (c *Client) Workspaces(ctx context.Context) ([]*WorkspaceAccess, error) {
	var out WorkspacesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/workspaces", nil, "", &out)
	return out.Workspaces, err
}

// CreateWorkspace creates a workspace.
func (c *Client) CreateWorkspace(ctx context.Context, id, name string) (*CreateWorkspaceResponse, error) {
	body, _ := json.Marshal(CreateWorkspaceRequest{ID: id, Name: name})
	var out CreateWorkspaceResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/workspaces", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// RenameWorkspace renames the caller's workspace.
func (c *Client) RenameWorkspace(ctx context.Context, name string) (*touchpoint.Workspace, error) {
	body, _ := json.Marshal(RenameWorkspaceRequest{Name: name})
	var ws touchpoint.Workspace
	err := c.do(ctx, http.MethodPut, "/api/v1/workspace", bytes.NewReader(body), "application/json", &ws)
	return &ws, err
}

// Keys lists the workspace's admin keys.
func (c *Client) Keys(ctx context.Context) ([]*touchpoint.APIKey, error) {
	var out KeysResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/keys", nil, "", &out)
	return out.Keys, err
}

// CreateKey creates an admin key and returns it with its secret.
func (c *Client) CreateKey(ctx context.Context, name string) (*CreateKeyResponse, error) {
	body, _ := json.Marshal(CreateKeyRequest{Name: name})
	var out CreateKeyResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/keys", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// RevokeKey revokes an admin key.
func (c *Client) RevokeKey(ctx context.Context, id string) (*touchpoint.APIKey, error) {
	var k touchpoint.APIKey
	err := c.do(ctx, http.MethodPost, "/api/v1/keys/"+url.PathEscape(id)+"/revoke", nil, "", &k)
	return &k, err
}

// AnalyzeText reads sentiment and topics of texts (POST /api/v1/text/analyze).
func (c *Client) AnalyzeText(ctx context.Context, texts []string, lang string) ([]touchpoint.TextAnalysis, error) {
	body, _ := json.Marshal(AnalyzeTextRequest{Texts: texts, Language: lang})
	var out AnalyzeTextResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/text/analyze", bytes.NewReader(body), "application/json", &out)
	return out.Results, err
}

// TextThemes groups texts into themes (POST /api/v1/text/themes).
func (c *Client) TextThemes(ctx context.Context, req ThemesRequest) ([]touchpoint.TextTheme, error) {
	body, _ := json.Marshal(req)
	var out ThemesResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/text/themes", bytes.NewReader(body), "application/json", &out)
	return out.Themes, err
}

// TextModels lists the workspace's sentiment models and its choice.
func (c *Client) TextModels(ctx context.Context) (*touchpoint.TextModels, error) {
	var out touchpoint.TextModels
	err := c.do(ctx, http.MethodGet, "/api/v1/text/models", nil, "", &out)
	return &out, err
}

// AddTextModel uploads a model file under a name.
func (c *Client) AddTextModel(ctx context.Context, name string, model io.Reader) (*touchpoint.TextModel, error) {
	var out touchpoint.TextModel
	err := c.do(ctx, http.MethodPost, "/api/v1/text/models?name="+url.QueryEscape(name), model, "application/octet-stream", &out)
	return &out, err
}

// RemoveTextModel deletes a workspace model.
func (c *Client) RemoveTextModel(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/text/models/"+url.PathEscape(id), nil, "", nil)
}

// UseTextModel chooses the workspace's model for a language ("builtin"
// for the built-in one).
func (c *Client) UseTextModel(ctx context.Context, lang, model string) (*touchpoint.TextModels, error) {
	body, _ := json.Marshal(UseTextModelRequest{Language: lang, Model: model})
	var out touchpoint.TextModels
	err := c.do(ctx, http.MethodPut, "/api/v1/text/choice", bytes.NewReader(body), "application/json", &out)
	return &out, err
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

// Activities lists the activities customers did, most frequent first.
func (c *Client) Activities(ctx context.Context, f touchpoint.ActivityFilter) ([]touchpoint.ActivityStat, error) {
	q := url.Values{}
	if f.From != nil {
		q.Set("from", f.From.Format(time.RFC3339Nano))
	}
	if f.To != nil {
		q.Set("to", f.To.Format(time.RFC3339Nano))
	}
	if len(f.Channels) > 0 {
		q.Set("channels", strings.Join(f.Channels, ","))
	}
	if f.Limit != 0 {
		q.Set("limit", strconv.Itoa(f.Limit))
	}
	var out ActivitiesResponse
	return out.Activities, c.do(ctx, http.MethodGet, "/api/v1/analytics/activities?"+q.Encode(), nil, "", &out)
}

// ActivityProperties lists the property keys of an activity's recent events.
func (c *Client) ActivityProperties(ctx context.Context, activity string) ([]touchpoint.PropertyStat, error) {
	var out PropertiesResponse
	return out.Properties, c.do(ctx, http.MethodGet, "/api/v1/analytics/properties?activity="+url.QueryEscape(activity), nil, "", &out)
}

// ScoreDistribution returns histograms of the stored scores.
func (c *Client) ScoreDistribution(ctx context.Context) (*touchpoint.ScoreDistribution, error) {
	var out touchpoint.ScoreDistribution
	return &out, c.do(ctx, http.MethodGet, "/api/v1/analytics/scores", nil, "", &out)
}
