package log

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	json "github.com/goccy/go-json"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"github.com/touchpoint-cx/touchpoint"
)

// Batch is a run of whole log messages handed to a consumer.
type Batch struct {
	Events []touchpoint.Event
	// LastSequence is the log sequence of the last message in the batch: the
	// checkpoint to store with the batch's effects.
	LastSequence uint64
	// Full says the batch was cut at the consumer's size limit, so more
	// events are probably waiting; a handler may defer making its work
	// durable until a batch that is not full (the consumer has caught up).
	Full bool
}

// ConsumerConfig tunes how a consumer reads.
type ConsumerConfig struct {
	// Name identifies the consumer in logs and metrics.
	Name string
	// After is the last sequence the consumer applied; reading starts after it.
	After uint64
	// MaxEvents flushes a batch once it holds this many events.
	MaxEvents int
	// MaxWait flushes a non-empty batch this long after its first event.
	MaxWait time.Duration
	// Retry is the first pause after a failed handler call; it doubles up to a minute.
	Retry time.Duration
}

// Handler applies a batch. It must store Batch.LastSequence in the same
// transaction as its effects. A returned error makes Consume retry the same
// batch after a pause; the log is never skipped.
type Handler func(ctx context.Context, b Batch) error

// Consume reads the log after cfg.After and hands batches to h until ctx is
// done. It returns nil when ctx is cancelled, after the batch in hand (if
// any) has been applied or abandoned.
func (l *Log) Consume(ctx context.Context, cfg ConsumerConfig, h Handler) error {
	if cfg.MaxEvents <= 0 {
		cfg.MaxEvents = 20000
	}
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 200 * time.Millisecond
	}
	if cfg.Retry <= 0 {
		cfg.Retry = 500 * time.Millisecond
	}
	occ := jetstream.OrderedConsumerConfig{DeliverPolicy: jetstream.DeliverAllPolicy}
	if cfg.After > 0 {
		occ.DeliverPolicy = jetstream.DeliverByStartSequencePolicy
		occ.OptStartSeq = cfg.After + 1
	}
	cons, err := l.js.OrderedConsumer(ctx, StreamName, occ)
	if err != nil {
		return fmt.Errorf("consumer %s: %w", cfg.Name, err)
	}
	it, err := cons.Messages(jetstream.PullMaxMessages(64))
	if err != nil {
		return fmt.Errorf("consumer %s: %w", cfg.Name, err)
	}
	defer it.Stop()

	var batch Batch
	var deadline time.Time
	flush := func() error {
		if batch.LastSequence == 0 {
			return nil
		}
		if err := l.apply(ctx, cfg, h, batch); err != nil {
			return err
		}
		l.metrics.consumed.WithLabelValues(cfg.Name).Add(float64(len(batch.Events)))
		l.metrics.consumerSeq.WithLabelValues(cfg.Name).Set(float64(batch.LastSequence))
		batch = Batch{}
		return nil
	}
	for {
		wait := time.Second
		if batch.LastSequence != 0 {
			wait = time.Until(deadline)
		}
		if wait <= 0 || len(batch.Events) >= cfg.MaxEvents {
			batch.Full = len(batch.Events) >= cfg.MaxEvents
			if err := flush(); err != nil {
				return nil // ctx cancelled while retrying
			}
			continue
		}
		nctx, ncancel := context.WithTimeout(ctx, wait)
		msg, err := it.Next(jetstream.NextContext(nctx))
		ncancel()
		switch {
		case ctx.Err() != nil:
			// Apply what is in hand so that a clean shutdown loses no work;
			// a crash instead would simply re-read it.
			_ = l.applyOnce(context.WithoutCancel(ctx), h, batch)
			return nil
		case errors.Is(err, nats.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
			continue
		case err != nil:
			l.logger.Warn("consumer read", "consumer", cfg.Name, "err", err)
			select {
			case <-ctx.Done():
			case <-time.After(cfg.Retry):
			}
			continue
		}
		meta, err := msg.Metadata()
		if err != nil {
			return fmt.Errorf("consumer %s: metadata: %w", cfg.Name, err)
		}
		events, err := DecodeMessage(msg.Data())
		if err != nil {
			// A message the log accepted but no one can read would stall every
			// consumer forever; it is reported and passed over.
			l.logger.Error("undecodable log message skipped", "consumer", cfg.Name, "seq", meta.Sequence.Stream, "err", err)
		}
		if batch.LastSequence == 0 {
			deadline = time.Now().Add(cfg.MaxWait)
		}
		batch.Events = append(batch.Events, events...)
		batch.LastSequence = meta.Sequence.Stream
	}
}

func (l *Log) applyOnce(ctx context.Context, h Handler, b Batch) error {
	if b.LastSequence == 0 {
		return nil
	}
	return h(ctx, b)
}

// apply retries h with backoff until it succeeds or ctx ends.
func (l *Log) apply(ctx context.Context, cfg ConsumerConfig, h Handler, b Batch) error {
	pause := cfg.Retry
	for {
		// A batch that has started is finished even if ctx is cancelled
		// meanwhile; cancellation is honoured between batches.
		err := h(context.WithoutCancel(ctx), b)
		if err == nil {
			return nil
		}
		l.logger.Error("consumer apply failed; retrying", "consumer", cfg.Name, "seq", b.LastSequence, "err", err, "retry_in", pause)
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(pause):
		}
		pause = min(pause*2, time.Minute)
	}
}

// DecodeMessage splits a log message into its events.
func DecodeMessage(data []byte) ([]touchpoint.Event, error) {
	events := make([]touchpoint.Event, 0, bytes.Count(data, []byte{'\n'}))
	for len(data) > 0 {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data = nil
		}
		if len(line) == 0 {
			continue
		}
		var ev touchpoint.Event
		if err := json.Unmarshal(line, &ev); err != nil {
			return events, fmt.Errorf("decode event: %w", err)
		}
		events = append(events, ev)
	}
	return events, nil
}
