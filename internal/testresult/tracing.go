package testresult

import "strings"

// Some tests fail only under coverage.py's tracing: greenlet's leak checks count the references a
// thread's start leaves, and coverage's tracer, set in each new thread, leaves some; a test of a
// debugger or of sys.settrace finds coverage's tracer in its place. Such a failure belongs to the
// measurement, not to the package, and its maintainers' own run never shows it.

// Rerunnable are the node IDs of the tests that failed on their own (an assertion or an
// exception, not a missing dependency, the network or a collection error), which a run without
// coverage.py can tell apart, at most limit of them; none when there are more, or when a test
// comes from a module whose load_tests() or test_suite() named it (its node ID does not select it).
func (r *Run) Rerunnable(limit int) []string {
	var ids []string
	for _, c := range r.Failing() {
		if c.Class != Assertion && c.Class != Exception {
			continue
		}
		for _, s := range r.Suites {
			if s.Module == c.NodeID || strings.HasPrefix(c.NodeID, s.Module+"::") {
				return nil
			}
		}
		ids = append(ids, c.NodeID)
	}
	if len(ids) > limit {
		return nil
	}
	return ids
}

// TracingOnly takes the outcome without coverage.py's tracing for the tests that failed under it
// in r and in again (a second run of those tests alone, under coverage), and did not fail without
// it (without: the same tests, without coverage). A test that failed in r and passes again under
// coverage failed for another reason (another test's leftovers) and keeps its failure. It returns
// the node IDs whose outcome it changed, and adjusts the counts.
func (r *Run) TracingOnly(without, again *Run) []string {
	if without == nil || again == nil {
		return nil
	}
	outcome := func(run *Run, id string) (Outcome, bool) {
		for _, c := range run.Cases {
			if c.NodeID == id {
				return c.Outcome, true
			}
		}
		return "", false
	}
	var changed []string
	for i := range r.Cases {
		c := &r.Cases[i]
		if (c.Outcome != Failed && c.Outcome != Error) || (c.Class != Assertion && c.Class != Exception) {
			continue
		}
		plain, ok := outcome(without, c.NodeID)
		if !ok || plain == Failed || plain == Error {
			continue
		}
		if traced, ok := outcome(again, c.NodeID); !ok || (traced != Failed && traced != Error) {
			// Passed both ways when alone: the failure came from the suite's run, not the
			// tracing (psutil's test_leak_mem).
			c.PassedAlone = ok && plain == Passed && traced == Passed
			continue
		}
		r.Counts.add(c.Outcome, -1)
		r.Counts.add(plain, 1)
		c.UnderCoverage = c.Message
		if c.UnderCoverage == "" {
			c.UnderCoverage = string(c.Outcome)
		}
		c.Outcome, c.Class, c.Message, c.Details = plain, "", "", ""
		changed = append(changed, c.NodeID)
	}
	if len(changed) > 0 {
		r.Classes = classCounts(r.Cases)
	}
	return changed
}

// add counts n more tests of outcome o.
func (c *Counts) add(o Outcome, n int) {
	switch o {
	case Passed:
		c.Passed += n
	case Failed:
		c.Failed += n
	case Error:
		c.Errors += n
	case Skipped:
		c.Skipped += n
	case XFailed:
		c.XFailed += n
	case XPassed:
		c.XPassed += n
	}
}
