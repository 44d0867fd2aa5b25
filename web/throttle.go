package web

import (
	"sync"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// Login throttling: after too many failed sign-ins for one email address,
// or from one network address, further tries are refused for a while, so a
// password cannot be guessed by trying many.
const (
	throttleWindow   = 15 * time.Minute
	maxFailsPerEmail = 5
	maxFailsPerIP    = 20
)

type throttle struct {
	clock touchpoint.Clock
	mu    sync.Mutex
	fails map[string]*failures
}

type failures struct {
	n     int
	first time.Time
}

func newThrottle(clock touchpoint.Clock) *throttle {
	return &throttle{clock: clock, fails: map[string]*failures{}}
}

// wait returns how long sign-ins for email from ip must wait; 0 lets them try.
func (t *throttle) wait(email, ip string) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	var longest time.Duration
	for key, limit := range map[string]int{"email:" + email: maxFailsPerEmail, "ip:" + ip: maxFailsPerIP} {
		f := t.fails[key]
		if f == nil {
			continue
		}
		if left := f.first.Add(throttleWindow).Sub(now); left <= 0 {
			delete(t.fails, key)
		} else if f.n >= limit && left > longest {
			longest = left
		}
	}
	return longest
}

// failed counts a failed sign-in.
func (t *throttle) failed(email, ip string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.clock.Now()
	if len(t.fails) > 100000 {
		// Forget finished windows so that a flood of addresses cannot
		// grow the map without bound.
		for k, f := range t.fails {
			if now.Sub(f.first) > throttleWindow {
				delete(t.fails, k)
			}
		}
	}
	for _, key := range []string{"email:" + email, "ip:" + ip} {
		f := t.fails[key]
		if f == nil || now.Sub(f.first) > throttleWindow {
			f = &failures{first: now}
			t.fails[key] = f
		}
		f.n++
	}
}

// succeeded forgets the failures of an email address once its owner got in.
func (t *throttle) succeeded(email string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	delete(t.fails, "email:"+email)
}
