package ratelimit_test

import (
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint/internal/ratelimit"
)

func TestLimiter(t *testing.T) {
	l := ratelimit.New(1, 3)
	now := time.Date(2026, 11, 22, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 3; i++ {
		if ok, _ := l.Allow("a", now); !ok {
			t.Fatalf("call %d within burst refused", i)
		}
	}
	ok, wait := l.Allow("a", now)
	if ok || wait <= 0 || wait > time.Second {
		t.Fatalf("over burst: %v %v", ok, wait)
	}
	if ok, _ := l.Allow("b", now); !ok {
		t.Fatal("another key is limited separately")
	}
	if ok, _ := l.Allow("a", now.Add(1100*time.Millisecond)); !ok {
		t.Fatal("a second later one call is allowed again")
	}
}
