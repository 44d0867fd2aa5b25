package httpapi

import (
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"strings"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/importer"
)

// ImportSourceName is the source that imports without a source_id belong to.
const ImportSourceName = "Import"

// handleImport serves POST /api/v1/import: the body is an NDJSON or CSV
// file, streamed through the importer into the log. Rows are validated one
// by one; the answer is a summary of what was accepted and why the rest was
// rejected.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	ws := workspaceOf(r)
	src, err := s.importSource(r.Context(), ws, q.Get("source_id"))
	if err != nil {
		return err
	}
	opts := importer.Options{
		Source:     src,
		TimeFormat: q.Get("time_format"),
		Unmapped:   q.Get("unmapped"),
		Now:        s.cfg.Clock.Now,
	}
	if v := q.Get("type"); v != "" {
		opts.Type = touchpoint.EventType(v)
		if !opts.Type.Valid() {
			return touchpoint.FieldError("type", "unknown call type %q", v)
		}
	}
	if v := q.Get("map"); v != "" {
		if opts.Mapping, err = importer.ParseMapping(v); err != nil {
			return err
		}
	}
	if v := q.Get("delimiter"); v != "" {
		if opts.Delimiter, err = importer.ParseDelimiter(v); err != nil {
			return err
		}
	}

	var body io.Reader = r.Body
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			return touchpoint.Errorf(touchpoint.EINVALID, "body is not valid gzip: %s", err.Error())
		}
		defer zr.Close()
		body = zr
	}
	format := q.Get("format")
	if format == "" {
		switch ct := r.Header.Get("Content-Type"); {
		case strings.Contains(ct, "csv"):
			format = "csv"
		case strings.Contains(ct, "ndjson"), strings.Contains(ct, "jsonl"), strings.Contains(ct, "json"):
			format = "ndjson"
		}
	}
	if format != "" {
		opts.Format = importer.Format(format)
		if opts.Format != "csv" && opts.Format != "ndjson" {
			return touchpoint.FieldError("format", "must be ndjson or csv")
		}
	} else if opts.Format, body, err = importer.Sniff(body, q.Get("filename")); err != nil {
		return err
	}

	sum, err := importer.Import(r.Context(), body, opts, func(ctx context.Context, events []touchpoint.Event) error {
		if err := s.cfg.Appender.Append(ctx, events); err != nil {
			return err
		}
		for i := range events {
			s.metrics.accepted.WithLabelValues(string(events[i].Type)).Inc()
		}
		return nil
	})
	s.metrics.rejected.WithLabelValues("import").Add(float64(sum.Rejected))
	if err != nil && sum.Rows == 0 {
		return err
	}
	if err != nil {
		// Part of the file is in: say exactly how much, so the rest can be
		// sent again (re-sending accepted rows is harmless).
		return touchpoint.Errorf(touchpoint.ErrorCode(err), "import stopped after %d accepted rows: %s", sum.Accepted, touchpoint.ErrorMessage(err))
	}
	writeJSON(w, http.StatusOK, sum)
	return nil
}

// importSource returns the source imported events are attributed to.
func (s *Server) importSource(ctx context.Context, ws, id string) (*touchpoint.Source, error) {
	if id != "" {
		sources, err := s.cfg.Sources.FindSources(ctx, touchpoint.SourceFilter{Workspace: &ws, ID: &id, IncludeRevoked: true})
		if err != nil {
			return nil, err
		}
		if len(sources) == 0 {
			return nil, touchpoint.FieldError("source_id", "no source %q in this workspace", id)
		}
		if sources[0].Revoked() {
			return nil, touchpoint.FieldError("source_id", "source %q was revoked", id)
		}
		return sources[0], nil
	}
	return EnsureImportSource(ctx, s.cfg.Sources, ws)
}

// EnsureImportSource finds or creates the workspace's "Import" source.
func EnsureImportSource(ctx context.Context, sources touchpoint.SourceService, ws string) (*touchpoint.Source, error) {
	all, err := sources.FindSources(ctx, touchpoint.SourceFilter{Workspace: &ws})
	if err != nil {
		return nil, err
	}
	for _, src := range all {
		if src.Name == ImportSourceName && src.Type == "import" {
			return src, nil
		}
	}
	src := &touchpoint.Source{Workspace: ws, Name: ImportSourceName, Type: "import"}
	if err := sources.CreateSource(ctx, src); err != nil {
		return nil, err
	}
	return src, nil
}
