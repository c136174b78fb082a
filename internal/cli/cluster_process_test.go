package cli

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pyti/pyti/internal/debwheel"
	"github.com/pyti/pyti/internal/localindex"
	"github.com/pyti/pyti/internal/master"
	"github.com/pyti/pyti/internal/sandbox"
	"github.com/pyti/pyti/internal/store"
	"github.com/pyti/pyti/internal/store/sqlite"
	"github.com/pyti/pyti/internal/worker"
)

// processRole makes the test binary act as a master or a worker process (the re-exec pattern).
const processRole = "PYTI_CLUSTER_TEST_ROLE"

func TestMain(m *testing.M) {
	// The sandbox re-executes the binary as its launcher and init; it never returns then.
	sandbox.MaybeRunHelper()
	if role := os.Getenv(processRole); role != "" {
		os.Exit(runProcessRole(role, os.Args[1:]))
	}
	// A copy of the test binary named pyti is the pyti program (the script tests).
	if filepath.Base(os.Args[0]) == "pyti" {
		os.Exit(Run())
	}
	os.Exit(m.Run())
}

// runProcessRole runs "worker" (the real worker command) or "master" (what pyti serve runs of
// the cluster: the store, startCluster and its mounts on an HTTP server) until SIGTERM.
func runProcessRole(role string, args []string) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	env := &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr, LookupEnv: func(string) (string, bool) { return "", false },
		Logger: slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))}
	fs := flag.NewFlagSet(role, flag.ContinueOnError)
	var run runFunc
	switch role {
	case "worker":
		run = workerCommand().setup(fs)
	case "master":
		run = testMasterSetup(fs)
	default:
		fmt.Fprintf(os.Stderr, "unknown role %q\n", role)
		return 2
	}
	if err := fs.Parse(args); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	if err := run(ctx, env, fs.Args()); err != nil {
		fmt.Fprintf(os.Stderr, "%s: %v\n", role, err)
		return 1
	}
	return 0
}

// testMasterSetup is serve's cluster part, as the lead wires it into serve.
func testMasterSetup(fs *flag.FlagSet) runFunc {
	co := registerClusterFlags(fs)
	dataDir := fs.String("data-dir", "", "")
	listen := fs.String("listen", "127.0.0.1:0", "")
	return func(ctx context.Context, env *Env, args []string) error {
		st, err := sqlite.Open(ctx, *dataDir)
		if err != nil {
			return err
		}
		defer st.Close()
		co.dataDir = *dataDir
		c, err := startCluster(ctx, env, st, *co)
		if err != nil {
			return err
		}
		mux := http.NewServeMux()
		for _, m := range c.Mounts {
			mux.Handle(m.Pattern, m.Handler)
		}
		ln, err := net.Listen("tcp", *listen)
		if err != nil {
			c.Stop()
			return err
		}
		srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		go func() { _ = srv.Serve(ln) }()
		fmt.Fprintf(env.Stdout, "master ready http://%s %s\n", ln.Addr(), c.NATSURL)
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
		c.Stop()
		return nil
	}
}

// proc is a child process of the test.
type proc struct {
	name string
	cmd  *exec.Cmd
	done chan struct{}
	mu   sync.Mutex
	out  strings.Builder
}

func (p *proc) output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// startProc runs the test binary in a role; its output is kept and shown when the test fails.
func startProc(t *testing.T, name, role string, args ...string) *proc {
	t.Helper()
	return startProcEnv(t, name, role, nil, args...)
}

// startProcEnv is startProc with more environment variables.
func startProcEnv(t *testing.T, name, role string, env []string, args ...string) *proc {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(self, args...)
	cmd.Env = append(append(os.Environ(), processRole+"="+role), env...)
	pr, pw := io.Pipe()
	cmd.Stdout, cmd.Stderr = pw, pw
	p := &proc{name: name, cmd: cmd, done: make(chan struct{})}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			p.mu.Lock()
			p.out.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
	}()
	go func() {
		_ = cmd.Wait()
		pw.Close()
		close(p.done)
	}()
	t.Cleanup(func() {
		p.kill(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			p.kill(syscall.SIGKILL)
			<-p.done
		}
		if t.Failed() {
			t.Logf("--- output of %s ---\n%s", p.name, tail(p.output(), 60))
		}
	})
	return p
}

