// Package storetest is the conformance suite every store backend passes, and the realistic report
// fixtures (including hostile ones) that the store, web and benchmark tests share.
package storetest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// Run runs the conformance suite; open returns a new, empty store for each subtest.
func Run(t *testing.T, open func() store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, st store.Store)
	}{
		{"Empty", testEmpty},
		{"JobLifecycle", testJobLifecycle},
		{"JobImages", testJobImages},
		{"IdempotentAttempts", testIdempotentAttempts},
		{"FinishJob", testFinishJob},
		{"ReportRoundTrip", testReportRoundTrip},
		{"HostileRoundTrip", testHostileRoundTrip},
		{"ProjectsAndReleases", testProjectsAndReleases},
		{"Filters", testFilters},
		{"ReportPagination", testReportPagination},
		{"ProjectPagination", testProjectPagination},
		{"JobPagination", testJobPagination},
		{"CountsByVerdict", testCountsByVerdict},
		{"Blobs", testBlobs},
		{"ImportReport", testImportReport},
		{"ConcurrentWriters", testConcurrentWriters},
		{"ConcurrentSameAttempt", testConcurrentSameAttempt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := open()
			t.Cleanup(func() {
				if err := st.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			})
			tc.fn(t, st)
		})
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// save runs a job with one attempt and saves rep as its report.
func save(t *testing.T, st store.Store, rep *report.Report) store.ReportSummary {
	t.Helper()
	job, err := st.CreateJob(ctx(t), store.NewJob{Spec: rep.Request.Spec})
	if err != nil {
		t.Fatalf("CreateJob: %v", err)
	}
	a, err := st.StartAttempt(ctx(t), job.ID, "w1", time.Now().Add(time.Minute))
	if err != nil {
		t.Fatalf("StartAttempt: %v", err)
	}
	sum, err := st.SaveReport(ctx(t), job.ID, a.Number, rep)
	if err != nil {
		t.Fatalf("SaveReport: %v", err)
	}
	return sum
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: error %v, want %v", what, err, target)
	}
}

func testEmpty(t *testing.T, st store.Store) {
	pp, err := st.Projects(ctx(t), store.ProjectQuery{})
	if err != nil || len(pp.Projects) != 0 || pp.Next != "" {
		t.Errorf("Projects on an empty store = %+v, %v; want none", pp, err)
	}
	rp, err := st.Reports(ctx(t), store.ReportQuery{})
	if err != nil || len(rp.Reports) != 0 {
		t.Errorf("Reports on an empty store = %+v, %v; want none", rp, err)
	}
	counts, err := st.CountsByVerdict(ctx(t))
	if err != nil || len(counts) != 0 {
		t.Errorf("CountsByVerdict on an empty store = %v, %v; want none", counts, err)
	}
	_, err = st.Project(ctx(t), "nothing")
	wantErr(t, "Project", err, store.ErrNotFound)
	_, err = st.Report(ctx(t), 1)
	wantErr(t, "Report", err, store.ErrNotFound)
	_, err = st.Job(ctx(t), "nope")
	wantErr(t, "Job", err, store.ErrNotFound)
	_, err = st.Releases(ctx(t), "nothing")
	wantErr(t, "Releases", err, store.ErrNotFound)
	_, err = st.CreateJob(ctx(t), store.NewJob{Spec: "  "})
	wantErr(t, "CreateJob with an empty spec", err, store.ErrInvalid)
}

