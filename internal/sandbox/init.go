package sandbox

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// maxDNSRecords bounds the queries the init reports; the rest are only counted.
const maxDNSRecords = 10000

// reporter writes JSON lines on the report channel. Only the init holds it.
type reporter struct {
	mu              sync.Mutex
	f               *os.File
	dns             int
	dropped         int64
	contacts        int
	contactsDropped int64
	ioctls          int
	ioctlsDropped   int64
}

func (r *reporter) send(rep report) {
	b, err := json.Marshal(rep)
	if err != nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	_, _ = r.f.Write(append(b, '\n'))
}

// admit counts one more record of a kind bounded at max (n records kept so far), or one more
// dropped past the bound; only an admitted record is sent.
func (r *reporter) admit(n *int, dropped *int64, max int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if *n >= max {
		*dropped++
		return false
	}
	*n++
	return true
}

func (r *reporter) query(q DNSQuery) {
	if r.admit(&r.dns, &r.dropped, maxDNSRecords) {
		r.send(report{DNS: &q})
	}
}

func (r *reporter) contact(c Contact) {
	if r.admit(&r.contacts, &r.contactsDropped, maxContacts) {
		r.send(report{Contact: &c})
	}
}

func (r *reporter) ioctl(c IoctlCall) {
	if r.admit(&r.ioctls, &r.ioctlsDropped, maxIoctlRecords) {
		r.send(report{Ioctl: &c})
	}
}

// dropContact counts a contact that could not be served.
func (r *reporter) dropContact() {
	r.mu.Lock()
	r.contactsDropped++
	r.mu.Unlock()
}

// runInit runs inside the sandbox as its PID 1. It hides the report channel from everything it
// starts, serves the resolver and the index bridge, writes the decoys, runs the user's command
// with no capabilities and the rlimits, reaps orphans, and reports the command's exit status.
func runInit() int {
	rep := &reporter{f: os.NewFile(fdReport, "report")}
	fail := func(err error) int {
		rep.send(report{Error: "init: " + err.Error()})
		return 125
	}
	// Nothing the user starts may inherit the trace pipe or the report channel, or read them
	// through /proc/1/fd: close the first, mark every fd close-on-exec, be non-dumpable.
	_ = unix.Close(fdTrace)
	if err := cloexecAll(); err != nil {
		return fail(err)
	}
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return fail(fmt.Errorf("prctl dumpable: %w", err))
	}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fail(fmt.Errorf("prctl no_new_privs: %w", err))
	}
	_ = unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
	if err := noCapabilities(); err != nil {
		return fail(err)
	}
	// As PID 1 only signals we handle reach us: take the catchable ones and drop them, so the
	// user's code cannot end the init (SIGKILL from inside the namespace never reaches PID 1).
	sigs := make(chan os.Signal, 16)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT,
		syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGPIPE, syscall.SIGALRM, syscall.SIGTSTP,
		syscall.SIGTTIN, syscall.SIGTTOU)
	go func() {
		for range sigs {
		}
	}()
	var cfg InitConfig
	if err := decodeConfig(&cfg); err != nil {
		return fail(err)
	}
	if len(cfg.Argv) == 0 {
		return fail(errors.New("empty command"))
	}
	if cfg.Decoys {
		if err := writeDecoys("/"); err != nil {
			return fail(err)
		}
	}
	var pool *addrPool
	if cfg.Sinkhole {
		host, _ := os.Hostname()
		pool = newAddrPool(host)
		if err := serveSinkhole(rep, pool); err != nil {
			return fail(err)
		}
	}
	if cfg.DNS {
		if err := serveDNS(rep, pool); err != nil {
			return fail(err)
		}
	}
	if cfg.IndexPort > 0 {
		if err := serveBridge(cfg.IndexSocket); err != nil {
			return fail(err)
		}
	}
	if err := setLimits(cfg); err != nil {
		return fail(err)
	}
	if cfg.WatchIoctls {
		if err := watchIoctls(rep); err != nil {
			return fail(err)
		}
	}
	path, err := lookPath(cfg.Argv[0], cfg.Env)
	if err != nil {
		// Like a shell: the command not being there is the command's failure, code 127.
		fmt.Fprintf(os.Stderr, "pyti sandbox: %v\n", err)
		rep.send(report{Exit: &exitReport{Code: 127, At: time.Now()}})
		return 127
	}
	dir := cfg.Dir
	if dir == "" {
		dir = "/"
	}
	pid, err := syscall.ForkExec(path, cfg.Argv, &syscall.ProcAttr{
		Dir: dir, Env: cfg.Env, Files: []uintptr{0, 1, 2},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pyti sandbox: start %s: %v\n", cfg.Argv[0], err)
		code := 126
		rep.send(report{Exit: &exitReport{Code: code, At: time.Now()}})
		return code
	}
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(-1, &ws, 0, nil)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fail(fmt.Errorf("wait: %w", err))
		}
		if got != pid {
			continue // an orphan reparented to us
		}
		ex := &exitReport{Code: ws.ExitStatus(), At: time.Now()}
		if ws.Signaled() {
			ex.Code = 128 + int(ws.Signal())
			ex.Signal = int(ws.Signal())
		}
		for _, p := range cfg.StatPaths {
			if isFull(p) {
				ex.Full = append(ex.Full, p)
			}
		}
		rep.mu.Lock()
		dropped, cdropped, idropped := rep.dropped, rep.contactsDropped, rep.ioctlsDropped
		rep.mu.Unlock()
		if idropped > 0 {
			rep.send(report{IoctlsDropped: idropped})
		}
		if dropped > 0 {
			rep.send(report{DNSDropped: dropped})
		}
		if cdropped > 0 {
			rep.send(report{ContactsDropped: cdropped})
		}
		rep.send(report{Exit: ex})
		return ex.Code
	}
}

