package localindex

import (
	"context"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func listen(t *testing.T) net.Listener {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	return ln
}

// pipEnv is an environment in which pip uses no cache, no config and no proxy.
func pipEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(k, "PIP_") || strings.HasSuffix(strings.ToLower(k), "_proxy") || k == "PYTHONPATH" {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "PIP_NO_CACHE_DIR=1", "PIP_CONFIG_FILE=/dev/null",
		"PIP_DISABLE_PIP_VERSION_CHECK=1", "PIP_NO_INPUT=1", "NO_PROXY=*")
}

func run(t *testing.T, dir string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	cmd.Env = pipEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// recorder serves the index, optionally hiding the Accept header so that the
// client gets the HTML form, and records the paths requested.
type recorder struct {
	ix       http.Handler
	hideJSON bool
	mu       sync.Mutex
	paths    []string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rec.mu.Lock()
	rec.paths = append(rec.paths, r.URL.Path)
	rec.mu.Unlock()
	if rec.hideJSON {
		r.Header.Del("Accept")
	}
	rec.ix.ServeHTTP(w, r)
}

func (rec *recorder) requested(p string) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, q := range rec.paths {
		if q == p {
			return true
		}
	}
	return false
}

func pipDownload(t *testing.T, indexURL string, reqs ...string) []string {
	t.Helper()
	dest := t.TempDir()
	args := append([]string{"-m", "pip", "download", "--index-url", indexURL, "--timeout", "20", "--retries", "0", "-d", dest}, reqs...)
	run(t, dest, "/usr/bin/python3", args...)
	entries, err := os.ReadDir(dest)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	sort.Strings(got)
	return got
}

// TestPipDownload drives the real pip against the real server, in the JSON
// form pip asks for and, with the Accept header hidden, in the HTML form.
func TestPipDownload(t *testing.T) {
	set := builtExamples(t)
	for _, form := range []string{"json", "html"} {
		t.Run(form, func(t *testing.T) {
			ix, err := NewIndex(set.Dir)
			if err != nil {
				t.Fatal(err)
			}
			rec := &recorder{ix: ix, hideJSON: form == "html"}
			srv := &http.Server{Handler: rec}
			ln := listen(t)
			go srv.Serve(ln)
			t.Cleanup(func() { srv.Close() })
			simple := "http://" + ln.Addr().String() + "/simple/"

			got := pipDownload(t, simple, "pyti-example-dependent")
			want := []string{"pyti_example_base-1.1-py3-none-any.whl", "pyti_example_dependent-1.0.0-py3-none-any.whl"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("pip download pyti-example-dependent (-want +got):\n%s", diff)
			}
			// From HTML, pip 23.0 reads dependencies from the PEP 658
			// metadata file (it knows only the pre-PEP 714 name, which the
			// JSON form no longer carries).
			if p := "/files/pyti_example_dependent-1.0.0-py3-none-any.whl.metadata"; form == "html" && !rec.requested(p) {
				t.Errorf("pip did not fetch %s; paths: %v", p, rec.paths)
			}

			got = pipDownload(t, simple, "pyti-example-base==1.0")
			if diff := cmp.Diff([]string{"pyti_example_base-1.0-py3-none-any.whl"}, got); diff != "" {
				t.Errorf("pip download pyti-example-base==1.0 (-want +got):\n%s", diff)
			}

			// With 1.1 yanked, pip falls back to 1.0.
			for _, f := range []string{"pyti_example_base-1.1-py3-none-any.whl", "pyti-example-base-1.1.tar.gz"} {
				if err := ix.Yank(f, "broken"); err != nil {
					t.Fatal(err)
				}
			}
			// (Canonical name: pip 23.0 rejects PEP 658 metadata whose Name is
			// spelled differently from the request, then builds the sdist.)
			got = pipDownload(t, simple, "pyti-example-dependent")
			want = []string{"pyti_example_base-1.0-py3-none-any.whl", "pyti_example_dependent-1.0.0-py3-none-any.whl"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("pip download with 1.1 yanked (-want +got):\n%s", diff)
			}
		})
	}
}

// TestPipDownloadDebianWheels: the Debian wheels are served like any other.
func TestPipDownloadDebianWheels(t *testing.T) {
	_, srv := startIndex(t)
	got := pipDownload(t, srv.SimpleURL(), "--no-deps", "wheel")
	if len(got) != 1 || !strings.HasPrefix(got[0], "wheel-") {
		t.Errorf("pip download wheel: %v", got)
	}
}

// TestPureSuitePassesByHand installs pyti-example-pure from the index into a
// throw-away venv and runs the sdist's own tests against it.
func TestPureSuitePassesByHand(t *testing.T) {
	set, srv := startIndex(t)
	work := t.TempDir()
	venv := filepath.Join(work, "venv")
	run(t, work, "/usr/bin/python3", "-m", "venv", "--system-site-packages", venv)
	py := filepath.Join(venv, "bin", "python")
	run(t, work, py, "-m", "pip", "install", "--index-url", srv.SimpleURL(), "--timeout", "20", "--retries", "0", "pyti-example-pure")

	pure, _ := set.Example("pure")
	src := filepath.Join(work, "src")
	if err := os.Mkdir(src, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, src, "tar", "-xzf", set.Path(pure.Sdist), "--strip-components=1")
	where := run(t, src, py, "-c", "import pyti_example_pure; print(pyti_example_pure.__file__)")
	if !strings.HasPrefix(strings.TrimSpace(where), venv) {
		t.Errorf("pyti_example_pure imported from %s, not the venv", where)
	}
	out := run(t, src, py, "-m", "pytest", "-p", "no:cacheprovider", "-q")
	if !strings.Contains(out, "11 passed") {
		t.Errorf("pytest output lacks \"11 passed\":\n%s", out)
	}
}
