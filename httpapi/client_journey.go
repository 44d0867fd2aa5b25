package httpapi

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"

	"github.com/touchpoint-cx/touchpoint"
)

// PutJourney creates a journey or replaces its draft from a JSON or YAML
// document.
func (c *Client) PutJourney(ctx context.Context, id string, document []byte) (*JourneyResponse, error) {
	var out JourneyResponse
	err := c.do(ctx, http.MethodPut, "/api/v1/journeys/"+url.PathEscape(id), bytes.NewReader(document), "application/yaml", &out)
	return &out, err
}

// Journey returns a journey with its draft.
func (c *Client) Journey(ctx context.Context, id string) (*JourneyResponse, error) {
	var out JourneyResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/journeys/"+url.PathEscape(id), nil, "", &out)
	return &out, err
}

// Journeys lists the workspace's journeys.
func (c *Client) Journeys(ctx context.Context) ([]*touchpoint.Journey, error) {
	var out JourneysResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/journeys", nil, "", &out)
	return out.Journeys, err
}

// PublishJourney publishes a journey's draft as a new version.
func (c *Client) PublishJourney(ctx context.Context, id string) (*touchpoint.JourneyVersion, error) {
	var out touchpoint.JourneyVersion
	err := c.do(ctx, http.MethodPost, "/api/v1/journeys/"+url.PathEscape(id)+"/publish", nil, "", &out)
	return &out, err
}

// StopJourney stops a journey.
func (c *Client) StopJourney(ctx context.Context, id string) (*JourneyResponse, error) {
	var out JourneyResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/journeys/"+url.PathEscape(id)+"/stop", nil, "", &out)
	return &out, err
}

// JourneyVersion returns one published version.
func (c *Client) JourneyVersion(ctx context.Context, id string, version int) (*touchpoint.JourneyVersion, error) {
	var out touchpoint.JourneyVersion
	err := c.do(ctx, http.MethodGet, "/api/v1/journeys/"+url.PathEscape(id)+"/versions/"+strconv.Itoa(version), nil, "", &out)
	return &out, err
}

// JourneyStats returns a version's statistics (0: the active version).
func (c *Client) JourneyStats(ctx context.Context, id string, version int) (*touchpoint.JourneyStats, error) {
	path := "/api/v1/journeys/" + url.PathEscape(id) + "/stats"
	if version > 0 {
		path += "?version=" + strconv.Itoa(version)
	}
	var out touchpoint.JourneyStats
	err := c.do(ctx, http.MethodGet, path, nil, "", &out)
	return &out, err
}