// cloexecAll marks every open fd above stderr close-on-exec.
func cloexecAll() error {
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return fmt.Errorf("list fds: %w", err)
	}
	for _, e := range ents {
		fd, err := strconv.Atoi(e.Name())
		if err != nil || fd <= 2 {
			continue
		}
		unix.CloseOnExec(fd)
	}
	return nil
}

// noCapabilities fails unless the effective, permitted and ambient sets are empty.
func noCapabilities() error {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return fmt.Errorf("capabilities: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		for _, k := range []string{"CapEff:", "CapPrm:", "CapAmb:"} {
			if v, ok := strings.CutPrefix(line, k); ok && strings.Trim(strings.TrimSpace(v), "0") != "" {
				return fmt.Errorf("init still holds capabilities: %s", line)
			}
		}
	}
	return nil
}

func setLimits(cfg InitConfig) error {
	set := func(res int, v uint64, name string) error {
		// syscall.Setrlimit, not unix's: it tells ForkExec not to restore Go's startup NOFILE.
		if err := syscall.Setrlimit(res, &syscall.Rlimit{Cur: v, Max: v}); err != nil {
			return fmt.Errorf("setrlimit %s: %w", name, err)
		}
		return nil
	}
	if err := set(unix.RLIMIT_CORE, 0, "core"); err != nil {
		return err
	}
	if cfg.FileSize > 0 {
		if err := set(unix.RLIMIT_FSIZE, uint64(cfg.FileSize), "fsize"); err != nil {
			return err
		}
	}
	if cfg.OpenFiles > 0 {
		if err := set(unix.RLIMIT_NOFILE, uint64(cfg.OpenFiles), "nofile"); err != nil {
			return err
		}
	}
	return nil
}

// lookPath finds argv0 in the PATH of env.
func lookPath(argv0 string, env []string) (string, error) {
	if strings.Contains(argv0, "/") {
		return argv0, nil
	}
	path := ""
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "PATH="); ok {
			path = v
		}
	}
	for _, dir := range filepath.SplitList(path) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, argv0)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && st.Mode()&0o111 != 0 {
			return p, nil
		}
	}
	return "", fmt.Errorf("%s: command not found", argv0)
}

// isFull says whether the filesystem holding p has no room left for a block.
func isFull(p string) bool {
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return false
	}
	return st.Blocks > 0 && st.Bavail == 0
}

