package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/cluster"
	"github.com/pyti/pyti/internal/image"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/store/storetest"
	"github.com/pyti/pyti/internal/tasks"
)

// runCmd runs one of this file's commands the way Main does, without the command table.
func runCmd(t *testing.T, c command, args ...string) (string, error) {
	t.Helper()
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	var out bytes.Buffer
	fs.SetOutput(&out)
	run := c.setup(fs)
	positional, err := parseInterspersed(fs, args)
	if err != nil {
		return "", err
	}
	env := &Env{Stdout: &out, Stderr: &out, Logger: slog.New(slog.DiscardHandler), LookupEnv: func(string) (string, bool) { return "", false }}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	err = run(ctx, env, positional)
	return out.String(), err
}

// TestSecretsStayOffTheCommandLine: a token typed on the command line is refused, with the way to
// give it instead; the same flag from the environment or a file-valued flag is fine.
func TestSecretsStayOffTheCommandLine(t *testing.T) {
	tests := []struct {
		argv []string
		flag string
		want string
	}{
		{[]string{"worker", "--worker-token", "s3cret"}, "worker-token", "visible to every user through ps"},
		{[]string{"worker", "-worker-token=s3cret"}, "worker-token", "visible to every user through ps"},
		{[]string{"submit", "--token", "s3cret", "pkg"}, "token", "visible to every user through ps"},
		{[]string{"worker", "--worker-token-file", "/etc/pyti/worker.token"}, "worker-token", ""},
		{[]string{"submit", "--token-file", "/x", "pkg", "--", "--token"}, "token", ""},
		{[]string{"submit", "pkg"}, "token", ""},
	}
	for _, tc := range tests {
		err := secretOnCommandLine(tc.argv, tc.flag, "use a file")
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%q: refused: %v", tc.argv, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%q: err = %v, want %q", tc.argv, err, tc.want)
		}
	}
}

