package tasks

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/pkgmeta"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/sandbox/bwrap"
)

// TestNotApplicable: a cell is not applicable when Requires-Python excludes its interpreter, or
// when the wheel analysed does not install on it.
func TestNotApplicable(t *testing.T) {
	py := func(v, tag string) *target { return &target{img: Image{Name: "img"}, pythonVersion: v, pythonTag: tag} }
	meta := func(rp string) Source { return Source{Metadata: &pkgmeta.CoreMetadata{RequiresPython: rp}} }
	sdist := Archive{Kind: "sdist", Filename: "x-1.0.tar.gz"}
	for _, tc := range []struct {
		name string
		a    Archive
		src  Source
		t    *target
		want string
	}{
		{"no requirement", sdist, meta(""), py("3.11.2", "cp311"), ""},
		{"satisfied", sdist, meta(">=3.8"), py("3.11.2", "cp311"), ""},
		{"too old", sdist, meta(">=3.12"), py("3.11.2", "cp311"), "the release requires Python >=3.12; img has Python 3.11.2"},
		{"too new", sdist, meta("<3.12,>=3.8"), py("3.13.5", "cp313"), "the release requires Python <3.12,>=3.8; img has Python 3.13.5"},
		{"pyproject only", sdist, Source{Pyproject: &pkgmeta.Pyproject{Project: &pkgmeta.Project{RequiresPython: "~=3.9.0"}}}, py("3.11.2", "cp311"),
			"the release requires Python ~=3.9.0; img has Python 3.11.2"},
		{"unparsable is not a verdict", sdist, meta(">=three"), py("3.11.2", "cp311"), ""},
		{"pure wheel", Archive{Kind: "wheel", Filename: "x-1.0-py3-none-any.whl"}, meta(""), py("3.13.5", "cp313"), ""},
		{"wheel for another CPython", Archive{Kind: "wheel", Filename: "x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl"}, meta(""), py("3.13.5", "cp313"),
			"the wheel analysed (x-1.0-cp311-cp311-manylinux_2_17_x86_64.whl) does not install on Python 3.13.5 (cp313)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, notApplicable(tc.a, tc.src, tc.t)); d != "" {
				t.Error(d)
			}
		})
	}
}

// TestMatrixVerdict: the heaviest cell decides, and the reason says what the others did.
func TestMatrixVerdict(t *testing.T) {
	cell := func(name, py string, v report.Verdict, reason string) report.Cell {
		return report.Cell{Image: report.ImageRef{Name: name, Python: py}, Verdict: v, Reason: reason}
	}
	for _, tc := range []struct {
		name       string
		cells      []report.Cell
		want       report.Verdict
		wantReason string
	}{
		{"differ", []report.Cell{cell("host", "3.11.2", report.VerdictImportFailed, "no batched"), cell("trixie", "3.13.5", report.VerdictPassed, "2 passed")},
			report.VerdictImportFailed, "host (Python 3.11.2): no batched; trixie (Python 3.13.5): passed"},
		{"same", []report.Cell{cell("host", "3.11.2", report.VerdictPassed, "2 passed"), cell("trixie", "3.13.5", report.VerdictPassed, "2 passed")},
			report.VerdictPassed, "host (Python 3.11.2): 2 passed; also on trixie"},
		{"not applicable is lightest", []report.Cell{cell("host", "3.11.2", report.VerdictNotApplicable, "requires >=3.12"), cell("trixie", "3.13.5", report.VerdictNoTests, "none")},
			report.VerdictNoTests, "trixie (Python 3.13.5): none; host (Python 3.11.2): not-applicable"},
		{"all not applicable", []report.Cell{cell("a", "3.9.2", report.VerdictNotApplicable, "requires >=3.12"), cell("b", "3.11.2", report.VerdictNotApplicable, "requires >=3.12")},
			report.VerdictNotApplicable, "a (Python 3.9.2): requires >=3.12; also on b"},
		{"harmful wins", []report.Cell{cell("a", "3.11.2", report.VerdictError, "x"), cell("b", "3.13.5", report.VerdictHarmful, "reads ~/.ssh")},
			report.VerdictHarmful, "b (Python 3.13.5): reads ~/.ssh; a (Python 3.11.2): error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, reason := matrixVerdict(tc.cells)
			if d := cmp.Diff([2]string{string(tc.want), tc.wantReason}, [2]string{string(v), reason}); d != "" {
				t.Error(d)
			}
		})
	}
}

