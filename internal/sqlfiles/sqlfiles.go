// Package sqlfiles loads the SQL statements a store keeps in .sql files,
// one statement a file, named by the file.
package sqlfiles

import (
	"fmt"
	"io/fs"
	"strings"
)

// Load reads every .sql file in dir of fsys into a map from its name
// without the extension to its text.
func Load(fsys fs.FS, dir string) (map[string]string, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("read queries: %w", err)
	}
	q := map[string]string{}
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".sql")
		if !ok {
			continue
		}
		b, err := fs.ReadFile(fsys, dir+"/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("read query %s: %w", e.Name(), err)
		}
		q[name] = string(b)
	}
	return q, nil
}