func (p *proc) kill(sig syscall.Signal) {
	if p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// exampleIndex builds the example projects (cached across runs) with Debian's pip, setuptools,
// wheel, pytest and coverage into an index served on loopback.
func exampleIndex(t *testing.T, ctx context.Context, only ...string) string {
	t.Helper()
	dir := t.TempDir()
	_, err := localindex.Build(ctx, filepath.Join("..", "..", "testdata", "examples"), dir, nil,
		localindex.WithCacheDir(localindex.DefaultCacheDir()), localindex.WithOnly(only...), localindex.WithDebianWheels(""))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := debwheel.Build(ctx, dir, debwheel.TestTools); err != nil {
		t.Fatal(err)
	}
	srv, err := localindex.Start(dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv.SimpleURL()
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// testCluster is a master process and its worker processes.
type testCluster struct {
	t        *testing.T
	ctx      context.Context
	dataDir  string
	httpAddr string
	natsAddr string
	index    string
	master   *proc
	client   *commandClient
	// masterArgs are more flags of the master (--job-index, --max-attempts).
	masterArgs []string
	// tokenFile holds the enrollment token the workers read: never on their command line.
	tokenFile string
}

const (
	testCommandToken = "test-command-token"
	testWorkerToken  = "test-worker-token"
)

func newTestCluster(t *testing.T, ctx context.Context, index string, masterArgs ...string) *testCluster {
	c := &testCluster{t: t, ctx: ctx, dataDir: t.TempDir(), httpAddr: freeAddr(t), natsAddr: freeAddr(t), index: index, masterArgs: masterArgs}
	c.client = &commandClient{server: "http://" + c.httpAddr, token: testCommandToken, http: &http.Client{Timeout: 30 * time.Second}}
	c.tokenFile = filepath.Join(t.TempDir(), "worker.token")
	if err := os.WriteFile(c.tokenFile, []byte(testWorkerToken+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c.startMaster()
	return c
}

func (c *testCluster) startMaster() {
	args := []string{"--data-dir", c.dataDir, "--listen", c.httpAddr, "--nats-listen", c.natsAddr,
		"--workers", "0", "--token", testCommandToken, "--worker-token", testWorkerToken, "--lease", "8s", "--max-attempts", "3"}
	c.master = startProc(c.t, "master", "master", append(args, c.masterArgs...)...)
	waitFor(c.t, c.ctx, "the master", func() bool { return strings.Contains(c.master.output(), "master ready") })
}

func (c *testCluster) startWorker(name string) *proc {
	return c.startWorkerWith(name, nil)
}

// startWorkerWith starts a worker process with more environment variables.
func (c *testCluster) startWorkerWith(name string, env []string) *proc {
	work := c.t.TempDir()
	// A worker killed mid-job leaves the sandbox's workspace mounted; a new worker on that
	// directory would clean it, here the test does.
	c.t.Cleanup(func() {
		if err := worker.CleanWorkDir(work); err != nil {
			c.t.Errorf("cleaning %s: %v", work, err)
		}
	})
	return startProcEnv(c.t, name, "worker", env, "--server", "http://"+c.httpAddr, "--nats", "nats://"+c.natsAddr, "--worker-token-file", c.tokenFile,
		"--name", name, "--index-url", c.index, "--allow-private-index", "--no-trace", "--cache-dir", c.t.TempDir(),
		"--work-dir", work)
}

func (c *testCluster) submit(specs ...string) []store.Job {
	c.t.Helper()
	req := master.SubmitRequest{}
	for _, s := range specs {
		req.Jobs = append(req.Jobs, store.NewJob{Spec: s})
	}
	var resp master.SubmitResponse
	if err := c.client.call(c.ctx, "POST", "jobs", req, &resp); err != nil {
		c.t.Fatal(err)
	}
	return resp.Jobs
}

func (c *testCluster) detail(id string) (master.JobDetail, error) {
	var d master.JobDetail
	err := c.client.call(c.ctx, "GET", "jobs/"+id, nil, &d)
	return d, err
}

func (c *testCluster) workers() []master.WorkerInfo {
	var wr master.WorkersResponse
	if err := c.client.call(c.ctx, "GET", "workers", nil, &wr); err != nil {
		return nil
	}
	return wr.Workers
}

// waitDone waits until every job is terminal (tolerating a master that is away) and returns them.
// waitRunning waits until a worker (the one named name, or any when name is "") has been running
// a job for longer than after, and returns that job's id.
func (c *testCluster) waitRunning(what, name string, after time.Duration) string {
	c.t.Helper()
	var job string
	waitFor(c.t, c.ctx, what, func() bool {
		for _, w := range c.workers() {
			if (name == "" || w.Name == name) && w.Current != nil && time.Since(w.Current.Started) > after {
				job = w.Current.JobID
				return true
			}
		}
		return false
	})
	return job
}

func (c *testCluster) waitDone(jobs []store.Job) []master.JobDetail {
	c.t.Helper()
	out := make([]master.JobDetail, len(jobs))
	waitFor(c.t, c.ctx, "every job to finish", func() bool {
		for i, j := range jobs {
			d, err := c.detail(j.ID)
			if err != nil {
				return false
			}
			out[i] = d
			if !d.Job.State.Terminal() {
				return false
			}
		}
		return true
	})
	return out
}

// checkOneResultEach opens the master's store (after the master stopped) and checks that each
// job is done with exactly one stored report.
func (c *testCluster) checkOneResultEach(jobs []store.Job) {
	c.t.Helper()
	c.master.kill(syscall.SIGTERM)
	<-c.master.done
	st, err := sqlite.Open(c.ctx, c.dataDir)
	if err != nil {
		c.t.Fatal(err)
	}
	defer st.Close()
	page, err := st.Reports(c.ctx, store.ReportQuery{Limit: store.MaxLimit})
	if err != nil {
		c.t.Fatal(err)
	}
	perJob := map[string]int{}
	for _, r := range page.Reports {
		perJob[r.JobID]++
	}
	for _, j := range jobs {
		cur, err := st.Job(c.ctx, j.ID)
		if err != nil {
			c.t.Fatal(err)
		}
		if cur.State != store.JobDone || perJob[j.ID] != 1 || cur.Verdict == "" {
			c.t.Errorf("%s: state %s, verdict %q, %d reports; want done with one report (error %q)", j.Spec, cur.State, cur.Verdict, perJob[j.ID], cur.Error)
		}
	}
	if len(page.Reports) != len(jobs) {
		c.t.Errorf("%d reports stored for %d jobs", len(page.Reports), len(jobs))
	}
}

func requireSandbox(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs real analyses in worker processes")
	}
	for _, tool := range []string{"bwrap", "strace"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
}

var exampleSpecs = []string{"pyti-example-pure", "pyti-example-failing", "pyti-example-unittest"}

// TestClusterProcessesWorkerKilled runs a master and two worker processes on three example
// projects; one worker is killed with SIGKILL in the middle of a job. Every job ends with one
// result, the killed worker's job on the other worker.
func TestClusterProcessesWorkerKilled(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c := newTestCluster(t, ctx, exampleIndex(t, ctx, "pure", "failing", "unittest"))
	victim := c.startWorker("victim")
	c.startWorker("survivor")
	jobs := c.submit(exampleSpecs...)

	// Kill the victim once it has been running a job for a few seconds (mid-analysis).
	killedJob := c.waitRunning("the victim to run a job", "victim", 3*time.Second)
	victim.kill(syscall.SIGKILL)
	<-victim.done

	details := c.waitDone(jobs)
	for _, d := range details {
		if d.Job.ID != killedJob {
			continue
		}
		last := d.Attempts[len(d.Attempts)-1]
		if d.Attempts[0].Worker != "victim" || d.Attempts[0].State != store.AttemptFailed || last.Worker != "survivor" || last.State != store.AttemptDone {
			t.Errorf("the killed job's attempts: %+v", d.Attempts)
		}
	}
	if killedJob == "" {
		t.Fatal("no job was killed")
	}
	c.checkOneResultEach(jobs)
}

// TestClusterProcessesMasterRestarted kills the master (SIGKILL) while workers run jobs and starts
// it again on the same data directory: no job is lost and none has two results.
func TestClusterProcessesMasterRestarted(t *testing.T) {
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	c := newTestCluster(t, ctx, exampleIndex(t, ctx, "pure", "failing", "unittest"))
	c.startWorker("w1")
	c.startWorker("w2")
	jobs := c.submit(exampleSpecs...)
	c.waitRunning("a job to run", "", 3*time.Second)
	c.master.kill(syscall.SIGKILL)
	<-c.master.done
	time.Sleep(2 * time.Second) // the workers notice: heartbeats and NATS fail for a while
	c.startMaster()
	c.waitDone(jobs)
	c.checkOneResultEach(jobs)
}

// TestClusterThroughput measures jobs per minute with one and with two worker processes, and the
// dispatch overhead (submission to the start of the attempt) against the analyses' own run time.
// It runs only with PYTI_CLUSTER_BENCH=1 and reports through t.Log; it asserts no timing.
func TestClusterThroughput(t *testing.T) {
	if os.Getenv("PYTI_CLUSTER_BENCH") == "" {
		t.Skip("set PYTI_CLUSTER_BENCH=1 to measure the cluster's throughput")
	}
	requireSandbox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	index := exampleIndex(t, ctx, "pure", "failing", "unittest", "doctests")
	specs := []string{"pyti-example-pure", "pyti-example-failing", "pyti-example-unittest", "pyti-example-doctests"}
	for _, workers := range []int{1, 2} {
		c := newTestCluster(t, ctx, index)
		var procs []*proc
		for i := range workers {
			procs = append(procs, c.startWorker(fmt.Sprintf("bench%d", i+1)))
		}
		waitFor(t, ctx, "the workers to register", func() bool { return len(c.workers()) == workers })
		start := time.Now()
		jobs := c.submit(specs...)
		details := c.waitDone(jobs)
		elapsed := time.Since(start)
		var dispatch, run []time.Duration
		for _, d := range details {
			a := d.Attempts[len(d.Attempts)-1]
			run = append(run, a.FinishedAt.Sub(a.StartedAt))
			dispatch = append(dispatch, a.StartedAt.Sub(d.Job.CreatedAt))
		}
		t.Logf("%d worker(s): %d jobs in %s = %.2f jobs/min; run time per job %v; submit-to-start %v (the first %d started at once, the rest waited for a free worker)",
			workers, len(jobs), elapsed.Round(time.Second), float64(len(jobs))/elapsed.Minutes(), run, dispatch, workers)
		for _, p := range append(procs, c.master) {
			p.kill(syscall.SIGTERM)
			<-p.done
		}
	}
}
