package feedback

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/internal/jsonpath"
)

// MaxImportRows bounds one CSV import of feedback.
const MaxImportRows = 200000

// ImportSource is the source of feedback imported from files.
const ImportSource = "import"

// ParseMap reads a CSV mapping written as "field=Column,…": the fields of
// touchpoint.FeedbackMapping (text may repeat: "text=Subject,text=Body").
// Column names are quoted as JSON path keys, so any header works.
func ParseMap(s string) (touchpoint.FeedbackMapping, error) {
	var m touchpoint.FeedbackMapping
	for _, part := range strings.Split(s, ",") {
		if strings.TrimSpace(part) == "" {
			continue
		}
		k, col, ok := strings.Cut(part, "=")
		k, col = strings.TrimSpace(k), strings.TrimSpace(col)
		if !ok || col == "" {
			return m, touchpoint.FieldError("map", "%q is not field=Column", part)
		}
		path := `["` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(col) + `"]`
		switch k {
		case "text":
			m.Text = append(m.Text, path)
		case "external_id":
			m.ExternalID = path
		case "title":
			m.Title = path
		case "score":
			m.Score = path
		case "email":
			m.Email = path
		case "user_id":
			m.UserID = path
		case "phone":
			m.Phone = path
		case "customer_id":
			m.CustomerID = path
		case "created_at":
			m.CreatedAt = path
		case "language":
			m.Language = path
		case "touchpoint":
			m.Touchpoint = path
		default:
			return m, touchpoint.FieldError("map", "unknown field %q (want text, external_id, title, score, email, user_id, phone, customer_id, created_at, language or touchpoint)", k)
		}
	}
	return m, nil
}

// CSVEvents reads a CSV file with a header row through the importer's
// mapping (paths name columns) and returns its Feedback Received events
// and the rows it could not use (Index is the line number).
func CSVEvents(h *touchpoint.FeedbackHook, r io.Reader, now time.Time) ([]touchpoint.Event, []touchpoint.ItemError, error) {
	if err := h.Mapping.Validate("map."); err != nil {
		return nil, nil, err
	}
	c, err := compile(h.Mapping)
	if err != nil {
		return nil, nil, err
	}
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, touchpoint.Errorf(touchpoint.EINVALID, "file is empty: a header row is needed")
	} else if err != nil {
		return nil, nil, touchpoint.Errorf(touchpoint.EINVALID, "read CSV: %s", err.Error())
	}
	header = append([]string(nil), header...)
	if len(header) > 0 {
		header[0] = strings.TrimPrefix(header[0], "\ufeff")
	}
	// Every mapped column must exist, so a typo is an error, not a file
	// of rows without text.
	row := map[string]any{}
	for _, col := range header {
		row[col] = ""
	}
	for _, p := range mappedPaths(h.Mapping) {
		jp, _ := jsonpath.Parse(p)
		if _, ok := jp.Get(row); !ok {
			return nil, nil, touchpoint.FieldError("map", "no column %s in the header (%s)", p, strings.Join(header, ", "))
		}
	}
	var events []touchpoint.Event
	var rejected []touchpoint.ItemError
	for n := 0; ; n++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			rejected = append(rejected, touchpoint.ItemError{Index: line, Error: &touchpoint.Error{Code: touchpoint.EINVALID, Message: err.Error()}})
			continue
		}
		if n >= MaxImportRows {
			return nil, nil, touchpoint.Errorf(touchpoint.ETOOLARGE, "more than %d rows; split the file", MaxImportRows)
		}
		row := make(map[string]any, len(header))
		for i, col := range header {
			if i < len(rec) {
				row[col] = rec[i]
			}
		}
		ev, err := c.event(h, row, now)
		if err != nil {
			rejected = append(rejected, touchpoint.ItemError{Index: line, Error: &touchpoint.Error{Code: touchpoint.ErrorCode(err), Message: fmt.Sprintf("line %d: %s", line, touchpoint.ErrorMessage(err)), Field: touchpoint.ErrorField(err)}})
			continue
		}
		events = append(events, ev)
	}
	return events, rejected, nil
}

func mappedPaths(m touchpoint.FeedbackMapping) []string {
	out := append([]string{}, m.Text...)
	for _, p := range []string{m.ExternalID, m.Title, m.Score, m.Email, m.UserID, m.Phone, m.CustomerID, m.CreatedAt, m.Language, m.Touchpoint} {
		if p != "" {
			out = append(out, p)
		}
	}
	return out
}
