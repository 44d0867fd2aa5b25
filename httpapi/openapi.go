package httpapi

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
)

// The OpenAPI document is kept as fragments, one per area of the API
// (openapi/base.json holds the info, security and shared parts). Each
// fragment has "paths" and "components"; they are merged once, at start,
// and a path or component defined twice is a programming error.
//
//go:embed openapi/*.json
var openAPIFiles embed.FS

var openAPIDoc = mustMergeOpenAPI(openAPIFiles)

// OpenAPI returns the OpenAPI 3 document of the server.
func OpenAPI() []byte { return openAPIDoc }

func mustMergeOpenAPI(fsys fs.FS) []byte {
	b, err := mergeOpenAPI(fsys)
	if err != nil {
		panic(err)
	}
	return b
}

func mergeOpenAPI(fsys fs.FS) ([]byte, error) {
	names, err := fs.Glob(fsys, "openapi/*.json")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var doc map[string]any
	base, err := fs.ReadFile(fsys, "openapi/base.json")
	if err != nil {
		return nil, fmt.Errorf("openapi: %w", err)
	}
	if err := json.Unmarshal(base, &doc); err != nil {
		return nil, fmt.Errorf("openapi/base.json: %w", err)
	}
	for _, name := range names {
		if name == "openapi/base.json" {
			continue
		}
		raw, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, fmt.Errorf("openapi: %w", err)
		}
		var frag map[string]any
		if err := json.Unmarshal(raw, &frag); err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		for key := range frag {
			if key != "paths" && key != "components" {
				return nil, fmt.Errorf("%s: only paths and components may be given, not %q", name, key)
			}
		}
		if err := mergeInto(doc, frag, name, 0); err != nil {
			return nil, err
		}
	}
	return json.MarshalIndent(doc, "", "  ")
}

// mergeInto adds src's keys to dst: paths and components (depth 0) and
// their sections (depth 1) are merged, anything deeper must be new.
func mergeInto(dst, src map[string]any, file string, depth int) error {
	for k, v := range src {
		cur, exists := dst[k]
		if !exists {
			dst[k] = v
			continue
		}
		cm, ok1 := cur.(map[string]any)
		vm, ok2 := v.(map[string]any)
		if depth >= 2 || !ok1 || !ok2 {
			return fmt.Errorf("%s: %q is defined twice in the OpenAPI fragments", file, k)
		}
		if err := mergeInto(cm, vm, file, depth+1); err != nil {
			return err
		}
	}
	return nil
}
