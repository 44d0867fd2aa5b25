package importer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/touchpoint-cx/touchpoint"
)

// Format is a file format Import reads.
type Format string

// The formats.
const (
	NDJSON Format = "ndjson"
	CSV    Format = "csv"
)

// DetectFormat guesses a file's format from its name, else from its first
// bytes. Returns EINVALID if neither tells.
func DetectFormat(filename string, head []byte) (Format, error) {
	switch strings.ToLower(filepath.Ext(filename)) {
	case ".ndjson", ".jsonl", ".json":
		return NDJSON, nil
	case ".csv", ".tsv":
		return CSV, nil
	}
	head = bytes.TrimLeft(head, "\ufeff \t\r\n")
	if len(head) == 0 {
		return "", touchpoint.FieldError("format", "the file is empty")
	}
	if head[0] == '{' {
		return NDJSON, nil
	}
	if line, _, _ := bytes.Cut(head, []byte("\n")); bytes.ContainsAny(line, ",\t;") {
		return CSV, nil
	}
	return "", touchpoint.FieldError("format", "cannot tell the file's format: name it .ndjson or .csv, or say format=ndjson|csv")
}

// Options say how to read a file.
type Options struct {
	Format Format
	// Mapping maps targets to CSV columns.
	Mapping Mapping
	// Type is the call type of CSV rows without a type column (default
	// track), and of NDJSON lines without a type.
	Type touchpoint.EventType
	// Unmapped says where CSV columns no target names go: "properties"
	// (default for track, page, screen), "traits" (default for identify,
	// group) or "drop".
	Unmapped string
	// TimeFormat is a Go layout for the CSV timestamp column. ISO 8601 and
	// unix seconds or milliseconds are always understood.
	TimeFormat string
	// Delimiter separates CSV fields (default ',' or tab for .tsv).
	Delimiter rune
	Source    *touchpoint.Source
	Now       func() time.Time
	// BatchSize is how many events each sink call gets (default 500).
	BatchSize int
	// MaxErrors is how many row errors Summary keeps (default 100).
	MaxErrors int
}

// RowError says why one row was rejected.
type RowError struct {
	Line    int    `json:"line"`
	Field   string `json:"field,omitempty"`
	Code    string `json:"code"`
	Message string `json:"message"`
}

// Summary is what an import did.
type Summary struct {
	Rows            int            `json:"rows"`
	Accepted        int            `json:"accepted"`
	Rejected        int            `json:"rejected"`
	Errors          []RowError     `json:"errors,omitempty"`
	ErrorsTruncated bool           `json:"errors_truncated,omitempty"`
	Reasons         map[string]int `json:"reasons,omitempty"`
}

// Sink receives accepted events in order. It returns only when they are
// safely stored; an error stops the import.
type Sink func(ctx context.Context, events []touchpoint.Event) error

// Import reads r and hands valid events to sink in batches. It returns
// an error only for whole-file problems (unreadable input, a bad header or
// mapping, a failing sink); bad rows are counted in the Summary.
func Import(ctx context.Context, r io.Reader, opts Options, sink Sink) (Summary, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 500
	}
	if opts.MaxErrors <= 0 {
		opts.MaxErrors = 100
	}
	if opts.Type != "" && !opts.Type.Valid() {
		return Summary{}, touchpoint.FieldError("type", "unknown call type %q", opts.Type)
	}
	switch opts.Unmapped {
	case "", "properties", "traits", "drop":
	default:
		return Summary{}, touchpoint.FieldError("unmapped", "must be properties, traits or drop")
	}
	run := &run{opts: opts, sink: sink, sum: Summary{Reasons: map[string]int{}}}
	var err error
	switch opts.Format {
	case NDJSON:
		err = run.ndjson(ctx, r)
	case CSV:
		err = run.csv(ctx, r)
	default:
		return Summary{}, touchpoint.FieldError("format", "must be ndjson or csv")
	}
	if err == nil {
		err = run.flush(ctx)
	}
	if len(run.sum.Reasons) == 0 {
		run.sum.Reasons = nil
	}
	return run.sum, err
}

// run is one import in progress.
type run struct {
	opts    Options
	sink    Sink
	sum     Summary
	pending []touchpoint.Event
}

func (r *run) received() touchpoint.Received {
	return touchpoint.Received{At: r.opts.Now(), Source: r.opts.Source}
}

func (r *run) accept(ctx context.Context, ev touchpoint.Event) error {
	r.sum.Rows++
	r.pending = append(r.pending, ev)
	if len(r.pending) >= r.opts.BatchSize {
		return r.flush(ctx)
	}
	return nil
}

func (r *run) flush(ctx context.Context) error {
	if len(r.pending) == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.sink(ctx, r.pending); err != nil {
		return fmt.Errorf("store imported events: %w", err)
	}
	r.sum.Accepted += len(r.pending)
	r.pending = r.pending[:0]
	return nil
}

// reject records a bad row. Reasons groups messages by field and code so a
// systematic problem shows as one line with a count.
func (r *run) reject(line int, err error) {
	r.sum.Rows++
	r.sum.Rejected++
	e := RowError{Line: line, Field: touchpoint.ErrorField(err), Code: touchpoint.ErrorCode(err), Message: touchpoint.ErrorMessage(err)}
	reason := e.Message
	if e.Field != "" {
		reason = e.Field + ": " + reasonOf(e.Message, e.Field)
	}
	r.sum.Reasons[reason]++
	if len(r.sum.Errors) < r.opts.MaxErrors {
		r.sum.Errors = append(r.sum.Errors, e)
	} else {
		r.sum.ErrorsTruncated = true
	}
}

// reasonOf strips the quoted value out of a message so that rows failing
// the same way share one reason.
func reasonOf(msg, field string) string {
	msg = strings.TrimPrefix(msg, field+": ")
	if i := strings.Index(msg, ` "`); i >= 0 {
		if j := strings.Index(msg[i+2:], `"`); j >= 0 {
			msg = msg[:i] + msg[i+2+j+1:]
		}
	}
	return msg
}

// contentID derives a messageId from a row's bytes and its source, so the
// same row imported twice is the same event.
func contentID(src *touchpoint.Source, row []byte) string {
	h := sha256.New()
	if src != nil {
		h.Write([]byte(src.ID))
	}
	h.Write([]byte{0})
	h.Write(row)
	return "imp-" + hex.EncodeToString(h.Sum(nil))[:32]
}

// Sniff decides the format of a stream from its name or its first bytes,
// and returns a reader that still yields those bytes.
func Sniff(r io.Reader, filename string) (Format, io.Reader, error) {
	head := make([]byte, 4096)
	n, err := io.ReadFull(r, head)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		return "", nil, fmt.Errorf("read file: %w", err)
	}
	head = head[:n]
	f, err := DetectFormat(filename, head)
	if err != nil {
		return "", nil, err
	}
	return f, io.MultiReader(bytes.NewReader(head), r), nil
}

// ParseDelimiter reads a CSV delimiter option: one character, or "tab"
// or `\t`.
func ParseDelimiter(s string) (rune, error) {
	if s == `\t` || s == "tab" {
		return '\t', nil
	}
	d, size := utf8.DecodeRuneInString(s)
	if s == "" || size != len(s) || d == utf8.RuneError || d == '"' || d == '\n' || d == '\r' {
		return 0, touchpoint.FieldError("delimiter", "must be a single character (or tab)")
	}
	return d, nil
}
