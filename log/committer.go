package log

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/touchpoint-cx/touchpoint"
)

// request is one caller's events, already encoded per partition so that
// the committer only concatenates bytes.
type request struct {
	parts [][]byte
	count int
	size  int
	start time.Time
	done  chan error
}

// committer coalesces concurrent Appends into log messages.
type committer struct {
	l        *Log
	maxBytes int
	reqs     chan *request
	slots    chan struct{} // one per group awaiting its fsync
	inflight sync.WaitGroup
	loopDone chan struct{}

	mu     sync.RWMutex
	closed bool
}

func newCommitter(l *Log) *committer {
	c := &committer{
		l:        l,
		maxBytes: l.cfg.MaxGroupBytes,
		reqs:     make(chan *request, 4096),
		slots:    make(chan struct{}, l.cfg.MaxInFlight),
		loopDone: make(chan struct{}),
	}
	go c.loop()
	return c
}

// encode turns events into one or more requests of about half a group at
// most (a single event is at most 32 KB), so a group has room for several.
func (c *committer) encode(events []touchpoint.Event) []*request {
	n := c.l.cfg.Partitions
	var out []*request
	cur := &request{parts: make([][]byte, n), done: make(chan error, 1)}
	for i := range events {
		p := partition(&events[i], n)
		before := len(cur.parts[p])
		cur.parts[p] = append(events[i].AppendJSON(cur.parts[p]), '\n')
		size := len(cur.parts[p]) - before
		cur.count++
		cur.size += size
		if cur.size > c.maxBytes/2 && i < len(events)-1 {
			out = append(out, cur)
			cur = &request{parts: make([][]byte, n), done: make(chan error, 1)}
		}
	}
	return append(out, cur)
}

// submit queues requests in order and waits until all are durable.
func (c *committer) submit(ctx context.Context, reqs []*request) error {
	c.mu.RLock()
	if c.closed {
		c.mu.RUnlock()
		return touchpoint.Errorf(touchpoint.EUNAVAILABLE, "the event log is shutting down; retry shortly")
	}
	now := time.Now()
	for _, r := range reqs {
		r.start = now
		select {
		case c.reqs <- r:
		case <-ctx.Done():
			c.mu.RUnlock()
			return ctx.Err()
		}
	}
	c.mu.RUnlock()

	var firstErr error
	for _, r := range reqs {
		select {
		case err := <-r.done:
			if err != nil && firstErr == nil {
				firstErr = err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return firstErr
}

// loop gathers whatever is waiting into one group, publishes it, and moves
// on to the next group while JetStream syncs the previous one.
func (c *committer) loop() {
	defer close(c.loopDone)
	var carry *request
	for {
		c.slots <- struct{}{}
		first := carry
		carry = nil
		if first == nil {
			var ok bool
			if first, ok = <-c.reqs; !ok {
				<-c.slots
				break
			}
		}
		group := []*request{first}
		size := first.size
	gather:
		for {
			select {
			case r, ok := <-c.reqs:
				if !ok {
					break gather
				}
				if size+r.size > c.maxBytes {
					carry = r
					break gather
				}
				group = append(group, r)
				size += r.size
			default:
				break gather
			}
		}
		c.publish(group, size)
	}
	if carry != nil {
		c.slots <- struct{}{}
		c.publish([]*request{carry}, carry.size)
	}
	c.inflight.Wait()
}

func (c *committer) publish(group []*request, size int) {
	n := c.l.cfg.Partitions
	count := 0
	for _, r := range group {
		count += r.count
	}
	var futures []jetstream.PubAckFuture
	var err error
	for p := 0; p < n; p++ {
		var buf []byte
		events := 0
		for _, r := range group {
			buf = append(buf, r.parts[p]...)
		}
		if len(buf) == 0 {
			continue
		}
		for _, b := range buf {
			if b == '\n' {
				events++
			}
		}
		msg := nats.NewMsg(subject(p))
		msg.Data = buf
		msg.Header.Set("Tp-Events", strconv.Itoa(events))
		f, perr := c.l.js.PublishMsgAsync(msg)
		if perr != nil {
			err = perr
			break
		}
		futures = append(futures, f)
	}
	c.l.metrics.groupEvents.Observe(float64(count))
	c.l.metrics.groupBytes.Observe(float64(size))
	c.inflight.Add(1)
	go func() {
		defer c.inflight.Done()
		defer func() { <-c.slots }()
		for _, f := range futures {
			select {
			case <-f.Ok():
			case ferr := <-f.Err():
				if err == nil {
					err = ferr
				}
			}
		}
		if err != nil {
			c.l.logger.Error("log append failed", "events", count, "err", err)
			c.l.metrics.appendErrors.Add(float64(count))
			err = touchpoint.Errorf(touchpoint.EUNAVAILABLE, "the event log could not store the events; retry")
		} else {
			c.l.metrics.appended.Add(float64(count))
		}
		now := time.Now()
		for _, r := range group {
			c.l.metrics.appendSeconds.Observe(now.Sub(r.start).Seconds())
			r.done <- err
		}
	}()
}

// close stops new appends and waits until every queued group is durable.
func (c *committer) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	close(c.reqs)
	c.mu.Unlock()
	<-c.loopDone
}
