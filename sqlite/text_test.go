package sqlite_test

import (
	"path/filepath"
	"testing"

	"github.com/touchpoint-cx/touchpoint/statetest"
)

func TestTextModels(t *testing.T) {
	statetest.RunTextModels(t, func(t *testing.T) statetest.TextBackend {
		return open(t, filepath.Join(t.TempDir(), "state.db"))
	})
}
