package tasks

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pyti/pyti/internal/testresult"
)

// maxRerun is how many failed tests PYTI runs again to tell a failure under coverage.py's
// tracing alone from the package's: more failures than that are the package's own, or too many to
// run twice.
const maxRerun = 200

// rerun is what running some of the suite's tests again needs: the test tree it ran from, a
// directory for the reruns' results, the environment, the run's pytest options without its paths
// and JUnit file, its environment variables and coverage configuration, and the test
// dependencies' layer.
type rerun struct {
	tree, dir, python, site, rc string
	args, env                   []string
	layer                       *buildPrefix
}

// tracingOnly runs the tests that failed on their own again, alone, first without coverage.py
// and then, those that did not fail, under it once more: a test that fails under coverage's
// tracing and passes without it (greenlet's leak checks, a test of sys.settrace) takes its
// outcome without, and keeps its failure under coverage in the report (see
// testresult.Run.TracingOnly). It returns the node IDs of those tests.
func (j *job) tracingOnly(ctx context.Context, tg *target, run *testresult.Run, r rerun) ([]string, error) {
	ids := run.Rerunnable(maxRerun)
	if len(ids) == 0 {
		return nil, nil
	}
	if err := j.realDir(tg, "test", r.dir); err != nil {
		return nil, err
	}
	if err := makeWritable(r.dir); err != nil {
		return nil, err
	}
	without, err := j.rerunTests(ctx, tg, r, "pytest-without-coverage", false, ids)
	if err != nil || without == nil {
		return nil, err
	}
	var passing []string
	for _, c := range without.Cases {
		if slices.Contains(ids, c.NodeID) && c.Outcome != testresult.Failed && c.Outcome != testresult.Error {
			passing = append(passing, c.NodeID)
		}
	}
	if len(passing) == 0 {
		return nil, nil
	}
	again, err := j.rerunTests(ctx, tg, r, "pytest-under-coverage-again", true, passing)
	if err != nil || again == nil {
		return nil, err
	}
	return run.TracingOnly(without, again), nil
}

// rerunTests runs the tests named by ids from the test tree, under coverage.py (its data kept
// apart from the suite's) or without it, and returns what the plugin reported; nil when the run
// reported nothing.
func (j *job) rerunTests(ctx context.Context, tg *target, r rerun, name string, traced bool, ids []string) (*testresult.Run, error) {
	results := filepath.Join(r.dir, name+".jsonl")
	env := slices.DeleteFunc(slices.Clone(r.env), func(v string) bool {
		return strings.HasPrefix(v, "PYTI_PYTEST_REPORT=") || strings.HasPrefix(v, "COVERAGE_FILE=") || strings.HasPrefix(v, "COVERAGE_RCFILE=")
	})
	env = append(env, "PYTI_PYTEST_REPORT="+j.in(results))
	argv := []string{j.in(r.python), "-m", "pytest"}
	if traced {
		env = append(env, "COVERAGE_FILE="+j.in(filepath.Join(r.dir, ".coverage")), "COVERAGE_RCFILE="+j.in(r.rc))
		argv = []string{j.in(r.python), "-m", "coverage", "run", "-m", "pytest"}
	}
	argv = append(append(argv, r.args...), "-o", "cache_dir="+j.in(filepath.Join(r.dir, name+"-cache")))
	argv = append(argv, ids...)
	if _, err := j.run(ctx, step{t: tg, task: tg.task("test"), name: name, phase: "test", dir: j.in(r.tree), wall: j.opts.TestTimeout,
		site: j.in(r.site), env: env, argv: argv, readOnly: testLayerBind(r.layer)}); err != nil {
		return nil, err
	}
	f, err := j.openOut(tg, "test", results)
	if err != nil {
		return nil, nil
	}
	defer f.Close()
	run, err := testresult.ParsePytest(f)
	if err != nil {
		return nil, nil
	}
	return run, nil
}

// tracingOnlyPart is the runner's clause that says which tests failed under coverage.py's
// tracing alone, or "".
func tracingOnlyPart(ids []string) string {
	if len(ids) == 0 {
		return ""
	}
	return fmt.Sprintf("; %s failed under coverage.py's tracing and not without it (run again alone, without coverage and then under it): "+
		"they count with their outcome without it (%s)", plural(len(ids), "test"), strings.Join(capList(ids, 3), ", ")+morePart(len(ids), 3))
}
