package tasks

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/pep440"
	"github.com/pyti/pyti/internal/pypi"
	"github.com/pyti/pyti/internal/report"
)

// HostImage is the name a matrix uses for the host system (no image).
const HostImage = "host"

// Image is an environment the per-interpreter tasks (fetch, build, install, import, test) can run
// in: a clean root file system built by internal/image, seen read-only by every sandboxed step
// with a throw-away writable layer. The zero Root means the host system.
type Image struct {
	// Name is the image's name (HostImage for the host system).
	Name string
	// Root is the image's root file system on the host; "" for the host system.
	Root string
	// ID is the image's content hash, recorded in the report ("" for the host system).
	ID string
	// Release is the Debian release it was built from.
	Release string
	// Python is the full version of its python3, e.g. "3.13.5".
	Python string
	// OS is its PRETTY_NAME.
	OS string
}

// pipWheelIn finds the newest pip wheel Debian ships under root (the host's when root is ""),
// and returns its path as the sandbox sees it.
func pipWheelIn(root string) (string, error) {
	matches, _ := filepath.Glob(filepath.Join(root, "/usr/share/python-wheels/pip-*.whl"))
	if len(matches) == 0 {
		where := "the host"
		if root != "" {
			where = "image " + root
		}
		return "", fmt.Errorf("no pip wheel in %s's /usr/share/python-wheels: install python3-pip-whl (or pass --pip-wheel)", where)
	}
	sort.Strings(matches)
	return "/" + strings.TrimPrefix(strings.TrimPrefix(matches[len(matches)-1], root), "/"), nil
}

// cpTag is the CPython tag of a version: "cp313" for "3.13.5".
func cpTag(version string) (string, error) {
	parts := strings.SplitN(version, ".", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", fmt.Errorf("not a Python version: %q", version)
	}
	return "cp" + parts[0] + parts[1], nil
}

// checkImages refuses an empty or duplicated matrix entry.
func checkImages(images []Image) error {
	seen := map[string]bool{}
	for _, im := range images {
		if im.Name == "" {
			return errors.New("an image without a name")
		}
		if seen[im.Name] {
			return fmt.Errorf("image %s named twice", im.Name)
		}
		seen[im.Name] = true
		if im.Name != HostImage && (im.Root == "" || im.Python == "") {
			return fmt.Errorf("image %s: no root file system or Python version", im.Name)
		}
	}
	return nil
}

// target is one environment of a job: where its per-interpreter tasks run, their work space and
// the data keys that chain them.
type target struct {
	img Image
	// python and pipWheel are paths inside the sandbox; pythonVersion and pythonTag describe it.
	python, pipWheel         string
	pythonVersion, pythonTag string
	// pipHost is the host directory of the unpacked, compiled pip (see job.pip), once made.
	pipOnce sync.Once
	pipHost string
	// work is the host path of this target's work space (the job's own when it has one target).
	work string
	// cell is the target's index in the report's Matrix; -1 when the job has one target.
	cell int

	kWheelhouse dag.Key[Wheelhouse]
	// kBuildHouse is the wheelhouse the build reads: the fetch publishes it early, a copy of the
	// build requirements, when it prepared the metadata itself (see fetch); else the wheelhouse.
	kBuildHouse dag.Key[Wheelhouse]
	kWheel      dag.Key[Wheel]
	kVenv       dag.Key[Venv]
	kEnv        dag.Key[Environment]
	kImported   dag.Key[Imported]
	// kEnvReleased says the environment is the tests' to change: the import check, which must
	// see it as the install left it, reads a copy of its own (see importModules).
	kEnvReleased dag.Key[bool]
	kTested      dag.Key[bool]
}

// task names a task of this target: "build", or "build@trixie" in a matrix.
func (t *target) task(name string) string {
	if t.cell < 0 {
		return name
	}
	return name + "@" + t.img.Name
}

// ref describes the target for the report.
func (t *target) ref() report.ImageRef {
	return report.ImageRef{Name: t.img.Name, ID: t.img.ID, Release: t.img.Release, Python: t.pythonVersion, OS: t.img.OS}
}

// newTargets describes the environments of a job from the options.
func newTargets(o Options, work string) ([]*target, error) {
	images := o.Images
	if len(images) == 0 {
		images = []Image{{Name: HostImage}}
	}
	if err := checkImages(images); err != nil {
		return nil, err
	}
	var out []*target
	for i, im := range images {
		t := &target{img: im, cell: i, work: filepath.Join(work, im.Name)}
		if len(images) == 1 {
			t.cell, t.work = -1, work
		}
		if im.Name == HostImage {
			t.img.Root = ""
			t.img.OS = osRelease()
			t.python, t.pipWheel, t.pythonVersion, t.pythonTag = o.Python, o.PipWheel, o.pythonVersion, o.pythonTag
		} else {
			t.python = "/usr/bin/python3"
			pip, err := pipWheelIn(im.Root)
			if err != nil {
				return nil, err
			}
			tag, err := cpTag(im.Python)
			if err != nil {
				return nil, fmt.Errorf("image %s: %w", im.Name, err)
			}
			t.pipWheel, t.pythonVersion, t.pythonTag = pip, im.Python, tag
		}
		suffix := ""
		if t.cell >= 0 {
			suffix = "@" + im.Name
		}
		t.kWheelhouse = dag.NewKey[Wheelhouse]("wheelhouse" + suffix)
		t.kBuildHouse = dag.NewKey[Wheelhouse]("build-wheelhouse" + suffix)
		t.kWheel = dag.NewKey[Wheel]("wheel" + suffix)
		t.kVenv = dag.NewKey[Venv]("venv" + suffix)
		t.kEnv = dag.NewKey[Environment]("environment" + suffix)
		t.kImported = dag.NewKey[Imported]("import-results" + suffix)
		t.kEnvReleased = dag.NewKey[bool]("environment-released" + suffix)
		t.kTested = dag.NewKey[bool]("test-results" + suffix)
		out = append(out, t)
	}
	return out, nil
}

// notApplicable says why the release cannot run on t's interpreter ("" when it can): its
// Requires-Python excludes that version (pip would refuse it there), or the wheel analysed is
// not installable on it.
func notApplicable(a Archive, src Source, t *target) string {
	rp := ""
	if src.Metadata != nil {
		rp = src.Metadata.RequiresPython
	}
	if rp == "" && src.Pyproject != nil && src.Pyproject.Project != nil {
		rp = src.Pyproject.Project.RequiresPython
	}
	if rp != "" {
		set, err := pep440.ParseSpecifiers(rp)
		v, verr := pep440.Parse(t.pythonVersion)
		if err == nil && verr == nil && !set.Contains(v, true) {
			return fmt.Sprintf("the release requires Python %s; %s has Python %s", rp, t.img.Name, t.pythonVersion)
		}
	}
	if a.Kind == "wheel" {
		if pf, err := pypi.ParseFilename(a.Filename, ""); err == nil && wheelScore(pf, t.pythonTag) == 0 {
			return fmt.Sprintf("the wheel analysed (%s) does not install on Python %s (%s)", a.Filename, t.pythonVersion, t.pythonTag)
		}
	}
	return ""
}
