package cli

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/debwheel"
)

// indexTestEnv is an Env with no config file and no PYTI_* variables.
func indexTestEnv(t *testing.T, stdout, stderr io.Writer) *Env {
	cfg := filepath.Join(t.TempDir(), "none.toml")
	if err := os.WriteFile(cfg, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	return &Env{Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr,
		LookupEnv: func(k string) (string, bool) {
			if k == "PYTI_CONFIG" {
				return cfg, true
			}
			return "", false
		}}
}

// TestIndexServeUnknownImage: an image that does not exist is one clear line and exit 1, before
// anything is built.
func TestIndexServeUnknownImage(t *testing.T) {
	var stderr bytes.Buffer
	dir := filepath.Join(t.TempDir(), "index")
	code := Main(context.Background(), []string{"index", "serve", "--data-dir", t.TempDir(), "--image", "nope", dir},
		indexTestEnv(t, io.Discard, &stderr))
	if code != ExitError {
		t.Errorf("exit %d, want %d", code, ExitError)
	}
	msg := strings.TrimSpace(stderr.String())
	if strings.Count(msg, "\n") != 0 || !strings.Contains(msg, `image "nope"`) || !strings.Contains(msg, "no such image") {
		t.Errorf("stderr %q: want one line naming the image", msg)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("the index directory got %d files before the image was checked", len(ents))
	}
}

// TestIndexServeImageTools runs `pyti index serve` with the host's test tools, and with an
// image's too when PYTI_TEST_IMAGE_ROOT names one (DATA-DIR/images/NAME/root), and asks the
// served index for coverage: the host's CPython wheel, and the image's next to it.
func TestIndexServeImageTools(t *testing.T) {
	for _, p := range debwheel.TestTools {
		if err := exec.Command("dpkg", "-s", p).Run(); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
	type tc struct {
		name    string
		args    []string
		want    []*regexp.Regexp
		stderrs []string
	}
	host := regexp.MustCompile(`coverage-[^"<>]+-cp311-cp311-linux_x86_64\.whl`)
	tests := []tc{{name: "host", args: []string{"--data-dir", t.TempDir()}, want: []*regexp.Regexp{host}}}
	if root := os.Getenv("PYTI_TEST_IMAGE_ROOT"); root != "" {
		imageDir := filepath.Dir(filepath.Clean(root))
		if filepath.Base(root) != "root" || filepath.Base(filepath.Dir(imageDir)) != "images" {
			t.Fatalf("PYTI_TEST_IMAGE_ROOT=%s is not DATA-DIR/images/NAME/root", root)
		}
		name, dataDir := filepath.Base(imageDir), filepath.Dir(filepath.Dir(imageDir))
		tests = append(tests, tc{name: "image " + name, args: []string{"--data-dir", dataDir, "--image", name, "--image", "host"},
			want:    []*regexp.Regexp{host, regexp.MustCompile(`coverage-[^"<>]+-cp3(1[2-9]|[2-9]\d)-cp3\d+-linux_x86_64\.whl`)},
			stderrs: []string{"index: image " + name + ": "}})
	} else {
		t.Log("PYTI_TEST_IMAGE_ROOT is not set: only the host's tools are served")
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
			defer cancel()
			pr, pw := io.Pipe()
			var stderr bytes.Buffer
			done := make(chan int, 1)
			args := append(append([]string{"index", "serve", "--listen", "127.0.0.1:0"}, tt.args...), filepath.Join(t.TempDir(), "index"))
			go func() {
				code := Main(ctx, args, indexTestEnv(t, pw, &stderr))
				pw.Close()
				done <- code
			}()
			line, err := bufio.NewReader(pr).ReadString('\n')
			if err != nil {
				cancel()
				t.Fatalf("index serve printed no URL: %v (exit %d)", err, <-done)
			}
			go io.Copy(io.Discard, pr)
			url := regexp.MustCompile(`http://\S+/simple/`).FindString(line)
			if url == "" {
				t.Fatalf("no index URL in %q", line)
			}
			client := &http.Client{Timeout: 30 * time.Second}
			req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url+"coverage/", nil)
			req.Header.Set("Accept", "text/html")
			resp, err := client.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Fatalf("GET %scoverage/: %s", url, resp.Status)
			}
			for _, re := range tt.want {
				if !re.Match(body) {
					t.Errorf("the coverage page has no file like %s:\n%s", re, body)
				}
			}
			cancel()
			if code := <-done; code != ExitOK {
				t.Errorf("exit %d after cancel; stderr:\n%s", code, stderr.String())
			}
			for _, s := range tt.stderrs {
				if !strings.Contains(stderr.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr.String())
				}
			}
		})
	}
}

// TestIndexServeKeepsTheDirectorysOwn: a directory that holds a project's sdist serves it alone,
// without the Debian wheel of that project that the test tools would add (pluggy 1.0.0+repack
// beside pluggy-1.0.0.tar.gz: `pluggy==1.0.0` matches it, and pip prefers it).
func TestIndexServeKeepsTheDirectorysOwn(t *testing.T) {
	for _, p := range debwheel.TestTools {
		if err := exec.Command("dpkg", "-s", p).Run(); err != nil {
			t.Skipf("%s is not installed", p)
		}
	}
	dir := filepath.Join(t.TempDir(), "index")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var sdist bytes.Buffer
	gz := gzip.NewWriter(&sdist)
	tw := tar.NewWriter(gz)
	pkgInfo := "Metadata-Version: 2.1\nName: pluggy\nVersion: 1.0.0\n"
	if err := tw.WriteHeader(&tar.Header{Name: "pluggy-1.0.0/PKG-INFO", Mode: 0o644, Size: int64(len(pkgInfo)), Typeflag: tar.TypeReg}); err != nil {
		t.Fatal(err)
	}
	if _, err := tw.Write([]byte(pkgInfo)); err != nil {
		t.Fatal(err)
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := gz.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "pluggy-1.0.0.tar.gz"), sdist.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	pr, pw := io.Pipe()
	var stderr bytes.Buffer
	done := make(chan int, 1)
	go func() {
		code := Main(ctx, []string{"index", "serve", "--listen", "127.0.0.1:0", "--data-dir", t.TempDir(), dir}, indexTestEnv(t, pw, &stderr))
		pw.Close()
		done <- code
	}()
	if _, err := bufio.NewReader(pr).ReadString('\n'); err != nil {
		cancel()
		t.Fatalf("index serve printed no URL: %v (exit %d): %s", err, <-done, stderr.String())
	}
	go io.Copy(io.Discard, pr)
	var pluggy, pytest []string
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		switch {
		case strings.HasPrefix(e.Name(), "pluggy-"):
			pluggy = append(pluggy, e.Name())
		case strings.HasPrefix(e.Name(), "pytest-"):
			pytest = append(pytest, e.Name())
		}
	}
	cancel()
	<-done
	if d := cmp.Diff([]string{"pluggy-1.0.0.tar.gz"}, pluggy); d != "" {
		t.Errorf("pluggy's files (-want +got):\n%s", d)
	}
	if len(pytest) != 1 {
		t.Errorf("pytest's files %v, want the repackaged wheel", pytest)
	}
	if !strings.Contains(stderr.String(), "holds pluggy's sdist (pluggy-1.0.0.tar.gz)") {
		t.Errorf("stderr does not say why pluggy's wheel was not added:\n%s", stderr.String())
	}
}