// testImageStore is where the matrix tests' image is: PYTI_TEST_IMAGE (default trixie) in
// PYTI_TEST_IMAGE_DATA_DIR, built beforehand by `pyti image build` (make test does); a nil store
// when that variable is not set.
func testImageStore() (*image.Store, string) {
	dataDir := os.Getenv("PYTI_TEST_IMAGE_DATA_DIR")
	if dataDir == "" {
		return nil, ""
	}
	name := os.Getenv("PYTI_TEST_IMAGE")
	if name == "" {
		name = "trixie"
	}
	return image.NewStore(dataDir), name
}

// testImageRoot is the root of the matrix tests' image, "" when there is none.
func testImageRoot() string {
	store, name := testImageStore()
	if store == nil {
		return ""
	}
	if _, err := store.Get(name); err != nil {
		return ""
	}
	return store.Root(name)
}

// testImage is the image the matrix tests run on (see testImageStore).
func testImage(t *testing.T) Image {
	t.Helper()
	store, name := testImageStore()
	if store == nil {
		t.Skip("no image to run on: set PYTI_TEST_IMAGE_DATA_DIR to a data dir holding a built image (make test builds trixie there)")
	}
	m, err := store.Get(name)
	if err != nil {
		t.Fatalf("PYTI_TEST_IMAGE_DATA_DIR is set but image %s is not there: %v", name, err)
	}
	return Image{Name: name, Root: store.Root(name), ID: m.ID(), Release: m.Release, Python: m.Python, OS: "Debian " + m.Release}
}

func analyzeMatrix(t *testing.T, req Request, images []Image) *report.Report {
	t.Helper()
	f := index(t)
	rep, err := Analyze(context.Background(), req, Options{
		Client: f.client, IndexURL: f.url, Backend: bwrap.New(), Dir: filepath.Join(t.TempDir(), "job"),
		Logger: slog.New(slog.DiscardHandler), LintTimeout: 3 * time.Minute, Images: images,
	})
	if err != nil {
		t.Fatalf("analyze %s: %v", req.Spec, err)
	}
	return rep
}

// cellSummary is what a matrix cell says, for compact diffs.
func cellSummary(c report.Cell) string {
	s := c.Image.Name + " " + string(c.Verdict)
	if c.Tests != nil && c.Tests.Results != nil {
		n := c.Tests.Results.Counts
		s += fmt.Sprintf(" %d passed %d failed %d errors", n.Passed, n.Failed, n.Errors)
	}
	return s
}

// TestMatrixOnTwoInterpreters runs the example written for a newer Python on the host (3.11) and
// on a clean image with a newer Python: the results differ as the example is written to.
func TestMatrixOnTwoInterpreters(t *testing.T) {
	img := testImage(t)
	t.Parallel()
	rep := analyzeMatrix(t, Request{Spec: "pyti-example-newpython"}, []Image{{Name: HostImage}, img})
	var got []string
	for _, c := range rep.Matrix {
		got = append(got, cellSummary(c))
	}
	// On 3.11 the import fails and so does the test module's collection (expected.md).
	want := []string{"host import-failed 0 passed 0 failed 1 errors", img.Name + " passed 2 passed 0 failed 0 errors"}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("matrix (-want +got):\n%s\nreason: %s", d, rep.Reason)
	}
	if rep.Verdict != report.VerdictImportFailed || !strings.Contains(rep.Reason, "batched") {
		t.Errorf("verdict %s (%s), want import-failed naming batched", rep.Verdict, rep.Reason)
	}
	// Each cell's results are in the cell only (pyti.report/v2); a reader of one environment
	// gets the first applicable cell's.
	if d := cmp.Diff(report.TargetResults{}, rep.TargetResults); d != "" {
		t.Errorf("the report's own fields repeat a cell's results (-want +got):\n%s", d)
	}
	if got := rep.Results().Tests; got == nil || got != rep.Matrix[0].Tests {
		t.Errorf("Results().Tests = %+v, want the host cell's", got)
	}
	if c := rep.Matrix[1]; c.Image.ID != img.ID || !strings.HasPrefix(c.Image.Python, "3.1") || c.Image.Python == rep.Matrix[0].Image.Python {
		t.Errorf("cell image %+v: want the image's hash and its own Python", c.Image)
	}
	// The shared tasks ran once; the per-interpreter ones once per cell.
	names := map[string]bool{}
	for _, tr := range rep.Run.Tasks {
		names[tr.Name] = true
	}
	for _, n := range []string{"resolve", "unpack", "inspect", "lint", "fetch@host", "test@host", "fetch@" + img.Name, "import@" + img.Name, "test@" + img.Name} {
		if !names[n] {
			t.Errorf("no task %s in the run: %v", n, names)
		}
	}
	if len(rep.Findings) != 0 {
		t.Errorf("a clean example has findings: %+v", rep.Findings)
	}
}