// serveDNS answers every query on the pre-bound 127.0.0.1:53 sockets and reports it: with a
// sinkhole address from pool, or NXDOMAIN when pool is nil.
func serveDNS(rep *reporter, pool *addrPool) error {
	var addr func(string) netip.Addr
	if pool != nil {
		addr = pool.addr
	}
	pc, err := net.FilePacketConn(os.NewFile(fdDNSUDP, "dns-udp"))
	if err != nil {
		return fmt.Errorf("dns udp: %w", err)
	}
	ln, err := net.FileListener(os.NewFile(fdDNSTCP, "dns-tcp"))
	if err != nil {
		return fmt.Errorf("dns tcp: %w", err)
	}
	go func() {
		buf := make([]byte, 65535)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			resp, name, qt, ans, err := answerQuery(buf[:n], addr)
			if err == nil {
				rep.query(DNSQuery{Name: name, Type: qt, Answer: ans, Transport: "udp", Time: time.Now().UTC()})
			}
			if resp != nil {
				_, _ = pc.WriteTo(resp, from)
			}
		}
	}()
	go acceptLoop(ln, func(c net.Conn) { serveDNSConn(c, rep, addr) }, nil)
	return nil
}

// acceptLoop serves connections, at most 64 at a time; one past that is closed at once and,
// when dropped is not nil, counted by it.
func acceptLoop(ln net.Listener, serve func(net.Conn), dropped func()) {
	slots := make(chan struct{}, 64)
	for {
		c, err := ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			return
		}
		select {
		case slots <- struct{}{}:
			go func() {
				defer func() { <-slots }()
				serve(c)
			}()
		default:
			c.Close()
			if dropped != nil {
				dropped()
			}
		}
	}
}

func serveDNSConn(c net.Conn, rep *reporter, addr func(string) netip.Addr) {
	defer c.Close()
	r := bufio.NewReader(c)
	for {
		_ = c.SetDeadline(time.Now().Add(10 * time.Second))
		var n uint16
		if err := binary.Read(r, binary.BigEndian, &n); err != nil {
			return
		}
		msg := make([]byte, n)
		if _, err := io.ReadFull(r, msg); err != nil {
			return
		}
		resp, name, qt, ans, err := answerQuery(msg, addr)
		if err == nil {
			rep.query(DNSQuery{Name: name, Type: qt, Answer: ans, Transport: "tcp", Time: time.Now().UTC()})
		}
		if resp == nil {
			return
		}
		out := binary.BigEndian.AppendUint16(nil, uint16(len(resp)))
		if _, err := c.Write(append(out, resp...)); err != nil {
			return
		}
	}
}

// serveBridge forwards connections to 127.0.0.1:IndexPort to the index proxy's unix socket.
func serveBridge(sock string) error {
	ln, err := net.FileListener(os.NewFile(fdIndex, "index"))
	if err != nil {
		return fmt.Errorf("index bridge: %w", err)
	}
	go acceptLoop(ln, func(c net.Conn) { RelayToUnix(c, sock) }, nil)
	return nil
}

// copyPlain copies src to dst with read and write through a buffer of its own. io.Copy between
// a TCP and a unix socket takes Go's splice(2) path (TCPConn.ReadFrom / WriteTo), which gVisor's
// sentry gets wrong between its netstack and a host unix socket: a transfer of more than a few
// hundred kilobytes arrived with bytes in the wrong place, a different sha256 on every try.
func copyPlain(dst io.Writer, src io.Reader) (int64, error) {
	return io.CopyBuffer(struct{ io.Writer }{dst}, struct{ io.Reader }{src}, make([]byte, 64<<10))
}

// RelayToUnix copies a connection both ways to the unix socket sock until both sides are done,
// then closes both. The index bridge of every backend is made of it.
func RelayToUnix(c net.Conn, sock string) {
	defer c.Close()
	up, err := net.Dial("unix", sock)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = copyPlain(dst, src)
		if cw, ok := dst.(interface{ CloseWrite() error }); ok {
			_ = cw.CloseWrite()
		}
		done <- struct{}{}
	}
	go pipe(up, c)
	go pipe(c, up)
	<-done
	<-done
}
