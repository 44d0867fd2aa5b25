package segment

import (
	"context"

	"github.com/touchpoint-cx/touchpoint"
)

// PersonaStore keeps discovered personas and their members.
type PersonaStore interface {
	PersonaMembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error)
	PersonaMemberIDs(ctx context.Context, workspace, personaID string) ([]string, error)
	IsPersonaMember(ctx context.Context, workspace, personaID, profileID string) (bool, error)
}

// Personas discovers personas and answers for their members.
type Personas struct {
	Store PersonaStore
}

// MembersPage pages through a discovered persona's members.
func (p *Personas) MembersPage(ctx context.Context, f touchpoint.SegmentMemberFilter) ([]touchpoint.SegmentMember, error) {
	return p.Store.PersonaMembersPage(ctx, f)
}

// MemberIDs lists a discovered persona's members.
func (p *Personas) MemberIDs(ctx context.Context, workspace, id string) ([]string, error) {
	return p.Store.PersonaMemberIDs(ctx, workspace, id)
}

// IsMember reports whether a profile is in a discovered persona.
func (p *Personas) IsMember(ctx context.Context, workspace, id, profileID string) (bool, error) {
	return p.Store.IsPersonaMember(ctx, workspace, id, profileID)
}
