package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/touchpoint-cx/touchpoint"
)

// TestAssets checks the committed front-end files against their manifest
// and the manifest against web/ui/package-lock.json, so the embedded files
// are the ones the pinned packages build (`make assets-check` rebuilds them
// to compare byte for byte).
func TestAssets(t *testing.T) {
	var manifest struct {
		Files map[string]struct {
			SHA256   string            `json:"sha256"`
			Packages map[string]string `json:"packages"`
		} `json:"files"`
	}
	readJSON(t, "static/build/MANIFEST.json", &manifest)
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	readJSON(t, "ui/package-lock.json", &lock)
	if len(manifest.Files) < 3 {
		t.Fatalf("manifest lists %d files", len(manifest.Files))
	}
	for name, f := range manifest.Files {
		b, err := staticFS.ReadFile("static/build/" + name)
		if err != nil {
			t.Fatalf("%s is in the manifest but not embedded: %v", name, err)
		}
		sum := sha256.Sum256(b)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			t.Errorf("%s does not match its manifest: run make assets", name)
		}
		for pkg, v := range f.Packages {
			if got := lock.Packages["node_modules/"+pkg].Version; got != v {
				t.Errorf("%s was built from %s %s, the lockfile pins %q: run make assets", name, pkg, v, got)
			}
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestPages checks the page registry: every page has a template that
// parses, every listed page names the permission it needs, and the
// navigation shows a role only what it may open.
func TestPages(t *testing.T) {
	d, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range d.pages {
		if p.Permission == "" {
			t.Errorf("page %s declares no permission", p.Path)
		}
		if _, ok := d.views[p.Template]; !ok {
			t.Errorf("page %s: template %s not parsed", p.Path, p.Template)
		}
	}
	links := func(r touchpoint.Role) []string {
		var out []string
		for _, s := range d.nav(&touchpoint.Actor{Role: r}, "/overview") {
			for _, l := range s.Links {
				out = append(out, l.Path)
			}
		}
		return out
	}
	if got := strings.Join(links(touchpoint.RoleViewer), " "); got != "/overview /surveys /feedback /analytics/journey-map /analytics/funnels /analytics/paths /analytics/retention /analytics/drivers /analytics/predictions /journeys" {
		t.Errorf("viewer's navigation: %s", got)
	}
	if got := strings.Join(links(touchpoint.RoleSupport), " "); got != "/overview /surveys /feedback /profiles /messages" {
		t.Errorf("support's navigation: %s", got)
	}
	if got := strings.Join(links(touchpoint.RoleOwner), " "); got != "/overview /surveys /feedback /analytics/journey-map /analytics/funnels /analytics/paths /analytics/retention /analytics/drivers /analytics/predictions /profiles /journeys /messages /messaging /events /sources /feedback-sources /users /settings" {
		t.Errorf("owner's navigation: %s", got)
	}
}

type clock struct{ t time.Time }

func (c *clock) Now() time.Time { return c.t }

func TestThrottle(t *testing.T) {
	c := &clock{t: time.Date(2026, 11, 22, 9, 0, 0, 0, time.UTC)}
	th := newThrottle(c)
	for i := 0; i < maxFailsPerEmail; i++ {
		if w := th.wait("ana@example.com", "10.0.0.1"); w != 0 {
			t.Fatalf("try %d must wait %v", i, w)
		}
		th.failed("ana@example.com", "10.0.0.1")
	}
	if w := th.wait("ana@example.com", "10.0.0.2"); w != throttleWindow {
		t.Fatalf("after %d failures from anywhere, wait %v, want %v", maxFailsPerEmail, w, throttleWindow)
	}
	if w := th.wait("bo@example.com", "10.0.0.1"); w != 0 {
		t.Fatalf("another address from the same network waits %v", w)
	}
	c.t = c.t.Add(throttleWindow)
	if w := th.wait("ana@example.com", "10.0.0.1"); w != 0 {
		t.Fatalf("after the window, wait %v", w)
	}
	t.Run("PerNetworkAddress", func(t *testing.T) {
		for i := 0; i < maxFailsPerIP; i++ {
			th.failed("user"+string(rune('a'+i))+"@example.com", "10.9.9.9")
		}
		if w := th.wait("new@example.com", "10.9.9.9"); w == 0 {
			t.Fatal("a network address guessing many accounts is not slowed down")
		}
	})
	t.Run("SuccessForgets", func(t *testing.T) {
		th.failed("cy@example.com", "10.1.1.1")
		th.succeeded("cy@example.com")
		th.mu.Lock()
		_, left := th.fails["email:cy@example.com"]
		th.mu.Unlock()
		if left {
			t.Fatal("failures kept after a successful sign-in")
		}
	})
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/profiles?q=ana": "/profiles?q=ana", "/overview": "/overview", "": "", "https://evil.example/": "",
		"//evil.example/x": "", "/\\evil.example": "", "javascript:alert(1)": "", "/a/../b": "/b",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

// FuzzSafeNext checks that no "next" parameter can send a signed-in user
// to another site.
func FuzzSafeNext(f *testing.F) {
	for _, s := range []string{"/overview", "//x", "/\\x", "http://x", "/%2F%2Fx", "/?next=//x", " /x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := safeNext(s)
		if got == "" {
			return
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.HasPrefix(got, "/\\") {
			t.Fatalf("safeNext(%q) = %q leaves this site", s, got)
		}
	})
}

func TestWebSnippet(t *testing.T) {
	s := WebSnippet("https://tp.example", `wk_"quoted</script>`)
	if strings.Count(s, "</script>") != 1 || !strings.Contains(s, `"https://tp.example"`) {
		t.Fatalf("snippet does not keep the key inside its script:\n%s", s)
	}
}
