package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
	"github.com/touchpoint-cx/touchpoint/httpapi"
)

// binary is the touchpoint binary the end-to-end tests run, built once.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "touchpoint-test-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "touchpoint")
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build touchpoint:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// tp runs the binary to completion and returns its stdout.
func tp(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String(), fmt.Errorf("touchpoint %s: %w\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.String(), nil
}

// initDir runs `touchpoint init` on a new data directory.
func initDir(t *testing.T) (string, InitResult) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "data")
	out, err := tp(t, "init", "--data", dir)
	if err != nil {
		t.Fatal(err)
	}
	var keys InitResult
	if err := json.Unmarshal([]byte(out), &keys); err != nil {
		t.Fatalf("init printed %q: %v", out, err)
	}
	return dir, keys
}

// server is a running `touchpoint serve` process.
type server struct {
	t      *testing.T
	cmd    *exec.Cmd
	dir    string
	url    string
	keys   InitResult
	stderr *syncBuffer
	exited chan error
}

func start(t *testing.T, dir string, keys InitResult, args ...string) *server {
	t.Helper()
	s := &server{t: t, dir: dir, keys: keys, stderr: &syncBuffer{}, exited: make(chan error, 1)}
	s.cmd = exec.Command(binary, append([]string{"serve", "--data", dir, "--addr", "127.0.0.1:0", "--log-level", "debug"}, args...)...)
	s.cmd.Stderr = s.stderr
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	t.Cleanup(func() {
		if s.cmd.ProcessState == nil {
			s.cmd.Process.Kill()
			<-s.exited
		}
		if t.Failed() {
			t.Logf("server log:\n%s", s.stderr.String())
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		if si, ok := readServerFile(dir); ok && si.PID == s.cmd.Process.Pid {
			s.url = "http://" + si.Addr
			break
		}
		select {
		case err := <-s.exited:
			s.exited <- err
			t.Fatalf("server exited: %v\n%s", err, s.stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start:\n%s", s.stderr.String())
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := s.client().Ready(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *server) client() *httpapi.Client { return httpapi.NewClient(s.url, s.keys.AdminKey) }

// stop sends SIGTERM and expects a clean exit.
func (s *server) stop() {
	s.t.Helper()
	s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-s.exited:
		if err != nil {
			s.t.Fatalf("server exit after SIGTERM: %v\n%s", err, s.stderr.String())
		}
	case <-time.After(60 * time.Second):
		s.t.Fatal("server did not stop within 60s of SIGTERM")
	}
}

// kill9 kills the server the hard way.
func (s *server) kill9() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	<-s.exited
}

// caughtUp waits until every event in the log is visible to queries.
func (s *server) caughtUp() touchpoint.Stats {
	s.t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		st, err := s.client().Stats(context.Background())
		if err != nil {
			s.t.Fatal(err)
		}
		if st.Pipeline.CaughtUp() {
			return st
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("consumers stuck: %+v", st.Pipeline)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// post sends a raw collection request.
func (s *server) post(path, writeKey, body string, header ...string) (int, string) {
	s.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, s.url+path, strings.NewReader(body))
	if writeKey != "" {
		req.SetBasicAuth(writeKey, "")
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
