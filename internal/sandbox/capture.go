package sandbox

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// ring keeps the last cap bytes written to it.
type ring struct {
	cap int
	buf []byte
	pos int // next write position once len(buf) == cap
}

func (r *ring) write(p []byte) {
	if r.cap <= 0 {
		return
	}
	if len(p) >= r.cap {
		r.buf = append(r.buf[:0], p[len(p)-r.cap:]...)
		r.pos = 0
		return
	}
	if len(r.buf) < r.cap {
		k := min(r.cap-len(r.buf), len(p))
		r.buf = append(r.buf, p[:k]...)
		p = p[k:]
	}
	for len(p) > 0 {
		c := copy(r.buf[r.pos:], p)
		p = p[c:]
		r.pos = (r.pos + c) % r.cap
	}
}

func (r *ring) bytes() []byte {
	out := make([]byte, 0, len(r.buf))
	out = append(out, r.buf[r.pos:]...)
	return append(out, r.buf[:r.pos]...)
}

// HeadTail keeps the first and the last bytes written to it, up to a total of its limit (half
// head, half tail), and counts what it dropped in between. It is safe for concurrent use.
type HeadTail struct {
	mu      sync.Mutex
	headCap int
	head    []byte
	tail    ring
	total   int64
}

// NewHeadTail returns a HeadTail keeping at most limit bytes.
func NewHeadTail(limit int64) *HeadTail {
	if limit < 2 {
		limit = 2
	}
	return &HeadTail{headCap: int(limit / 2), tail: ring{cap: int(limit - limit/2)}}
}

// Write implements io.Writer; it never fails.
func (h *HeadTail) Write(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := len(p)
	h.total += int64(n)
	if room := h.headCap - len(h.head); room > 0 {
		k := min(len(p), room)
		h.head = append(h.head, p[:k]...)
		p = p[k:]
	}
	h.tail.write(p)
	return n, nil
}

// Bytes returns the head followed by the tail (without the dropped middle).
func (h *HeadTail) Bytes() []byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append(append([]byte(nil), h.head...), h.tail.bytes()...)
}

// Dropped is the number of bytes written but not kept.
func (h *HeadTail) Dropped() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.total - int64(len(h.head)) - int64(len(h.tail.buf))
}

// CappedFile copies r into a new file at path keeping at most limit bytes: the head as it
// arrives and the tail at the end, both cut at line boundaries so that a line-oriented reader
// never sees half a line. It returns the number of bytes it dropped.
func CappedFile(path string, r io.Reader, limit int64) (dropped int64, err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return 0, fmt.Errorf("capped file: %w", err)
	}
	defer func() {
		if cerr := f.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("capped file: %w", cerr)
		}
	}()
	headCap := limit / 2
	tail := ring{cap: int(limit - headCap)}
	var written, total, tailSeen int64
	headDone := false
	buf := make([]byte, 64<<10)
	for {
		n, rerr := r.Read(buf)
		p := buf[:n]
		total += int64(n)
		if !headDone && len(p) > 0 {
			if room := headCap - written; int64(len(p)) <= room {
				if _, err := f.Write(p); err != nil {
					return 0, fmt.Errorf("capped file: %w", err)
				}
				written += int64(len(p))
				p = nil
			} else {
				cut := p[:room]
				if i := bytes.LastIndexByte(cut, '\n'); i >= 0 {
					cut = cut[:i+1]
				} else {
					cut = nil
				}
				if _, err := f.Write(cut); err != nil {
					return 0, fmt.Errorf("capped file: %w", err)
				}
				written += int64(len(cut))
				p = p[len(cut):]
				headDone = true
			}
		}
		if len(p) > 0 {
			tail.write(p)
			tailSeen += int64(len(p))
		}
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return 0, fmt.Errorf("capped file read: %w", rerr)
		}
	}
	t := tail.bytes()
	if tailSeen > int64(len(t)) { // the tail starts mid-line: skip to the next line
		if i := bytes.IndexByte(t, '\n'); i >= 0 {
			t = t[i+1:]
		} else {
			t = nil
		}
	}
	if _, err := f.Write(t); err != nil {
		return 0, fmt.Errorf("capped file: %w", err)
	}
	written += int64(len(t))
	return total - written, nil
}

// tracePipeBytes is the trace pipe's capacity (the most an unprivileged process may set by
// default, /proc/sys/fs/pipe-max-size): room for the lines written while batchedPipe sleeps.
const tracePipeBytes = 1 << 20

// batchPause is how long batchedPipe lets lines gather after a read that did not fill its buffer.
const batchPause = 5 * time.Millisecond

// batchedPipe reads a pipe in batches. strace flushes every line it writes, and a reader
// waiting in the kernel is woken, often on another CPU, for each one: in a virtual machine that
// interprocessor wake-up costs more than the line. batchedPipe reads with a blocking read of its
// own (outside Go's poller) and, after a read that did not fill its buffer, sleeps a moment;
// meanwhile nobody waits on the pipe, the writer wakes no one, and the lines gather in the
// (enlarged) pipe. A full pipe only makes the writer wait for the next read.
type batchedPipe struct {
	fd    int
	pause time.Duration
	short bool // the last read did not fill its buffer
	keep  *os.File
}

// newBatchedPipe reads f, the read end of a pipe, in batches. f stays open as long as the
// reader is used and is closed by its owner.
func newBatchedPipe(f *os.File) io.Reader {
	fd := int(f.Fd()) // Fd puts f in blocking mode: reads no longer go through the poller
	_, _ = unix.FcntlInt(uintptr(fd), unix.F_SETPIPE_SZ, tracePipeBytes)
	return &batchedPipe{fd: fd, pause: batchPause, keep: f}
}

func (b *batchedPipe) Read(p []byte) (int, error) {
	if b.short {
		time.Sleep(b.pause)
	}
	for {
		n, err := unix.Read(b.fd, p)
		if err == unix.EINTR {
			continue
		}
		runtime.KeepAlive(b.keep)
		if err != nil {
			return 0, fmt.Errorf("reading the trace pipe: %w", err)
		}
		if n == 0 {
			return 0, io.EOF
		}
		b.short = n < len(p)
		return n, nil
	}
}
