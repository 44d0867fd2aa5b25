package duckdb_test

import (
	"os"
	"testing"
)

// sharedDir holds data that several tests of the package share (the demo
// data set); it is removed when the tests end.
var sharedDir string

func tempDir() (string, error) { return sharedDir, nil }

func TestMain(m *testing.M) {
	var err error
	if sharedDir, err = os.MkdirTemp("", "touchpoint-duckdb-test-"); err != nil {
		panic(err)
	}
	code := m.Run()
	os.RemoveAll(sharedDir)
	os.Exit(code)
}