// DryRun shows the path a journey's draft would take for a profile.
func (c *Client) DryRun(ctx context.Context, id string, req DryRunRequest) (*touchpoint.DryRun, error) {
	body, _ := json.Marshal(req)
	var out touchpoint.DryRun
	err := c.do(ctx, http.MethodPost, "/api/v1/journeys/"+url.PathEscape(id)+"/dry-run", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// Enrol puts a customer into a live journey.
func (c *Client) Enrol(ctx context.Context, id, profile string, properties json.RawMessage) (*touchpoint.Enrolment, error) {
	body, _ := json.Marshal(EnrolRequest{Profile: profile, Properties: properties})
	var out touchpoint.Enrolment
	err := c.do(ctx, http.MethodPost, "/api/v1/journeys/"+url.PathEscape(id)+"/enrol", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// Enrolments lists a journey's enrolments.
func (c *Client) Enrolments(ctx context.Context, id string) ([]*touchpoint.Enrolment, error) {
	var out EnrolmentsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/journeys/"+url.PathEscape(id)+"/enrolments?limit=1000", nil, "", &out)
	return out.Enrolments, err
}

// Lists returns the workspace's lists with their sizes.
func (c *Client) Lists(ctx context.Context) ([]touchpoint.List, error) {
	var out ListsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/lists", nil, "", &out)
	return out.Lists, err
}

// ListMembers returns a page of a list's members after the profile id
// after ("" for the first page) and the cursor of the next page.
func (c *Client) ListMembers(ctx context.Context, list, after string, limit int) ([]touchpoint.ListMember, string, error) {
	v := url.Values{"limit": {strconv.Itoa(limit)}}
	if after != "" {
		v.Set("after", after)
	}
	var out ListMembersResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/lists/"+url.PathEscape(list)+"/members?"+v.Encode(), nil, "", &out)
	return out.Members, out.Next, err
}

// Messages lists the outbox, by status if not "".
func (c *Client) Messages(ctx context.Context, status string) ([]*touchpoint.Delivery, error) {
	v := url.Values{"limit": {"1000"}}
	if status != "" {
		v.Set("status", status)
	}
	var out MessagesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/messages?"+v.Encode(), nil, "", &out)
	return out.Messages, err
}

// RetryMessage puts a dead or skipped message back in line.
func (c *Client) RetryMessage(ctx context.Context, id string) (*touchpoint.Delivery, error) {
	var out touchpoint.Delivery
	err := c.do(ctx, http.MethodPost, "/api/v1/messages/"+url.PathEscape(id)+"/retry", nil, "", &out)
	return &out, err
}

// MessagingSettings returns the workspace's messaging rules.
func (c *Client) MessagingSettings(ctx context.Context) (touchpoint.MessagingSettings, error) {
	var out touchpoint.MessagingSettings
	err := c.do(ctx, http.MethodGet, "/api/v1/messaging/settings", nil, "", &out)
	return out, err
}

// SetMessagingSettings replaces the workspace's messaging rules.
func (c *Client) SetMessagingSettings(ctx context.Context, s touchpoint.MessagingSettings) (touchpoint.MessagingSettings, error) {
	body, _ := json.Marshal(s)
	var out touchpoint.MessagingSettings
	err := c.do(ctx, http.MethodPut, "/api/v1/messaging/settings", bytes.NewReader(body), "application/json", &out)
	return out, err
}

// Consent returns a customer's consent per channel.
func (c *Client) Consent(ctx context.Context, profile string) (*ConsentResponse, error) {
	var out ConsentResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/profiles/"+url.PathEscape(profile)+"/consent", nil, "", &out)
	return &out, err
}

// SetConsent records a customer's consent for one channel.
func (c *Client) SetConsent(ctx context.Context, profile string, req ConsentRequest) (*ConsentResponse, error) {
	body, _ := json.Marshal(req)
	var out ConsentResponse
	err := c.do(ctx, http.MethodPut, "/api/v1/profiles/"+url.PathEscape(profile)+"/consent", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// AddSuppression suppresses an email address or phone number.
func (c *Client) AddSuppression(ctx context.Context, req SuppressionRequest) (*touchpoint.Suppression, error) {
	body, _ := json.Marshal(req)
	var out touchpoint.Suppression
	err := c.do(ctx, http.MethodPost, "/api/v1/suppressions", bytes.NewReader(body), "application/json", &out)
	return &out, err
}

// WebhookSecret returns the key (hex) webhooks are signed with.
func (c *Client) WebhookSecret(ctx context.Context) (string, error) {
	var out WebhookSecretResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/messaging/webhook-secret", nil, "", &out)
	return out.Secret, err
}

// ValidateJourney checks a JSON or YAML document as saving it would,
// storing nothing.
func (c *Client) ValidateJourney(ctx context.Context, id string, document []byte) (*ValidateResponse, error) {
	var out ValidateResponse
	err := c.do(ctx, http.MethodPost, "/api/v1/journeys/"+url.PathEscape(id)+"/validate", bytes.NewReader(document), "application/yaml", &out)
	return &out, err
}

// PreviewMessage renders a message step for one customer, sending nothing.
func (c *Client) PreviewMessage(ctx context.Context, req touchpoint.MessagePreviewRequest) (*touchpoint.MessagePreview, error) {
	body, _ := json.Marshal(req)
	var out touchpoint.MessagePreview
	err := c.do(ctx, http.MethodPost, "/api/v1/messages/preview", bytes.NewReader(body), "application/json", &out)
	return &out, err
}
