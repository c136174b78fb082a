package benchmark

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Index is a running `pyti index serve --examples` process.
type Index struct {
	URL     string // the simple index URL on loopback
	Dir     string // the directory of distribution files it serves
	Command string // the exact command line
	cmd     *exec.Cmd
	done    chan error
	once    sync.Once
}

// StartIndex builds the example projects into dir and serves them on loopback with
// `pyti index serve`, waiting (up to 15 minutes: the first build of the examples is slow) until
// it writes its URL. Without examples it serves what dir holds (with the test tools and Debian's
// wheels, which pyti index serve adds). The index writes its URL to state.url and its log to
// state.log.
func StartIndex(ctx context.Context, pyti, examples, dir, state string) (*Index, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	urlFile := state + ".url"
	if err := os.Remove(urlFile); err != nil && !os.IsNotExist(err) {
		return nil, err
	}
	logPath := state + ".log"
	log, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer log.Close()
	args := []string{pyti, "index", "serve", "--url-file", urlFile, dir}
	if examples != "" {
		args = []string{pyti, "index", "serve", "--examples", examples, "--url-file", urlFile, dir}
	}
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %w", pyti, err)
	}
	idx := &Index{Dir: dir, Command: strings.Join(args, " "), cmd: cmd, done: make(chan error, 1)}
	go func() { idx.done <- cmd.Wait() }()
	limit := time.After(15 * time.Minute)
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			idx.Close()
			return nil, ctx.Err()
		case err := <-idx.done:
			out, _ := os.ReadFile(logPath)
			return nil, fmt.Errorf("the index exited before serving (%v): %s", err, tailOf(out))
		case <-limit:
			idx.Close()
			return nil, fmt.Errorf("the index did not start within 15 minutes (log: %s)", logPath)
		case <-tick.C:
			data, err := os.ReadFile(urlFile)
			if err == nil && strings.HasSuffix(string(data), "\n") {
				idx.URL = strings.TrimSpace(string(data))
				return idx, nil
			}
		}
	}
}

// Close stops the index and waits for it.
func (i *Index) Close() {
	i.once.Do(func() {
		_ = i.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-i.done:
		case <-time.After(10 * time.Second):
			_ = i.cmd.Process.Kill()
			<-i.done
		}
	})
}
