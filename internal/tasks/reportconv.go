package tasks

import (
	"github.com/pyti/pyti/internal/dag"
	"github.com/pyti/pyti/internal/quality"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/testresult"
	"slices"
)

// The report owns its types (its schema is public); these convert what the pipeline's own
// packages produce into them, at the one place each is put into the report.

// reportRun is the task graph's record as the report shows it.
func reportRun(rec dag.Record) *report.RunRecord {
	out := &report.RunRecord{Parallel: rec.Parallel, Start: rec.Start, End: rec.End, WallMS: rec.WallMS, Initial: rec.Initial}
	out.Data = convertAll(rec.Data, func(d dag.DatumRecord) report.Datum { return report.Datum(d) })
	out.Tasks = convertAll(rec.Tasks, func(t dag.TaskRecord) report.TaskRecord {
		return report.TaskRecord{Name: t.Name, Needs: t.Needs, Optional: t.Optional, Provides: t.Provides,
			TimeoutMS: t.TimeoutMS, Status: report.TaskStatus(t.Status), Reason: t.Reason, Error: t.Error, Cause: t.Cause,
			PanicStack: t.PanicStack, Start: t.Start, End: t.End, WallMS: t.WallMS, CPUMS: t.CPUMS, PeakRSSBytes: t.PeakRSSBytes}
	})
	return out
}

// reportTests is a parsed test run as the report shows it.
func reportTests(run *testresult.Run) *report.TestRun {
	if run == nil {
		return nil
	}
	out := &report.TestRun{
		Counts:   report.TestCounts(run.Counts),
		Complete: run.Complete, ExitStatus: run.ExitStatus, Running: run.Running,
	}
	out.Cases = convertAll(run.Cases, func(tc testresult.Case) report.TestCase {
		return report.TestCase{NodeID: tc.NodeID, Outcome: report.TestOutcome(tc.Outcome), Class: report.FailureClass(tc.Class),
			Message: tc.Message, Details: tc.Details, Duration: tc.Duration, Missing: tc.Missing, MissingPath: tc.MissingPath, MissingProgram: tc.MissingProgram, MissingLocale: tc.MissingLocale, MissingService: tc.MissingService,
			UnderCoverage: tc.UnderCoverage, PassedAlone: tc.PassedAlone, UnknownMarks: slices.Clone(tc.UnknownMarks),
			Plugin: tc.Plugin, Defines: tc.Defines}
	})
	out.Suites = convertAll(run.Suites, func(s testresult.Suite) report.TestSuite { return report.TestSuite(s) })
	out.LeftOut = convertAll(run.LeftOut, func(l testresult.LeftOut) report.LeftOutTest { return report.LeftOutTest(l) })
	out.Scripts = slices.Clone(run.Scripts)
	if run.Stopped != nil {
		out.Stopped = &report.TestStop{Next: run.Stopped.Next, NotRun: run.Stopped.NotRun}
	}
	if run.Classes != nil {
		out.Classes = make(map[report.FailureClass]int, len(run.Classes))
		for class, n := range run.Classes {
			out.Classes[report.FailureClass(class)] = n
		}
	}
	return out
}

// reportSkips are the skip reasons as the report shows them.
func reportSkips(reasons []testresult.ReasonCount) []report.SkipReason {
	return convertAll(reasons, func(r testresult.ReasonCount) report.SkipReason { return report.SkipReason(r) })
}

// reportQuality is the quality tools' figures as the report shows them.
func reportQuality(q quality.Report) report.Quality {
	out := report.Quality{Scope: q.Scope, Linted: q.Linted, TestsLeftOut: q.TestsLeftOut, TestFiles: q.TestFiles, Files: q.Files,
		Lines: q.Lines, Pycodestyle: q.Pycodestyle, StyleTotal: q.StyleTotal, Pyflakes: lintMessages(q.Pyflakes), FlakesTotal: q.FlakesTotal, TooBig: q.TooBig, Generated: q.Generated,
		PerKLOC: report.PerKLOC(q.PerKLOC)}
	if p := q.Pylint; p != nil {
		out.Pylint = &report.Pylint{Score: p.Score, ByCategory: p.ByCategory, BySymbol: p.BySymbol, Total: p.Total, Messages: lintMessages(p.Messages), Disabled: p.Disabled}
	}
	return out
}

func lintMessages(msgs []quality.Message) []report.LintMessage {
	return convertAll(msgs, func(m quality.Message) report.LintMessage { return report.LintMessage(m) })
}

// convertAll converts every element with conv, keeping a nil slice nil (null in the JSON) and an
// empty one empty.
func convertAll[S, D any](in []S, conv func(S) D) []D {
	if in == nil {
		return nil
	}
	out := make([]D, len(in))
	for i, s := range in {
		out[i] = conv(s)
	}
	return out
}