// TestMatrixExamplesAgree runs examples that are not written to differ between interpreters on
// the host and on the image: the same verdict and test counts on both, a C extension built for
// each interpreter's own ABI.
func TestMatrixExamplesAgree(t *testing.T) {
	img := testImage(t)
	t.Parallel()
	for _, tc := range []struct {
		example string
		want    string // each cell's summary without its image name
	}{
		{"pure", "passed 11 passed 0 failed 0 errors"},
		{"failing", "tests-failed 3 passed 2 failed 1 errors"},
		{"cext", "passed 6 passed 0 failed 0 errors"},
	} {
		t.Run(tc.example, func(t *testing.T) {
			t.Parallel()
			rep := analyzeMatrix(t, Request{Spec: "pyti-example-" + tc.example}, []Image{{Name: HostImage}, img})
			var got []string
			for _, c := range rep.Matrix {
				got = append(got, cellSummary(c))
			}
			want := []string{"host " + tc.want, img.Name + " " + tc.want}
			if d := cmp.Diff(want, got); d != "" {
				t.Fatalf("matrix (-want +got):\n%s\nreason: %s", d, rep.Reason)
			}
			if tc.example != "cext" {
				return
			}
			for i, c := range rep.Matrix {
				tag := "cp" + strings.Join(strings.SplitN(c.Image.Python, ".", 3)[:2], "")
				if c.Build == nil || !strings.Contains(c.Build.Wheel, tag+"-"+tag) || len(c.Build.Compilers) == 0 {
					t.Errorf("cell %d (%s): wheel %+v, want one built for %s by a compiler", i, c.Image.Name, c.Build, tag)
				}
			}
		})
	}
}

// TestMatrixNotApplicable: a release whose Requires-Python excludes the host's interpreter is
// "not applicable" there, not a failure, and still runs on the image.
func TestMatrixNotApplicable(t *testing.T) {
	img := testImage(t)
	t.Parallel()
	tree := filepath.Join(t.TempDir(), "pyti-example-pure")
	if err := copyTree("../../testdata/examples/pure", tree); err != nil {
		t.Fatal(err)
	}
	pp := filepath.Join(tree, "pyproject.toml")
	data, err := os.ReadFile(pp)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if strings.Contains(text, "requires-python") {
		lines := strings.Split(text, "\n")
		for i, l := range lines {
			if strings.HasPrefix(strings.TrimSpace(l), "requires-python") {
				lines[i] = `requires-python = ">=3.12"`
			}
		}
		text = strings.Join(lines, "\n")
	} else {
		text = strings.Replace(text, "[project]\n", "[project]\nrequires-python = \">=3.12\"\n", 1)
	}
	if err := os.WriteFile(pp, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	rep := analyzeMatrix(t, Request{Spec: tree, Path: tree}, []Image{{Name: HostImage}, img})
	var got []string
	for _, c := range rep.Matrix {
		got = append(got, string(c.Verdict))
	}
	if d := cmp.Diff([]string{"not-applicable", "passed"}, got); d != "" {
		t.Fatalf("cells (-want +got):\n%s\nreason: %s", d, rep.Reason)
	}
	if rep.Verdict != report.VerdictPassed {
		t.Errorf("verdict %s (%s), want passed", rep.Verdict, rep.Reason)
	}
	for _, tr := range rep.Run.Tasks {
		if (tr.Name == "fetch@host" || tr.Name == "build@host") && tr.Status != "skipped" {
			t.Errorf("%s: %s, want skipped", tr.Name, tr.Status)
		}
	}
}
