package importer

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/touchpoint-cx/touchpoint"
)

// ndjson imports one Segment call (or batch envelope) per line. Lines are
// read with a bounded buffer: a line longer than a batch may be is skipped
// without being held in memory.
func (r *run) ndjson(ctx context.Context, in io.Reader) error {
	br := bufio.NewReaderSize(in, 64<<10)
	var line []byte
	tooLong := false
	n := 0
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > touchpoint.MaxBatchBytes+2 {
			tooLong = true
		} else {
			line = append(line, chunk...)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read line %d: %w", n+1, err)
		}
		if len(line) > 0 || tooLong || !errors.Is(err, io.EOF) {
			n++
			if perr := r.ndjsonLine(ctx, n, line, tooLong); perr != nil {
				return perr
			}
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		line, tooLong = line[:0], false
		if err := ctx.Err(); err != nil {
			return err
		}
	}
}

func (r *run) ndjsonLine(ctx context.Context, n int, line []byte, tooLong bool) error {
	if tooLong {
		r.reject(n, touchpoint.Errorf(touchpoint.ETOOLARGE, "line is longer than %d bytes", touchpoint.MaxBatchBytes))
		return nil
	}
	if n == 1 {
		line = bytes.TrimPrefix(line, []byte("\ufeff"))
	}
	line = bytes.TrimSpace(line)
	if len(line) == 0 {
		return nil
	}
	if bytes.Contains(line, []byte(`"batch"`)) {
		if b, err := touchpoint.ParseBatch(line); err == nil {
			for i, item := range b.Items {
				if err := r.call(ctx, n, item, fmt.Sprintf("batch[%d].", i)); err != nil {
					return err
				}
			}
			return nil
		}
	}
	return r.call(ctx, n, line, "")
}

// call validates one Segment call and accepts or rejects it.
func (r *run) call(ctx context.Context, n int, raw []byte, prefix string) error {
	c, err := touchpoint.ParseCall(raw)
	var ev touchpoint.Event
	if err == nil {
		c.DefaultMessageID(contentID(r.opts.Source, raw))
		typ := touchpoint.EventType("")
		if c.Type == "" {
			typ = r.opts.Type
		}
		ev, err = c.Normalize(typ, r.received())
	}
	if err != nil {
		if prefix != "" {
			err = &touchpoint.Error{Code: touchpoint.ErrorCode(err), Field: prefix + touchpoint.ErrorField(err), Message: prefix + touchpoint.ErrorMessage(err)}
		}
		r.reject(n, err)
		return nil
	}
	return r.accept(ctx, ev)
}