func testJobLifecycle(t *testing.T, st store.Store) {
	job, err := st.CreateJob(ctx(t), store.NewJob{Spec: "alpha==1.0", Index: "https://idx.example/simple/"})
	if err != nil {
		t.Fatal(err)
	}
	got, err := st.Job(ctx(t), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(job, got); diff != "" {
		t.Errorf("Job after CreateJob (-created +read):\n%s", diff)
	}
	if got.State != store.JobQueued || got.Attempts != 0 {
		t.Errorf("new job: state %s attempts %d, want queued 0", got.State, got.Attempts)
	}
	lease := time.Now().Add(5 * time.Minute).UTC().Truncate(time.Microsecond)
	a1, err := st.StartAttempt(ctx(t), job.ID, "worker-a", lease)
	if err != nil {
		t.Fatal(err)
	}
	if a1.Number != 1 || a1.State != store.AttemptRunning || !a1.LeaseExpiry.Equal(lease) {
		t.Errorf("first attempt = %+v", a1)
	}
	if j, _ := st.Job(ctx(t), job.ID); j.State != store.JobRunning || j.Attempts != 1 || j.StartedAt.IsZero() {
		t.Errorf("job after StartAttempt = %+v, want running with 1 attempt", j)
	}
	if err := st.FailAttempt(ctx(t), job.ID, 1, "worker lost"); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "FailAttempt of an attempt never started", st.FailAttempt(ctx(t), job.ID, 7, "x"), store.ErrNoAttempt)
	a2, err := st.StartAttempt(ctx(t), job.ID, "worker-b", lease)
	if err != nil {
		t.Fatal(err)
	}
	if a2.Number != 2 {
		t.Errorf("second attempt number %d, want 2", a2.Number)
	}
	sum, err := st.SaveReport(ctx(t), job.ID, 2, SampleReport("alpha", "1.0", Options{Seed: 1, Failing: 1}))
	if err != nil {
		t.Fatal(err)
	}
	j, err := st.Job(ctx(t), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobDone || j.Verdict != report.VerdictTestsFailed || j.ReportID != sum.ID || j.FinishedAt.IsZero() {
		t.Errorf("job after SaveReport = %+v, want done, tests-failed, report %d", j, sum.ID)
	}
	atts, err := st.Attempts(ctx(t), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, a := range atts {
		states = append(states, fmt.Sprintf("%d:%s:%s:%s", a.Number, a.Worker, a.State, a.Error))
	}
	want := []string{"1:worker-a:failed:worker lost", "2:worker-b:done:"}
	if diff := cmp.Diff(want, states); diff != "" {
		t.Errorf("attempts (-want +got):\n%s", diff)
	}
	_, err = st.StartAttempt(ctx(t), job.ID, "worker-c", lease)
	wantErr(t, "StartAttempt of a done job", err, store.ErrJobFinished)
	_, err = st.Attempts(ctx(t), "no-such-job")
	wantErr(t, "Attempts of an unknown job", err, store.ErrNotFound)
}

// testJobImages checks that a job keeps the images it was submitted with, in their order.
func testJobImages(t *testing.T, st store.Store) {
	tests := []struct {
		name   string
		images []string
	}{
		{"none", nil},
		{"one", []string{"trixie"}},
		{"matrix", []string{"trixie", "host", "bookworm"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			job, err := st.CreateJob(ctx(t), store.NewJob{Spec: "alpha==1.0", Images: tc.images})
			if err != nil {
				t.Fatal(err)
			}
			got, err := st.Job(ctx(t), job.ID)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.images, got.Images); diff != "" {
				t.Errorf("Job(...).Images (-want +got):\n%s", diff)
			}
			page, err := st.Jobs(ctx(t), store.JobQuery{})
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(page.Jobs, func(j store.Job) bool { return j.ID == job.ID })
			if i < 0 {
				t.Fatalf("Jobs does not list job %s", job.ID)
			}
			if diff := cmp.Diff(tc.images, page.Jobs[i].Images); diff != "" {
				t.Errorf("Jobs(...) job %s Images (-want +got):\n%s", job.ID, diff)
			}
		})
	}
}

func testIdempotentAttempts(t *testing.T, st store.Store) {
	job, err := st.CreateJob(ctx(t), store.NewJob{Spec: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	for range 2 {
		if _, err := st.StartAttempt(ctx(t), job.ID, "w", time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	_, err = st.SaveReport(ctx(t), job.ID, 3, SampleReport("alpha", "1.0", Options{}))
	wantErr(t, "SaveReport of an attempt never started", err, store.ErrNoAttempt)

	first, err := st.SaveReport(ctx(t), job.ID, 2, SampleReport("alpha", "1.0", Options{Seed: 2}))
	if err != nil {
		t.Fatal(err)
	}
	// The same attempt again: replaces, never duplicates.
	second, err := st.SaveReport(ctx(t), job.ID, 2, SampleReport("alpha", "1.0", Options{Seed: 2, Failing: 3}))
	if err != nil {
		t.Fatal(err)
	}
	if first.ID != second.ID {
		t.Errorf("saving attempt 2 twice gave reports %d and %d, want one", first.ID, second.ID)
	}
	// An older attempt cannot overwrite the newer one.
	_, err = st.SaveReport(ctx(t), job.ID, 1, SampleReport("alpha", "1.0", Options{Seed: 9}))
	wantErr(t, "SaveReport of an older attempt", err, store.ErrStaleAttempt)

	page, err := st.Reports(ctx(t), store.ReportQuery{Project: "alpha"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Reports) != 1 || page.Reports[0].Attempt != 2 || page.Reports[0].Verdict != report.VerdictTestsFailed {
		t.Fatalf("reports of alpha = %+v, want one of attempt 2 with tests-failed", page.Reports)
	}
	if page.Reports[0].Tests.Failed != 3 {
		t.Errorf("failed tests %d, want 3 (the second save)", page.Reports[0].Tests.Failed)
	}
	counts, err := st.CountsByVerdict(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[report.Verdict]int{report.VerdictTestsFailed: 1}, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
	rels, err := st.Releases(ctx(t), "alpha")
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 || rels[0].Reports != 1 || len(rels[0].Files) != 2 {
		t.Errorf("releases = %+v, want one release with one report and two files", rels)
	}
}

func testFinishJob(t *testing.T, st store.Store) {
	job, err := st.CreateJob(ctx(t), store.NewJob{Spec: "beta"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAttempt(ctx(t), job.ID, "w", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	wantErr(t, "FinishJob as running", st.FinishJob(ctx(t), job.ID, store.JobRunning, ""), store.ErrInvalid)
	if err := st.FinishJob(ctx(t), job.ID, store.JobQuarantined, "infrastructure failed 3 times"); err != nil {
		t.Fatal(err)
	}
	if err := st.FinishJob(ctx(t), job.ID, store.JobQuarantined, "again"); err != nil {
		t.Errorf("finishing again in the same state: %v", err)
	}
	wantErr(t, "FinishJob into another terminal state", st.FinishJob(ctx(t), job.ID, store.JobCancelled, ""), store.ErrJobFinished)
	_, err = st.SaveReport(ctx(t), job.ID, 1, SampleReport("beta", "1", Options{}))
	wantErr(t, "SaveReport of a quarantined job", err, store.ErrJobFinished)
	j, err := st.Job(ctx(t), job.ID)
	if err != nil {
		t.Fatal(err)
	}
	if j.State != store.JobQuarantined || j.Error != "infrastructure failed 3 times" {
		t.Errorf("job = %+v, want quarantined with its reason", j)
	}
	atts, _ := st.Attempts(ctx(t), job.ID)
	if len(atts) != 1 || atts[0].State != store.AttemptFailed {
		t.Errorf("attempts = %+v, want the running one failed", atts)
	}
	wantErr(t, "FinishJob of an unknown job", st.FinishJob(ctx(t), "nope", store.JobFailed, ""), store.ErrNotFound)
}

// jsonRoundTrip is what a report looks like after being stored as JSON.
func jsonRoundTrip(t *testing.T, rep *report.Report) *report.Report {
	t.Helper()
	data, err := json.Marshal(rep)
	if err != nil {
		t.Fatal(err)
	}
	out := &report.Report{}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatal(err)
	}
	return out
}

func testReportRoundTrip(t *testing.T, st store.Store) {
	rep := SampleReport("Gamma.Pkg", "2.0rc1", Options{Seed: 3, Failing: 2, Harmful: true})
	sum := save(t, st, rep)
	got, err := st.Report(ctx(t), sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(jsonRoundTrip(t, rep), got.Report); diff != "" {
		t.Errorf("stored report (-saved +read):\n%s", diff)
	}
	if diff := cmp.Diff(sum, got.ReportSummary); diff != "" {
		t.Errorf("summary (-returned by SaveReport +read):\n%s", diff)
	}
	want := store.Summarize(rep)
	if sum.Project != "gamma-pkg" || sum.Verdict != report.VerdictHarmful || sum.MaxSeverity != report.SeverityHigh ||
		sum.Tests != want.Tests || sum.Findings != 2 || sum.Coverage == nil || *sum.Coverage != rep.Results().Tests.Coverage.Percent {
		t.Errorf("summary = %+v", sum)
	}
}

func testHostileRoundTrip(t *testing.T, st store.Store) {
	rep := HostileReport("6.6.6")
	sum := save(t, st, rep)
	got, err := st.Report(ctx(t), sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(jsonRoundTrip(t, rep), got.Report); diff != "" {
		t.Errorf("hostile report not kept byte for byte (-saved +read):\n%s", diff)
	}
	rels, err := st.Releases(ctx(t), "evil-pkg")
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 1 || rels[0].Files[0].URL != Injections[2] && rels[0].Files[1].URL != Injections[2] {
		t.Errorf("hostile file URL not kept: %+v", rels)
	}
}

func testProjectsAndReleases(t *testing.T, st store.Store) {
	for i, v := range []string{"1.0", "1.1", "2.0"} {
		save(t, st, SampleReport("Alpha_Pkg", v, Options{Seed: uint64(i), Failing: i}))
	}
	save(t, st, SampleReport("beta", "0.1", Options{Seed: 10}))
	save(t, st, SampleReport("alphabet", "3", Options{Seed: 11}))
	// A second analysis of 1.1, newer, spelled differently (so with other file names): the release
	// points at it and lists the files of both.
	newer := save(t, st, SampleReport("alpha-pkg", "1.1", Options{Seed: 100, Harmful: true, Created: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}))

	p, err := st.Project(ctx(t), "ALPHA.pkg")
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "alpha-pkg" || p.DisplayName != "alpha-pkg" || p.Releases != 3 || p.Latest == nil || p.Latest.ID != newer.ID {
		t.Errorf("project = %+v (latest %+v), want alpha-pkg, 3 releases, latest %d", p, p.Latest, newer.ID)
	}
	rels, err := st.Releases(ctx(t), "alpha_pkg")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, r := range rels {
		got[r.Version] = fmt.Sprintf("%d %s %d files", r.Reports, r.Latest.Verdict, len(r.Files))
	}
	want := map[string]string{"1.0": "1 passed 2 files", "1.1": "2 harmful 4 files", "2.0": "1 tests-failed 2 files"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("releases (-want +got):\n%s", diff)
	}
	for _, tc := range []struct {
		prefix string
		want   []string
	}{
		{"", []string{"alpha-pkg", "alphabet", "beta"}},
		{"alp", []string{"alpha-pkg", "alphabet"}},
		{"Alpha_", []string{"alpha-pkg"}},
		{"alpha%", nil},
		{"_", nil},
		{"zzz", nil},
	} {
		page, err := st.Projects(ctx(t), store.ProjectQuery{Prefix: tc.prefix})
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, p := range page.Projects {
			names = append(names, p.Name)
		}
		if diff := cmp.Diff(tc.want, names); diff != "" {
			t.Errorf("Projects(prefix %q) (-want +got):\n%s", tc.prefix, diff)
		}
	}
}

func testFilters(t *testing.T, st store.Store) {
	save(t, st, SampleReport("a", "1", Options{Seed: 1}))
	harm := save(t, st, SampleReport("b", "1", Options{Seed: 2, Harmful: true}))
	fail := save(t, st, SampleReport("a", "2", Options{Seed: 3, Failing: 1}))
	ids := func(q store.ReportQuery) []int64 {
		page, err := st.Reports(ctx(t), q)
		if err != nil {
			t.Fatalf("Reports(%+v): %v", q, err)
		}
		var out []int64
		for _, r := range page.Reports {
			out = append(out, r.ID)
		}
		return out
	}
	if diff := cmp.Diff([]int64{harm.ID}, ids(store.ReportQuery{Rule: "network-attempt"})); diff != "" {
		t.Errorf("by rule (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int64{fail.ID}, ids(store.ReportQuery{Verdict: report.VerdictTestsFailed})); diff != "" {
		t.Errorf("by verdict (-want +got):\n%s", diff)
	}
	if got := ids(store.ReportQuery{Project: "A"}); len(got) != 2 {
		t.Errorf("by project: %v, want 2", got)
	}
	if got := ids(store.ReportQuery{Project: "a", Version: "2"}); len(got) != 1 || got[0] != fail.ID {
		t.Errorf("by project and version: %v, want [%d]", got, fail.ID)
	}
	if got := ids(store.ReportQuery{Rule: "setup-py-exec", Verdict: report.VerdictHarmful}); len(got) != 1 {
		t.Errorf("by rule and verdict: %v, want 1", got)
	}
	if got := ids(store.ReportQuery{Project: "nope"}); len(got) != 0 {
		t.Errorf("unknown project: %v, want none", got)
	}
}

func testReportPagination(t *testing.T, st store.Store) {
	var all []int64
	for i := range 25 {
		all = append(all, save(t, st, SampleReport(fmt.Sprintf("p%02d", i%4), fmt.Sprint(i), Options{Seed: uint64(i), Tests: 2})).ID)
	}
	var seen []int64
	cursor := ""
	pages := 0
	for {
		page, err := st.Reports(ctx(t), store.ReportQuery{Limit: 10, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		pages++
		for _, r := range page.Reports {
			seen = append(seen, r.ID)
		}
		if page.Next == "" || pages > 10 {
			break
		}
		cursor = page.Next
	}
	if pages != 3 {
		t.Errorf("25 reports by 10 took %d pages, want 3", pages)
	}
	sort.Slice(all, func(i, j int) bool { return all[i] > all[j] })
	if diff := cmp.Diff(all, seen); diff != "" {
		t.Errorf("pages (-want all, newest first +got):\n%s", diff)
	}
	_, err := st.Reports(ctx(t), store.ReportQuery{Cursor: "x'; DROP TABLE reports"})
	wantErr(t, "a malformed cursor", err, store.ErrInvalid)
	page, err := st.Reports(ctx(t), store.ReportQuery{Limit: 100000})
	if err != nil || len(page.Reports) != 25 {
		t.Errorf("huge limit: %d reports, %v", len(page.Reports), err)
	}
}

func testProjectPagination(t *testing.T, st store.Store) {
	for i := range 7 {
		save(t, st, SampleReport(fmt.Sprintf("proj-%d", i), "1", Options{Seed: uint64(i), Tests: 1}))
	}
	var names []string
	cursor := ""
	for range 10 {
		page, err := st.Projects(ctx(t), store.ProjectQuery{Limit: 3, Cursor: cursor, Prefix: "proj"})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page.Projects {
			names = append(names, p.Name)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	want := []string{"proj-0", "proj-1", "proj-2", "proj-3", "proj-4", "proj-5", "proj-6"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("projects by pages of 3 (-want +got):\n%s", diff)
	}
}

func testJobPagination(t *testing.T, st store.Store) {
	var queued []string
	for i := range 7 {
		j, err := st.CreateJob(ctx(t), store.NewJob{Spec: fmt.Sprintf("pkg%d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if i%2 == 0 {
			if _, err := st.StartAttempt(ctx(t), j.ID, "w", time.Now().Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
		} else {
			queued = append(queued, j.Spec)
		}
	}
	var specs []string
	cursor := ""
	for range 10 {
		page, err := st.Jobs(ctx(t), store.JobQuery{States: []store.JobState{store.JobQueued}, Limit: 2, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range page.Jobs {
			specs = append(specs, j.Spec)
		}
		if cursor = page.Next; cursor == "" {
			break
		}
	}
	sort.Strings(specs)
	if diff := cmp.Diff(queued, specs); diff != "" {
		t.Errorf("queued jobs (-want +got):\n%s", diff)
	}
	page, err := st.Jobs(ctx(t), store.JobQuery{States: []store.JobState{store.JobQueued, store.JobRunning}})
	if err != nil || len(page.Jobs) != 7 {
		t.Errorf("queued or running: %d jobs, %v; want 7", len(page.Jobs), err)
	}
	_, err = st.Jobs(ctx(t), store.JobQuery{Cursor: "garbage"})
	wantErr(t, "a malformed job cursor", err, store.ErrInvalid)
}

func testCountsByVerdict(t *testing.T, st store.Store) {
	save(t, st, SampleReport("a", "1", Options{Seed: 1}))
	save(t, st, SampleReport("a", "2", Options{Seed: 2}))
	save(t, st, SampleReport("b", "1", Options{Seed: 3, Harmful: true}))
	job, err := st.CreateJob(ctx(t), store.NewJob{Spec: "c"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAttempt(ctx(t), job.ID, "w", time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := st.SaveReport(ctx(t), job.ID, 1, SampleReport("c", "1", Options{Seed: 4})); err != nil {
		t.Fatal(err)
	}
	// The same attempt re-saved with another verdict moves the count.
	if _, err := st.SaveReport(ctx(t), job.ID, 1, SampleReport("c", "1", Options{Seed: 4, Failing: 1})); err != nil {
		t.Fatal(err)
	}
	counts, err := st.CountsByVerdict(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	want := map[report.Verdict]int{report.VerdictPassed: 2, report.VerdictHarmful: 1, report.VerdictTestsFailed: 1}
	if diff := cmp.Diff(want, counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}

func testBlobs(t *testing.T, st store.Store) {
	text := []byte(strings.Repeat("build log line <script>x</script> ünïcödé\n", 5000))
	bin := []byte{0x50, 0x4b, 0x03, 0x04, 0, 0, 1, 2, 3, 0xff, 0xfe}
	b1, err := st.PutBlob(ctx(t), bytes.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	b2, err := st.PutBlob(ctx(t), bytes.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}
	if b1.SHA256 != b2.SHA256 || b1.Size != int64(len(text)) || !b1.Text {
		t.Errorf("blobs of the same text: %+v, %+v", b1, b2)
	}
	if b1.StoredSize >= b1.Size {
		t.Errorf("stored size %d not smaller than %d: not compressed", b1.StoredSize, b1.Size)
	}
	bb, err := st.PutBlob(ctx(t), bytes.NewReader(bin))
	if err != nil {
		t.Fatal(err)
	}
	if bb.Text {
		t.Errorf("binary blob marked as text")
	}
	for _, tc := range []struct {
		sum  string
		want []byte
	}{{b1.SHA256, text}, {bb.SHA256, bin}} {
		rc, info, err := st.OpenBlob(ctx(t), tc.sum)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, tc.want) || info.SHA256 != tc.sum || info.Size != int64(len(tc.want)) {
			t.Errorf("blob %s read back %d bytes (info %+v), want %d", tc.sum, len(got), info, len(tc.want))
		}
	}
	_, _, err = st.OpenBlob(ctx(t), strings.Repeat("0", 64))
	wantErr(t, "OpenBlob of an unknown digest", err, store.ErrNotFound)
	_, _, err = st.OpenBlob(ctx(t), "../../etc/passwd")
	wantErr(t, "OpenBlob of a path", err, store.ErrInvalid)
	empty, err := st.PutBlob(ctx(t), bytes.NewReader(nil))
	if err != nil || empty.SHA256 != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("empty blob = %+v, %v", empty, err)
	}
}

func testImportReport(t *testing.T, st store.Store) {
	dir := t.TempDir()
	rep := SampleReport("delta", "1.0", Options{Seed: 5})
	contents := map[string]string{}
	for i, a := range rep.Artifacts {
		data := fmt.Sprintf("artifact %d of %s\n", i, a.Name)
		contents[a.Path] = data
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(a.Path)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, a.Path), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sum, err := store.ImportReport(ctx(t), st, rep, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Artifacts[0].SHA256 != "" {
		t.Errorf("ImportReport changed the caller's report")
	}
	job, err := st.Job(ctx(t), sum.JobID)
	if err != nil {
		t.Fatal(err)
	}
	if job.State != store.JobDone || job.Spec != "delta==1.0" || job.ReportID != sum.ID {
		t.Errorf("imported job = %+v", job)
	}
	stored, err := st.Report(ctx(t), sum.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range stored.Report.Artifacts {
		rc, _, err := st.OpenBlob(ctx(t), a.SHA256)
		if err != nil {
			t.Fatalf("artifact %s: %v", a.Path, err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if string(got) != contents[a.Path] || a.Size != int64(len(got)) {
			t.Errorf("artifact %s = %q (size %d), want %q", a.Path, got, a.Size, contents[a.Path])
		}
	}
	bad := SampleReport("delta", "1.1", Options{})
	bad.Artifacts = []report.Artifact{{Name: "x", Path: "../outside"}}
	_, err = store.ImportReport(ctx(t), st, bad, dir)
	wantErr(t, "an artifact path leaving the directory", err, store.ErrInvalid)
	missing := SampleReport("delta", "1.2", Options{})
	if _, err := store.ImportReport(ctx(t), st, missing, t.TempDir()); err == nil {
		t.Errorf("ImportReport with missing artifact files succeeded")
	}
}

func testConcurrentWriters(t *testing.T, st store.Store) {
	const writers, each = 6, 8
	var wg sync.WaitGroup
	errs := make(chan error, writers*each*2)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rep := SampleReport(fmt.Sprintf("conc-%d", w%3), fmt.Sprintf("%d.%d", w, i), Options{Seed: uint64(w*100 + i), Tests: 3})
				job, err := st.CreateJob(t.Context(), store.NewJob{Spec: rep.Request.Spec})
				if err != nil {
					errs <- err
					return
				}
				a, err := st.StartAttempt(t.Context(), job.ID, fmt.Sprint("w", w), time.Now().Add(time.Minute))
				if err != nil {
					errs <- err
					return
				}
				if _, err := st.SaveReport(t.Context(), job.ID, a.Number, rep); err != nil {
					errs <- err
					return
				}
				if _, err := st.PutBlob(t.Context(), strings.NewReader(fmt.Sprint("shared blob ", i))); err != nil {
					errs <- err
					return
				}
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range each {
				if _, err := st.Reports(t.Context(), store.ReportQuery{Limit: 5}); err != nil {
					errs <- err
					return
				}
				if _, err := st.Projects(t.Context(), store.ProjectQuery{Prefix: "conc"}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent use: %v", err)
	}
	counts, err := st.CountsByVerdict(ctx(t))
	if err != nil {
		t.Fatal(err)
	}
	if counts[report.VerdictPassed] != writers*each {
		t.Errorf("passed count %d, want %d", counts[report.VerdictPassed], writers*each)
	}
	total := 0
	for i := range 3 {
		p, err := st.Project(ctx(t), fmt.Sprint("conc-", i))
		if err != nil {
			t.Fatal(err)
		}
		total += p.Releases
	}
	if total != writers*each {
		t.Errorf("releases across projects %d, want %d", total, writers*each)
	}
}

func testConcurrentSameAttempt(t *testing.T, st store.Store) {
	job, err := st.CreateJob(ctx(t), store.NewJob{Spec: "same"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.StartAttempt(ctx(t), job.ID, "w", time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ids := make([]int64, 5)
	errs := make([]error, 5)
	for i := range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sum, err := st.SaveReport(t.Context(), job.ID, 1, SampleReport("same", "1", Options{Seed: 1}))
			ids[i], errs[i] = sum.ID, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("save %d: %v", i, err)
		}
		if ids[i] != ids[0] {
			t.Errorf("concurrent saves of one attempt gave reports %v, want one id", ids)
			break
		}
	}
	page, err := st.Reports(ctx(t), store.ReportQuery{Project: "same"})
	if err != nil || len(page.Reports) != 1 {
		t.Errorf("reports of the job: %d, %v; want 1", len(page.Reports), err)
	}
}
