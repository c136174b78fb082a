package master_test

import (
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pyti/pyti/internal/queue"
	"github.com/pyti/pyti/internal/report"
	"github.com/pyti/pyti/internal/store"
)

// startCluster starts nodes NATS servers routed to each other and returns them with their client
// URLs. Every server needs every route port before any starts, so the ports are chosen free and
// then opened; another process may take one in between (an outgoing connection's port), and then
// the cluster is started again on new ports.
func startCluster(t *testing.T, nodes int) ([]*queue.Server, []string) {
	t.Helper()
	var err error
	for range 5 {
		clientPorts := make([]int, nodes)
		routePorts := make([]int, nodes)
		for i := range nodes {
			clientPorts[i], routePorts[i] = freePort(t), freePort(t)
		}
		var routes, urls []string
		for i := range nodes {
			routes = append(routes, fmt.Sprintf("nats://127.0.0.1:%d", routePorts[i]))
			urls = append(urls, fmt.Sprintf("nats://127.0.0.1:%d", clientPorts[i]))
		}
		servers := make([]*queue.Server, nodes)
		errs := make(chan error, nodes)
		for i := range nodes {
			go func() {
				s, err := queue.StartServer(queue.ServerConfig{Dir: t.TempDir(), Port: clientPorts[i], Name: fmt.Sprintf("n%d", i+1),
					ClusterName: "pyti-test", ClusterPort: routePorts[i], Routes: routes, StartTimeout: time.Minute})
				servers[i] = s
				errs <- err
			}()
		}
		err = nil
		for range nodes {
			if e := <-errs; e != nil && err == nil {
				err = e
			}
		}
		if err == nil {
			return servers, urls
		}
		for _, s := range servers {
			if s != nil {
				s.Shutdown()
			}
		}
		if !strings.Contains(err.Error(), "address already in use") {
			break
		}
		t.Logf("starting the cluster again on new ports: %v", err)
	}
	t.Fatal(err)
	return nil, nil
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// TestThreeNodeClusterLosesANode runs the job stream replicated on three embedded NATS servers
// joined by routes on loopback, stops one of them mid-run, and checks that every job still ends
// with one result.
func TestThreeNodeClusterLosesANode(t *testing.T) {
	const nodes = 3
	servers, urls := startCluster(t, nodes)
	stopped := make([]bool, nodes)
	t.Cleanup(func() {
		for i, s := range servers {
			if !stopped[i] {
				s.Shutdown()
			}
		}
	})
	h := newHarness(t, harnessOptions{natsURL: strings.Join(urls, ","), replicas: 3, lease: 3 * time.Second})
	h.startWorker("w1", fakeAnalysis(report.VerdictPassed, 100*time.Millisecond))
	h.startWorker("w2", fakeAnalysis(report.VerdictPassed, 100*time.Millisecond))

	var specs []string
	for i := range 6 {
		specs = append(specs, fmt.Sprintf("before%d==1", i))
	}
	first := h.submit(specs...)
	// Stop a node once some jobs are done and others are still waiting.
	for {
		n, err := h.st.CountJobs(h.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n[store.JobDone] >= 2 {
			break
		}
		select {
		case <-h.ctx.Done():
			t.Fatal("no job finished before the node stop")
		case <-time.After(20 * time.Millisecond):
		}
	}
	servers[0].Shutdown()
	stopped[0] = true
	specs = specs[:0]
	for i := range 6 {
		specs = append(specs, fmt.Sprintf("after%d==1", i))
	}
	second := h.submit(specs...)
	for _, j := range h.waitTerminal(append(first, second...)) {
		if diff := cmp.Diff(outcome{store.JobDone, report.VerdictPassed, j.Attempts, 1}, h.outcome(j)); diff != "" {
			t.Errorf("%s (-want +got):\n%s", j.Spec, diff)
		}
	}
}
