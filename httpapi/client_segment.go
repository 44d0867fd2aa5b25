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

	"github.com/touchpoint-cx/touchpoint"
)

// Segments lists the workspace's segments.
func (c *Client) Segments(ctx context.Context) ([]*touchpoint.Segment, error) {
	var out SegmentsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/segments", nil, "", &out)
	return out.Segments, err
}

// Segment returns one segment.
func (c *Client) Segment(ctx context.Context, id string) (*touchpoint.Segment, error) {
	var s touchpoint.Segment
	err := c.do(ctx, http.MethodGet, "/api/v1/segments/"+url.PathEscape(id), nil, "", &s)
	return &s, err
}

func (c *Client) sendJSON(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	return c.do(ctx, method, path, bytes.NewReader(b), "application/json", out)
}

// CreateSegment stores a new segment.
func (c *Client) CreateSegment(ctx context.Context, req SegmentRequest) (*touchpoint.Segment, error) {
	var s touchpoint.Segment
	err := c.sendJSON(ctx, http.MethodPost, "/api/v1/segments", req, &s)
	return &s, err
}

// UpdateSegment replaces a segment's definition.
func (c *Client) UpdateSegment(ctx context.Context, id string, req SegmentRequest) (*touchpoint.Segment, error) {
	var s touchpoint.Segment
	err := c.sendJSON(ctx, http.MethodPut, "/api/v1/segments/"+url.PathEscape(id), req, &s)
	return &s, err
}

// DeleteSegment removes a segment.
func (c *Client) DeleteSegment(ctx context.Context, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/segments/"+url.PathEscape(id), nil, "", nil)
}

// EstimateSegment counts what a definition selects now.
func (c *Client) EstimateSegment(ctx context.Context, cond touchpoint.SegmentCondition) (*touchpoint.SegmentEstimate, error) {
	var e touchpoint.SegmentEstimate
	err := c.sendJSON(ctx, http.MethodPost, "/api/v1/segments/estimate", EstimateRequest{Condition: cond}, &e)
	return &e, err
}

// SegmentMembers returns a page of members after a cursor ("" for the
// first page).
func (c *Client) SegmentMembers(ctx context.Context, id, after string, limit int) (*MembersResponse, error) {
	v := url.Values{}
	if after != "" {
		v.Set("after", after)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out MembersResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/segments/"+url.PathEscape(id)+"/members?"+v.Encode(), nil, "", &out)
	return &out, err
}

// SegmentCSV returns every member as CSV.
func (c *Client) SegmentCSV(ctx context.Context, id string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"/api/v1/segments/"+url.PathEscape(id)+"/members.csv", nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+c.AdminKey)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "cannot reach Touchpoint at %s: %s", c.BaseURL, err.Error())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read response: %w", err)
	}
	if resp.StatusCode >= 300 {
		var eb errorBody
		if json.Unmarshal(data, &eb) == nil && eb.Error != nil {
			return nil, eb.Error
		}
		return nil, touchpoint.Errorf(errorCodeByStatus(resp.StatusCode), "segment CSV: %s", resp.Status)
	}
	return data, nil
}

// SegmentHistory returns entries and exits, newest first, before a change
// id (0 for the newest).
func (c *Client) SegmentHistory(ctx context.Context, id string, before int64, limit int) (*HistoryResponse, error) {
	v := url.Values{}
	if before > 0 {
		v.Set("before", strconv.FormatInt(before, 10))
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out HistoryResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/segments/"+url.PathEscape(id)+"/history?"+v.Encode(), nil, "", &out)
	return &out, err
}

// SegmentSizes returns the size at the end of each of the last days.
func (c *Client) SegmentSizes(ctx context.Context, id string, days int) ([]touchpoint.SegmentSize, error) {
	var out SizesResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/segments/"+url.PathEscape(id)+"/sizes?days="+strconv.Itoa(days), nil, "", &out)
	return out.Sizes, err
}

// ProfileSegments lists the segments a profile is in.
func (c *Client) ProfileSegments(ctx context.Context, profileID string) ([]*touchpoint.Segment, error) {
	var out SegmentsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/profiles/"+url.PathEscape(profileID)+"/segments", nil, "", &out)
	return out.Segments, err
}

// CreateDestination syncs a segment to a webhook; the answer carries the
// signing secret.
func (c *Client) CreateDestination(ctx context.Context, segmentID string, req DestinationRequest) (*touchpoint.Destination, error) {
	var d touchpoint.Destination
	err := c.sendJSON(ctx, http.MethodPost, "/api/v1/segments/"+url.PathEscape(segmentID)+"/destinations", req, &d)
	return &d, err
}

// Destinations lists a segment's destinations.
func (c *Client) Destinations(ctx context.Context, segmentID string) ([]*touchpoint.Destination, error) {
	var out DestinationsResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/segments/"+url.PathEscape(segmentID)+"/destinations", nil, "", &out)
	return out.Destinations, err
}

// SyncDestination queues a full sync.
func (c *Client) SyncDestination(ctx context.Context, segmentID, id string) error {
	return c.do(ctx, http.MethodPost, "/api/v1/segments/"+url.PathEscape(segmentID)+"/destinations/"+url.PathEscape(id)+"/sync", nil, "", nil)
}

// DeleteDestination stops a sync.
func (c *Client) DeleteDestination(ctx context.Context, segmentID, id string) error {
	return c.do(ctx, http.MethodDelete, "/api/v1/segments/"+url.PathEscape(segmentID)+"/destinations/"+url.PathEscape(id), nil, "", nil)
}

// Personas lists manual and discovered personas.
func (c *Client) Personas(ctx context.Context) (*PersonasResponse, error) {
	var out PersonasResponse
	err := c.do(ctx, http.MethodGet, "/api/v1/personas", nil, "", &out)
	return &out, err
}

// RefreshPersonas discovers personas now.
func (c *Client) RefreshPersonas(ctx context.Context) (*touchpoint.PersonaRun, error) {
	var out touchpoint.PersonaRun
	err := c.do(ctx, http.MethodPost, "/api/v1/personas/refresh", nil, "", &out)
	return &out, err
}
