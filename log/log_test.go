package log_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	tplog "github.com/touchpoint-cx/touchpoint/log"
)

func open(t *testing.T, dir string) *tplog.Log {
	t.Helper()
	l, err := tplog.Open(context.Background(), tplog.DefaultConfig(dir), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func event(i int) touchpoint.Event {
	return touchpoint.Event{
		ID: fmt.Sprintf("m%d", i), Workspace: "default", Type: touchpoint.TypeTrack, Event: "Order Completed",
		UserID: fmt.Sprintf("u%d", i%37), Timestamp: time.Unix(int64(i), 0).UTC(), ReceivedAt: time.Unix(int64(i), 0).UTC(),
	}
}

// consumeAll reads the log after `after` until it has seen want events.
func consumeAll(t *testing.T, l *tplog.Log, after uint64, want int) (map[string]int, uint64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	seen := map[string]int{}
	var last uint64
	n := 0
	done := make(chan struct{})
	go func() {
		_ = l.Consume(ctx, tplog.ConsumerConfig{Name: "test", After: after, MaxWait: 10 * time.Millisecond}, func(_ context.Context, b tplog.Batch) error {
			for _, ev := range b.Events {
				seen[ev.ID]++
				n++
			}
			last = b.LastSequence
			if n >= want {
				close(done)
				cancel()
			}
			return nil
		})
	}()
	select {
	case <-done:
	case <-ctx.Done():
		t.Fatalf("consumed %d of %d events", n, want)
	}
	return seen, last
}

func TestAppend(t *testing.T) {
	t.Run("ConcurrentCallersAllDurableOnce", func(t *testing.T) {
		l := open(t, t.TempDir())
		defer l.Close()
		const callers, per = 32, 50
		var wg sync.WaitGroup
		errs := make(chan error, callers)
		for c := 0; c < callers; c++ {
			wg.Add(1)
			go func(c int) {
				defer wg.Done()
				var evs []touchpoint.Event
				for i := 0; i < per; i++ {
					evs = append(evs, event(c*per+i))
				}
				errs <- l.Append(context.Background(), evs)
			}(c)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		seen, _ := consumeAll(t, l, 0, callers*per)
		if len(seen) != callers*per {
			t.Fatalf("got %d distinct events, want %d", len(seen), callers*per)
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("event %s seen %d times", id, n)
			}
		}
		seq, err := l.LastSequence(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// Group commit: far fewer log messages than callers' events.
		if seq == 0 || seq >= callers*per {
			t.Fatalf("log holds %d messages for %d events", seq, callers*per)
		}
	})

	t.Run("SurvivesReopenAndResumesAfterCheckpoint", func(t *testing.T) {
		dir := t.TempDir()
		l := open(t, dir)
		if err := l.Append(context.Background(), []touchpoint.Event{event(1), event(2)}); err != nil {
			t.Fatal(err)
		}
		_, last := consumeAll(t, l, 0, 2)
		l.Close()

		l = open(t, dir)
		defer l.Close()
		if err := l.Append(context.Background(), []touchpoint.Event{event(3)}); err != nil {
			t.Fatal(err)
		}
		seen, _ := consumeAll(t, l, last, 1)
		if len(seen) != 1 || seen["m3"] != 1 {
			t.Fatalf("after checkpoint got %v, want only m3", seen)
		}
	})

	t.Run("SplitsLargeAppends", func(t *testing.T) {
		l := open(t, t.TempDir())
		defer l.Close()
		big := make([]touchpoint.Event, 3000)
		for i := range big {
			big[i] = event(i)
			big[i].Properties = []byte(fmt.Sprintf(`{"pad":%q}`, strings.Repeat("x", 2000)))
		}
		if err := l.Append(context.Background(), big); err != nil {
			t.Fatal(err)
		}
		seen, _ := consumeAll(t, l, 0, len(big))
		if len(seen) != len(big) {
			t.Fatalf("got %d events, want %d", len(seen), len(big))
		}
	})

	t.Run("ErrUnavailableAfterClose", func(t *testing.T) {
		l := open(t, t.TempDir())
		l.Close()
		err := l.Append(context.Background(), []touchpoint.Event{event(1)})
		if touchpoint.ErrorCode(err) != touchpoint.EUNAVAILABLE {
			t.Fatalf("got %v, want unavailable", err)
		}
	})
}

func TestLogFraming(t *testing.T) {
	// Raw JSON as a client sent it may span lines; the log is
	// newline-delimited, so encoding must compact it.
	l := open(t, t.TempDir())
	defer l.Close()
	ev := event(1)
	ev.Properties = []byte("{\n \"a\": [1,\n 2],\n \"s\": \"line\\nbreak\"\n}")
	ev.Context = []byte("{\r\n\"ip\": \"192.0.2.1\"}")
	if err := l.Append(context.Background(), []touchpoint.Event{ev, event(2)}); err != nil {
		t.Fatal(err)
	}
	seen, _ := consumeAll(t, l, 0, 2)
	if len(seen) != 2 {
		t.Fatalf("got %v", seen)
	}
}
