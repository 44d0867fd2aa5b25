package text

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// Example is one labelled text for training or evaluation.
type Example struct {
	// Class is ClassNegative, ClassNeutral or ClassPositive.
	Class int
	Text  string
	// Line is the example's line in its file, for messages.
	Line int
}

// LineError is one bad line of a TSV file.
type LineError struct {
	Line int
	Msg  string
}

// TSVError lists the bad lines of a TSV file. Its message names the first
// few with their line numbers.
type TSVError struct {
	Lines []LineError
}

func (e *TSVError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d malformed line", len(e.Lines))
	if len(e.Lines) != 1 {
		b.WriteString("s")
	}
	for i, l := range e.Lines {
		if i == 5 {
			fmt.Fprintf(&b, "; and %d more", len(e.Lines)-5)
			break
		}
		fmt.Fprintf(&b, "; line %d: %s", l.Line, l.Msg)
	}
	return b.String()
}

// MaxLineBytes is the longest line ReadTSV accepts.
const MaxLineBytes = 64 << 10

// ParseLabel reads a sentiment label: pos, neu or neg (or positive,
// neutral, negative).
func ParseLabel(s string) (int, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "pos", "positive":
		return ClassPositive, true
	case "neu", "neutral":
		return ClassNeutral, true
	case "neg", "negative":
		return ClassNegative, true
	}
	return 0, false
}

// ReadTSV reads labelled examples, one a line: a label (pos, neu or neg),
// a tab, and the text; the format of the training files Touchpoint ships
// its models from. Blank lines are skipped. Every other line that is not
// of that form is reported, with its number, in a *TSVError; the good
// lines are returned beside it, so a caller may choose to go on without
// the bad ones.
func ReadTSV(r io.Reader) ([]Example, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []Example
	var bad []LineError
	for line := 1; ; line++ {
		raw, err := readLine(br)
		if len(raw) == 0 && errors.Is(err, io.EOF) {
			break
		}
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, errLineTooLong) {
			return out, fmt.Errorf("read line %d: %w", line, err)
		}
		if errors.Is(err, errLineTooLong) {
			bad = append(bad, LineError{line, fmt.Sprintf("longer than %d bytes", MaxLineBytes)})
			continue
		}
		s := strings.TrimSuffix(string(raw), "\r")
		if strings.TrimSpace(s) == "" {
			continue
		}
		if !utf8.ValidString(s) {
			bad = append(bad, LineError{line, "not valid UTF-8"})
			continue
		}
		label, txt, ok := strings.Cut(s, "\t")
		if !ok {
			bad = append(bad, LineError{line, "no tab between label and text (want label<TAB>text)"})
			continue
		}
		class, ok := ParseLabel(label)
		if !ok {
			bad = append(bad, LineError{line, fmt.Sprintf("label %q is not pos, neu or neg", truncate(label, 20))})
			continue
		}
		txt = strings.TrimSpace(txt)
		if txt == "" {
			bad = append(bad, LineError{line, "empty text"})
			continue
		}
		out = append(out, Example{Class: class, Text: txt, Line: line})
		if errors.Is(err, io.EOF) {
			break
		}
	}
	if len(bad) > 0 {
		return out, &TSVError{Lines: bad}
	}
	return out, nil
}

var errLineTooLong = errors.New("line too long")

// readLine returns the next line without its newline. A line longer than
// MaxLineBytes is consumed and reported as errLineTooLong.
func readLine(br *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := br.ReadSlice('\n')
		if len(line)+len(chunk) > MaxLineBytes+1 {
			// Drain the rest of the line.
			for errors.Is(err, bufio.ErrBufferFull) {
				_, err = br.ReadSlice('\n')
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return nil, err
			}
			return nil, errLineTooLong
		}
		line = append(line, chunk...)
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil {
			return line, err
		}
		return line[:len(line)-1], nil
	}
}

func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}
