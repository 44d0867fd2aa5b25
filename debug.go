package touchpoint

import (
	"sync"
	"time"
)

// DebugCall is one call to the collection API as the event debugger shows
// it: what the client sent, what became of it, and why it was rejected.
// Rejected calls are never stored anywhere else, so this is where a person
// setting up a source sees what is wrong.
type DebugCall struct {
	Seq        uint64    `json:"seq"`
	Time       time.Time `json:"time"`
	Workspace  string    `json:"-"`
	SourceID   string    `json:"source_id,omitempty"`
	SourceName string    `json:"source_name,omitempty"`
	// Path is the collection route that received the call (/v1/track…),
	// with the index of the item for batches ("/v1/batch[3]").
	Path      string `json:"path"`
	Type      string `json:"type,omitempty"`
	MessageID string `json:"message_id,omitempty"`
	Accepted  bool   `json:"accepted"`
	// Error says why a rejected call was rejected.
	Error *Error `json:"error,omitempty"`
	// Payload is the call as sent, cut at MaxDebugPayload bytes. It is text,
	// not JSON: a rejected call may not be JSON at all.
	Payload string `json:"payload,omitempty"`
	// Event is what an accepted call was stored as.
	Event *Event `json:"event,omitempty"`
}

// Bounds of the debugger's memory.
const (
	DebugCallsPerWorkspace = 500
	MaxDebugPayload        = 16 << 10
)

// DebugFilter selects recent calls. The zero value selects every kept call.
type DebugFilter struct {
	// After drops calls with Seq <= After, so a poller asks only for new ones.
	After uint64
	// Rejected keeps only rejected calls when set to true, accepted ones
	// when set to false.
	Rejected *bool
	Limit    int
}

// DebugRing keeps the most recent calls of each workspace in memory, newest
// last, each workspace in a ring of DebugCallsPerWorkspace entries. It is
// safe for concurrent use and cheap enough to record every call.
type DebugRing struct {
	mu    sync.Mutex
	size  int
	seq   uint64
	rings map[string]*debugRing
}

type debugRing struct {
	calls []DebugCall
	next  int // where the next call goes once calls is full
}

// NewDebugRing returns a ring keeping size calls per workspace
// (DebugCallsPerWorkspace if size <= 0).
func NewDebugRing(size int) *DebugRing {
	if size <= 0 {
		size = DebugCallsPerWorkspace
	}
	return &DebugRing{size: size, rings: map[string]*debugRing{}}
}

// Record adds calls, assigning their Seq. Payloads are cut to MaxDebugPayload.
func (d *DebugRing) Record(calls ...DebugCall) {
	if d == nil || len(calls) == 0 {
		return
	}
	// A batch larger than the ring would only overwrite itself.
	if len(calls) > d.size {
		calls = calls[len(calls)-d.size:]
	}
	for i := range calls {
		if len(calls[i].Payload) > MaxDebugPayload {
			calls[i].Payload = calls[i].Payload[:MaxDebugPayload] + "…"
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, c := range calls {
		r := d.rings[c.Workspace]
		if r == nil {
			r = &debugRing{}
			d.rings[c.Workspace] = r
		}
		d.seq++
		c.Seq = d.seq
		if len(r.calls) < d.size {
			r.calls = append(r.calls, c)
			continue
		}
		r.calls[r.next] = c
		r.next = (r.next + 1) % d.size
	}
}

// Recent returns a workspace's kept calls matching f, newest first.
func (d *DebugRing) Recent(workspace string, f DebugFilter) []DebugCall {
	out := []DebugCall{}
	if d == nil {
		return out
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	r := d.rings[workspace]
	if r == nil {
		return out
	}
	n := len(r.calls)
	for i := 0; i < n; i++ {
		// Walk from the newest: the one before r.next (wrapping).
		c := r.calls[(r.next-1-i+2*n)%n]
		if c.Seq <= f.After {
			break
		}
		if f.Rejected != nil && c.Accepted == *f.Rejected {
			continue
		}
		out = append(out, c)
		if f.Limit > 0 && len(out) == f.Limit {
			break
		}
	}
	return out
}