func TestWorkerSaysWhatIsMissing(t *testing.T) {
	closed := freeAddr(t)
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"no flags", nil, []string{"--server", "--nats", "--worker-token"}},
		{"nothing reachable", []string{"--server", "http://" + closed, "--nats", "nats://" + closed, "--worker-token", "t", "--sandbox", "nope"},
			[]string{"this worker cannot run", `--sandbox "nope"`, "the job queue is unreachable", "the master is unreachable"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := runCmd(t, workerCommand(), tc.args...)
			if err == nil {
				t.Fatal("the worker ran")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// TestSubmitAndJobsAgainstAMaster starts the cluster as serve does (master only, embedded NATS)
// and drives it with pyti submit and pyti jobs.
func TestSubmitAndJobsAgainstAMaster(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()
	st, o := clusterSetup(t, dir, "--workers", "0", "--nats-listen", "127.0.0.1:0")
	c, srv := serveCluster(t, ctx, st, o)
	if c.CommandToken == "" || c.WorkerToken == "" || c.CommandToken == c.WorkerToken {
		t.Fatalf("tokens %q %q", c.CommandToken, c.WorkerToken)
	}

	if _, err := runCmd(t, submitCommand(), "--server", srv.URL, "--token", "wrong", "pkg"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("submit with a wrong token: %v", err)
	}
	if _, err := runCmd(t, submitCommand(), "--server", srv.URL, "--token", c.CommandToken, "./some/path"); err == nil {
		t.Error("a path was submitted")
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--image", "Trixie"}, `invalid value "Trixie" for flag -image: invalid image name`},
		{[]string{"--image", "../x"}, `invalid image name "../x"`},
		{[]string{"--image", "trixie", "--image", "trixie"}, `image "trixie" named twice`},
	} {
		args := append([]string{"--server", srv.URL, "--token", c.CommandToken, "pkg"}, tc.args...)
		if _, err := runCmd(t, submitCommand(), args...); err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("submit %q: %v, want one line saying %q", tc.args, err, tc.want)
		}
	}
	out, err := runCmd(t, submitCommand(), "--server", srv.URL, "--token", c.CommandToken, "gamma", "--image", "trixie", "--image", "host")
	if err != nil || !strings.Contains(out, "gamma on trixie,host") {
		t.Fatalf("submit with images: %q %v", out, err)
	}
	gamma := strings.Fields(out)[0]
	if j, err := st.Job(ctx, gamma); err != nil || !slices.Equal(j.Images, []string{"trixie", "host"}) {
		t.Errorf("the stored job: %+v %v", j, err)
	}
	if out, err := runCmd(t, jobsCommand(), "cancel", gamma, "--server", srv.URL, "--token", c.CommandToken); err != nil || !strings.Contains(out, "gamma on trixie,host") {
		t.Errorf("jobs cancel of a job with images: %q %v", out, err)
	}
	out, err = runCmd(t, submitCommand(), "--server", srv.URL, "--token", c.CommandToken, "alpha==1.0", "beta")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "queued") || !strings.Contains(lines[1], "beta") {
		t.Fatalf("submit printed %q", out)
	}
	id := strings.Fields(lines[0])[0]
	if out, err := runCmd(t, jobsCommand(), "cancel", id, "--server", srv.URL, "--token", c.CommandToken); err != nil || !strings.Contains(out, "cancelled") {
		t.Errorf("jobs cancel: %q %v", out, err)
	}
	out, err = runCmd(t, jobsCommand(), "--state", "queued", "--server", srv.URL, "--token", c.CommandToken)
	if err != nil || strings.Contains(out, id) || !strings.Contains(out, "beta") {
		t.Errorf("jobs --state queued: %q %v", out, err)
	}
	if out, err := runCmd(t, jobsCommand(), "show", id, "--server", srv.URL, "--token", c.CommandToken); err != nil || !strings.Contains(out, "alpha==1.0") {
		t.Errorf("jobs show: %q %v", out, err)
	}
	if _, err := runCmd(t, jobsCommand(), "workers", "--server", srv.URL, "--token", c.CommandToken); err != nil {
		t.Errorf("jobs workers: %v", err)
	}
	tokenFile := filepath.Join(t.TempDir(), "command.token")
	if err := os.WriteFile(tokenFile, []byte(c.CommandToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd(t, jobsCommand(), "revoke", "gone-worker", "--server", srv.URL, "--token-file", tokenFile); err != nil ||
		!strings.Contains(out, "revoked worker gone-worker (no worker had registered it") {
		t.Errorf("jobs revoke: %q %v", out, err)
	}
	if _, err := runCmd(t, submitCommand(), "--server", srv.URL, "--token", c.CommandToken, "--index", "http://169.254.169.254/", "pkg"); err == nil ||
		!strings.Contains(err.Error(), "403") || !strings.Contains(err.Error(), "rule index-not-allowed") {
		t.Errorf("submit on an index the operator did not list: %v", err)
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, want := range []string{`pyti_jobs{state="queued"} 1`, `pyti_jobs{state="cancelled"} 2`, "pyti_queue_depth"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

// TestInProcessWorker runs the cluster as serve --workers 1 does and analyses one example through
// the in-process worker, which reaches the Raw Data API without a socket.
func TestInProcessWorker(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	index := exampleIndex(t, ctx, "pure")
	dir := t.TempDir()
	st, o := clusterSetup(t, dir, "--workers", "1", "--nats-listen", "127.0.0.1:0", "--index-url", index, "--allow-private-index", "--no-trace", "--cache-dir", t.TempDir())
	c, err := startCluster(ctx, &Env{Logger: slog.New(slog.DiscardHandler)}, st, *o)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Stop()
	jobs, err := c.Master.Submit(ctx, []store.NewJob{{Spec: "pyti-example-pure"}})
	if err != nil {
		t.Fatal(err)
	}
	var j store.Job
	waitFor(t, ctx, "the job", func() bool {
		j, err = st.Job(ctx, jobs[0].ID)
		return err == nil && j.State.Terminal()
	})
	if j.State != store.JobDone || j.Verdict != report.VerdictPassed || j.Attempts != 1 {
		atts, _ := st.Attempts(ctx, j.ID)
		t.Fatalf("job %s, verdict %s, %d attempts (%s): %+v", j.State, j.Verdict, j.Attempts, j.Error, atts)
	}
	sr, err := st.Report(ctx, j.ReportID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sr.Report.Artifacts) == 0 {
		t.Fatal("the report has no artifacts")
	}
	for _, a := range sr.Report.Artifacts {
		rc, _, err := st.OpenBlob(ctx, a.SHA256)
		if err != nil {
			t.Errorf("artifact %s: %v", a.Path, err)
			continue
		}
		rc.Close()
	}
	ws := c.Master.Workers()
	if len(ws) != 1 || ws[0].Done != 1 || !ws[0].Alive {
		t.Errorf("workers: %+v", ws)
	}
}

// TestInProcessWorkerRunsOnTheJobsImages submits jobs with images to a cluster whose in-process
// worker has one image built in its data directory, and checks the options the worker runs the
// analysis with: the image from its store (and the host) for the first job; the second names an
// image the worker lacks and fails at its first attempt, saying so.
func TestInProcessWorkerRunsOnTheJobsImages(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	m := fakeImage(t, image.NewStore(dir), "trixie", "trixie", "3.13.5")
	st, o := clusterSetup(t, dir, "--workers", "1", "--nats-listen", "127.0.0.1:0", "--no-trace")
	ran := make(chan tasks.Options, 2)
	o.analysis.analyze = func(ctx context.Context, req tasks.Request, opts tasks.Options) (*report.Report, error) {
		ran <- opts
		name, version, _ := strings.Cut(req.Spec, "==")
		rep := storetest.SampleReport(name, version, storetest.Options{})
		rep.Verdict = report.VerdictPassed
		return rep, nil
	}
	c, srv := serveCluster(t, ctx, st, o)

	out, err := runCmd(t, submitCommand(), "--server", srv.URL, "--token", c.CommandToken, "--wait", "--json",
		"--image", "trixie", "--image", "host", "pkg-a==1.0")
	if err != nil {
		t.Fatalf("submit: %v\n%s", err, out)
	}
	var jobs []store.Job
	if err := json.Unmarshal([]byte(out), &jobs); err != nil || len(jobs) != 1 {
		t.Fatalf("submit printed %q: %v", out, err)
	}
	if j := jobs[0]; j.State != store.JobDone || j.Verdict != report.VerdictPassed {
		t.Fatalf("job with images: %s %s (%s)", j.State, j.Verdict, j.Error)
	}
	opts := <-ran
	want := []tasks.Image{
		{Name: "trixie", Root: image.NewStore(dir).Root("trixie"), ID: m.ID(), Release: "trixie", Python: "3.13.5", OS: "Debian trixie"},
		{Name: tasks.HostImage},
	}
	if diff := cmp.Diff(want, opts.Images); diff != "" {
		t.Errorf("the worker's tasks.Options.Images (-want +got):\n%s", diff)
	}

	out, err = runCmd(t, submitCommand(), "--server", srv.URL, "--token", c.CommandToken, "--wait",
		"--image", "trixie", "--image", "sid", "pkg-b==1.0")
	if err != nil || !strings.Contains(out, "failed") {
		t.Fatalf("submit of a job on a missing image: %q %v", out, err)
	}
	id := strings.Fields(out)[0]
	j, err := st.Job(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	worker := c.Master.Workers()[0].Name
	wantErr := "worker " + worker + ": image sid is not built in " + dir + ": run pyti image build sid"
	if j.State != store.JobFailed || j.Attempts != 1 || !strings.HasPrefix(j.Error, wantErr) {
		t.Errorf("job on a missing image: %s after %d attempts: %q, want failed after 1: %q", j.State, j.Attempts, j.Error, wantErr)
	}
	select {
	case opts := <-ran:
		t.Errorf("the job on a missing image was analysed with %+v", opts.Images)
	default:
	}
}

// serveCluster starts serve's cluster on st with o and serves its HTTP mounts, both stopped when
// the test ends.
func serveCluster(t *testing.T, ctx context.Context, st store.Store, o *clusterFlags) (*cluster.Cluster, *httptest.Server) {
	t.Helper()
	c, err := startCluster(ctx, &Env{Logger: slog.New(slog.DiscardHandler)}, st, *o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Stop)
	mux := http.NewServeMux()
	for _, m := range c.Mounts {
		mux.Handle(m.Pattern, m.Handler)
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return c, srv
}

// clusterSetup opens a store in dir and parses serve's cluster flags from args, as serve does,
// with dir as the data directory; the store is closed when the test ends.
func clusterSetup(t *testing.T, dir string, args ...string) (*sqlite.Store, *clusterFlags) {
	t.Helper()
	st, err := sqlite.Open(t.Context(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	o := registerClusterFlags(fs)
	if err := fs.Parse(args); err != nil {
		t.Fatal(err)
	}
	o.dataDir = dir
	return st, o
}
