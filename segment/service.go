package segment

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Definitions is where segment definitions and membership are kept (the
// state store).
type Definitions interface {
	CreateSegment(ctx context.Context, s *touchpoint.Segment) error
	UpdateSegment(ctx context.Context, s *touchpoint.Segment) error
	DeleteSegment(ctx context.Context, workspace, id string) error
	FindSegment(ctx context.Context, workspace, id string) (*touchpoint.Segment, error)
	FindSegments(ctx context.Context, f touchpoint.SegmentFilter) ([]*touchpoint.Segment, error)
	SegmentMembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error)
	SegmentHistory(ctx context.Context, f touchpoint.SegmentHistoryFilter) ([]touchpoint.SegmentChange, error)
	SegmentSizes(ctx context.Context, workspace, id string, since time.Time) ([]touchpoint.SegmentSize, error)
	ProfileSegments(ctx context.Context, workspace, profileID string) ([]*touchpoint.Segment, error)
	SegmentMemberIDs(ctx context.Context, workspace, segmentID string) ([]string, error)
	IsSegmentMember(ctx context.Context, workspace, segmentID, profileID string) (bool, error)
}

// Estimator counts what a plan selects in the analytics store.
type Estimator interface {
	EstimateSegment(ctx context.Context, workspace string, p *Plan, now time.Time) (size, total int64, err error)
}

// Service is the segments API: definitions checked against the others of
// their workspace, estimates from the analytics store, membership from the
// engine or the state store. It implements touchpoint.SegmentService,
// touchpoint.SegmentMembers and touchpoint.SegmentMembership.
type Service struct {
	Store     Definitions
	Estimator Estimator
	Engine    *Engine
	// Personas answers for discovered personas (prs_…) where segments are
	// asked about; nil leaves them unknown.
	Personas *Personas
	Clock    touchpoint.Clock
}

var (
	_ touchpoint.SegmentService    = (*Service)(nil)
	_ touchpoint.SegmentMembers    = (*Service)(nil)
	_ touchpoint.SegmentMembership = (*Service)(nil)
)

// checkRefs verifies that the segments s names exist in its workspace and
// that no chain of segments leads back to s.
func (s *Service) checkRefs(ctx context.Context, seg *touchpoint.Segment) error {
	refs := seg.Condition.SegmentRefs()
	if len(refs) == 0 {
		return nil
	}
	all, err := s.Store.FindSegments(ctx, touchpoint.SegmentFilter{Workspace: seg.Workspace})
	if err != nil {
		return err
	}
	byID := map[string]*touchpoint.Segment{}
	for _, o := range all {
		byID[o.ID] = o
	}
	for _, id := range refs {
		if byID[id] == nil {
			return touchpoint.FieldError("condition", "segment %q does not exist in this workspace", id)
		}
	}
	if seg.ID == "" {
		return nil // a new segment: nothing can name it yet
	}
	byID[seg.ID] = seg
	var walk func(id string, path []string) error
	walk = func(id string, path []string) error {
		if slices.Contains(path, id) {
			names := make([]string, 0, len(path)+1)
			for _, p := range append(path, id) {
				names = append(names, byID[p].Name)
			}
			return touchpoint.Errorf(touchpoint.ECONFLICT, "segments would refer to each other in a cycle: %s", strings.Join(names, " → "))
		}
		o := byID[id]
		if o == nil {
			return nil
		}
		for _, ref := range o.Condition.SegmentRefs() {
			if err := walk(ref, append(path, id)); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(seg.ID, nil)
}

// CreateSegment validates, checks references and stores a segment; its
// membership is computed in the background.
func (s *Service) CreateSegment(ctx context.Context, seg *touchpoint.Segment) error {
	if err := seg.Validate(); err != nil {
		return err
	}
	seg.ID = ""
	if err := s.checkRefs(ctx, seg); err != nil {
		return err
	}
	if err := s.Store.CreateSegment(ctx, seg); err != nil {
		return err
	}
	s.notify()
	return nil
}

// UpdateSegment replaces a definition.
func (s *Service) UpdateSegment(ctx context.Context, seg *touchpoint.Segment) error {
	if err := seg.Validate(); err != nil {
		return err
	}
	if _, err := s.Store.FindSegment(ctx, seg.Workspace, seg.ID); err != nil {
		return err
	}
	if err := s.checkRefs(ctx, seg); err != nil {
		return err
	}
	if err := s.Store.UpdateSegment(ctx, seg); err != nil {
		return err
	}
	s.notify()
	return nil
}

// DeleteSegment removes a segment no other segment names.
func (s *Service) DeleteSegment(ctx context.Context, workspace, id string) error {
	seg, err := s.Store.FindSegment(ctx, workspace, id)
	if err != nil {
		return err
	}
	all, err := s.Store.FindSegments(ctx, touchpoint.SegmentFilter{Workspace: workspace})
	if err != nil {
		return err
	}
	for _, o := range all {
		if o.ID != id && slices.Contains(o.Condition.SegmentRefs(), id) {
			return touchpoint.Errorf(touchpoint.ECONFLICT, "segment %q is used by segment %q; change that one first", seg.Name, o.Name)
		}
	}
	if err := s.Store.DeleteSegment(ctx, workspace, id); err != nil {
		return err
	}
	s.notify()
	return nil
}

func (s *Service) notify() {
	if s.Engine != nil {
		s.Engine.Notify()
	}
}

// FindSegment returns a segment.
func (s *Service) FindSegment(ctx context.Context, workspace, id string) (*touchpoint.Segment, error) {
	return s.Store.FindSegment(ctx, workspace, id)
}

// FindSegments lists segments.
func (s *Service) FindSegments(ctx context.Context, f touchpoint.SegmentFilter) ([]*touchpoint.Segment, error) {
	return s.Store.FindSegments(ctx, f)
}

// EstimateSegment counts what a definition selects now in the analytics
// store, with the segments it names inlined.
func (s *Service) EstimateSegment(ctx context.Context, workspace string, c touchpoint.SegmentCondition) (*touchpoint.SegmentEstimate, error) {
	if err := c.Validate("condition"); err != nil {
		return nil, err
	}
	if s.Estimator == nil {
		return nil, touchpoint.Errorf(touchpoint.EUNAVAILABLE, "estimates need the analytics store")
	}
	p, err := s.Plan(ctx, workspace, &c)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	size, total, err := s.Estimator.EstimateSegment(ctx, workspace, p, s.now())
	if err != nil {
		return nil, err
	}
	return &touchpoint.SegmentEstimate{Size: size, Total: total, TookMS: time.Since(start).Milliseconds()}, nil
}

// Plan compiles a definition with the segments it names inlined, for the
// analytics store.
func (s *Service) Plan(ctx context.Context, workspace string, c *touchpoint.SegmentCondition) (*Plan, error) {
	return Compile(c, Options{Inline: func(id string) (*touchpoint.SegmentCondition, error) {
		o, err := s.Store.FindSegment(ctx, workspace, id)
		if touchpoint.ErrorCode(err) == touchpoint.ENOTFOUND {
			return nil, touchpoint.FieldError("condition", "segment %q does not exist in this workspace", id)
		} else if err != nil {
			return nil, err
		}
		return &o.Condition, nil
	}})
}

func (s *Service) now() time.Time {
	if s.Clock == nil {
		return time.Now().UTC()
	}
	return s.Clock.Now()
}

// SegmentMembersPage pages through a segment's (or discovered persona's)
// members.
func (s *Service) SegmentMembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error) {
	if IsPersonaID(f.SegmentID) {
		if s.Personas == nil {
			return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "persona %q not found", f.SegmentID)
		}
		return s.Personas.MembersPage(ctx, f)
	}
	if _, err := s.Store.FindSegment(ctx, f.Workspace, f.SegmentID); err != nil {
		return nil, err
	}
	return s.Store.SegmentMembersPage(ctx, f)
}

// SegmentHistory lists membership changes.
func (s *Service) SegmentHistory(ctx context.Context, f touchpoint.SegmentHistoryFilter) ([]touchpoint.SegmentChange, error) {
	return s.Store.SegmentHistory(ctx, f)
}

// SegmentSizes returns daily sizes.
func (s *Service) SegmentSizes(ctx context.Context, workspace, id string, since time.Time) ([]touchpoint.SegmentSize, error) {
	if _, err := s.Store.FindSegment(ctx, workspace, id); err != nil {
		return nil, err
	}
	return s.Store.SegmentSizes(ctx, workspace, id, since)
}

// ProfileSegments lists a profile's segments.
func (s *Service) ProfileSegments(ctx context.Context, workspace, profileID string) ([]*touchpoint.Segment, error) {
	return s.Store.ProfileSegments(ctx, workspace, profileID)
}

// Members returns the profiles in a segment or discovered persona now.
func (s *Service) Members(ctx context.Context, workspace, segmentID string) ([]string, error) {
	if IsPersonaID(segmentID) {
		if s.Personas == nil {
			return nil, touchpoint.Errorf(touchpoint.ENOTFOUND, "persona %q not found", segmentID)
		}
		return s.Personas.MemberIDs(ctx, workspace, segmentID)
	}
	if s.Engine != nil {
		if ids, ok, err := s.Engine.Members(workspace, segmentID); ok {
			return ids, err
		}
	}
	if _, err := s.Store.FindSegment(ctx, workspace, segmentID); err != nil {
		return nil, err
	}
	return s.Store.SegmentMemberIDs(ctx, workspace, segmentID)
}

// IsMember reports whether a profile is in a segment or persona now.
func (s *Service) IsMember(ctx context.Context, workspace, segmentID, profileID string) (bool, error) {
	if IsPersonaID(segmentID) {
		if s.Personas == nil {
			return false, touchpoint.Errorf(touchpoint.ENOTFOUND, "persona %q not found", segmentID)
		}
		return s.Personas.IsMember(ctx, workspace, segmentID, profileID)
	}
	if s.Engine != nil {
		if in, ok, err := s.Engine.IsMember(workspace, segmentID, profileID); ok {
			return in, err
		}
	}
	if _, err := s.Store.FindSegment(ctx, workspace, segmentID); err != nil {
		return false, err
	}
	return s.Store.IsSegmentMember(ctx, workspace, segmentID, profileID)
}

// IsPersonaID reports whether an id names a discovered persona.
func IsPersonaID(id string) bool { return strings.HasPrefix(id, "prs_") }
