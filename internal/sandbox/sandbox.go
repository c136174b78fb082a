package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pyti/pyti/internal/jobfs"

	"github.com/pyti/pyti/internal/trace"
)

// Backend runs one command in isolation. Implementations must pass sandboxtest.Conformance.
type Backend interface {
	// Name is a short stable name ("bwrap", "runsc").
	Name() string
	// Check reports what is missing on this machine to use the backend, e.g.
	// "bwrap not found: apt-get install bubblewrap". nil means ready.
	Check() error
	// Run runs spec. An error means PYTI itself could not run the sandbox (an infrastructure
	// failure); whatever the untrusted code did is described by Result.Outcome.
	//
	// Run owns the limit defaults: it completes spec.Limits with Limits.WithDefaults once, first,
	// and everything it hands them to (its argument builder, Supervise) takes them complete
	// (Limits.Complete) and applies no default of its own. Result.Limits are those complete
	// limits.
	Run(ctx context.Context, spec Spec) (*Result, error)
}

// ImageRunner is implemented by the backends that can run a Spec on an image (Spec.Image).
type ImageRunner interface {
	RunsImages() bool
}

// RunsImages reports whether b can run a Spec on an image.
func RunsImages(b Backend) bool {
	r, ok := b.(ImageRunner)
	return ok && r.RunsImages()
}

// WorkPath is where Spec.WorkDir appears inside the sandbox.
const WorkPath = "/work"

// InitSetup is the trace.Setup of a backend that starts the command through PYTI's init
// (InitPath), itself started through loader when that is not empty (see LoaderFor): every
// process the init creates is the job, everything before it the sandbox's own.
func InitSetup(loader string) *trace.Setup {
	s := &trace.Setup{Init: []string{InitPath}}
	if loader != "" {
		s.Init = append(s.Init, loader)
	}
	return s
}

// ErrInfrastructure marks errors that come from PYTI or the machine, never from the untrusted code.
var ErrInfrastructure = errors.New("sandbox infrastructure failure")

// Bind is a host path made visible inside the sandbox read-only.
type Bind struct {
	Src string `json:"src"` // host path
	Dst string `json:"dst"` // path inside the sandbox; Src when empty
}

// Spec describes one sandboxed run.
type Spec struct {
	// Argv is the command; Argv[0] is looked up in the sandbox's PATH when it has no slash.
	Argv []string
	// Env adds KEY=VALUE entries to the clean environment (they override the defaults).
	Env []string
	// Dir is the working directory inside the sandbox; WorkPath when WorkDir is set, else Home.
	Dir string
	// WorkDir is the job's host directory, bound read-write at WorkPath inside.
	WorkDir string
	// ReadOnly are extra read-only binds (e.g. a wheelhouse).
	ReadOnly []Bind
	// Over are read-write binds mounted after WorkDir, each showing its Src, a directory below
	// WorkDir, in place of one inside the work directory (its Dst, under WorkPath): a run that
	// must see a copy while other runs change the original (the import check's copy of an
	// environment the tests change beside it). The backend opens Src without following any
	// link below WorkDir (jobfs.OpenDir), so that another run changing the work space cannot
	// redirect the bind to a host directory.
	Over []Bind
	// Image, when set, is the host path of a root file system (a PYTI image, see internal/image)
	// whose system directories (/usr, /etc and the /bin, /sbin, /lib* links) the run sees instead
	// of the host's, read-only, with the same secret masking; empty means the host's own system.
	// No write into them can succeed, so no run changes what the next one sees (see
	// SystemRoot, InRoot and LoaderFor in image.go).
	Image string
	// Limits bound the run; the zero value of a field means DefaultLimits' value (filled in by
	// the backend's Run, see Backend).
	Limits Limits
	// Trace runs strace outside the sandbox; the capped trace goes to TracePath (a file in
	// os.TempDir when empty).
	Trace     bool
	TracePath string
	// IndexSocket, when set, is a host unix socket reachable inside at 127.0.0.1:IndexPort.
	IndexSocket string
	IndexPort   int
	// Stdout and Stderr, when set, receive live copies of the (uncapped) output.
	Stdout io.Writer
	Stderr io.Writer
}

// CheckOver refuses an Over bind whose Dst is not an absolute path under WorkPath, or any Over
// bind without a WorkDir.
func (s Spec) CheckOver() error {
	for _, o := range s.Over {
		if s.WorkDir == "" {
			return errors.New("sandbox: an Over bind needs a WorkDir")
		}
		if d := filepath.Clean(o.Dst); !filepath.IsAbs(o.Dst) || !strings.HasPrefix(d, WorkPath+"/") {
			return fmt.Errorf("sandbox: Over bind %q -> %q: the destination must lie under %s", o.Src, o.Dst, WorkPath)
		}
	}
	return nil
}

// OpenOver opens the source of each Over bind below WorkDir without following a link (see Over);
// the caller closes them.
func (s Spec) OpenOver() ([]*os.File, error) {
	if err := s.CheckOver(); err != nil {
		return nil, err
	}
	var out []*os.File
	for _, o := range s.Over {
		f, err := jobfs.OpenDir(s.WorkDir, o.Src)
		if err != nil {
			for _, g := range out {
				g.Close()
			}
			return nil, fmt.Errorf("sandbox: Over bind %s: %w", o.Src, err)
		}
		out = append(out, f)
	}
	return out, nil
}

// Limits are enforced from outside the sandbox.
type Limits struct {
	Wall          time.Duration `json:"wall"`            // wall clock
	NoOutput      time.Duration `json:"no_output"`       // no byte on stdout/stderr for this long
	MemoryBytes   int64         `json:"memory_bytes"`    // cgroup memory limit
	Pids          int           `json:"pids"`            // cgroup pids limit
	FileSizeBytes int64         `json:"file_size_bytes"` // RLIMIT_FSIZE
	OpenFiles     int           `json:"open_files"`      // RLIMIT_NOFILE
	TmpBytes      int64         `json:"tmp_bytes"`       // size of the /tmp tmpfs (and of HOME)
	OutputBytes   int64         `json:"output_bytes"`    // kept per stream, head + tail
	TraceBytes    int64         `json:"trace_bytes"`     // kept of the trace, head + tail
	// CPU is the CPU time the run's processes may use together (its cgroup's), none when zero:
	// unlike the wall clock, a loaded machine does not use it up (pylint at a low priority, on
	// two CPUs at a load of 15, used 20 s of CPU in its 10 minutes).
	CPU time.Duration `json:"cpu,omitempty"`
}

// DefaultLimits are the limits used for every field a Spec leaves zero.
func DefaultLimits() Limits {
	return Limits{
		Wall:          30 * time.Minute,
		NoOutput:      5 * time.Minute,
		MemoryBytes:   4 << 30,
		Pids:          1024, // a test suite with a process pool and its tools, as analyses run them
		FileSizeBytes: 2 << 30,
		OpenFiles:     4096,
		TmpBytes:      1 << 30,
		OutputBytes:   4 << 20,
		TraceBytes:    256 << 20,
	}
}

// WithDefaults returns l with every zero (or negative) field replaced by its default. A backend's
// Run calls it once per run (see Backend); nothing below Run calls it again.
func (l Limits) WithDefaults() Limits {
	d := DefaultLimits()
	if l.Wall <= 0 {
		l.Wall = d.Wall
	}
	if l.NoOutput <= 0 {
		l.NoOutput = d.NoOutput
	}
	if l.MemoryBytes <= 0 {
		l.MemoryBytes = d.MemoryBytes
	}
	if l.Pids <= 0 {
		l.Pids = d.Pids
	}
	if l.FileSizeBytes <= 0 {
		l.FileSizeBytes = d.FileSizeBytes
	}
	if l.OpenFiles <= 0 {
		l.OpenFiles = d.OpenFiles
	}
	if l.TmpBytes <= 0 {
		l.TmpBytes = d.TmpBytes
	}
	if l.OutputBytes <= 0 {
		l.OutputBytes = d.OutputBytes
	}
	if l.TraceBytes <= 0 {
		l.TraceBytes = d.TraceBytes
	}
	return l
}

// Complete returns an error naming every field of l that is zero or negative, nil when l is
// complete. The parts of a backend that read the limits (bwrap.Args, runsc.Config, Supervise)
// take them complete: a zero there is a caller that skipped the backend's Run, not a default.
func (l Limits) Complete() error {
	var missing []string
	for _, f := range []struct {
		name string
		set  bool
	}{
		{"wall", l.Wall > 0},
		{"no_output", l.NoOutput > 0},
		{"memory_bytes", l.MemoryBytes > 0},
		{"pids", l.Pids > 0},
		{"file_size_bytes", l.FileSizeBytes > 0},
		{"open_files", l.OpenFiles > 0},
		{"tmp_bytes", l.TmpBytes > 0},
		{"output_bytes", l.OutputBytes > 0},
		{"trace_bytes", l.TraceBytes > 0},
	} {
		if !f.set {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: limits not complete (no default applied): %s", ErrInfrastructure, strings.Join(missing, ", "))
	}
	return nil
}

// Outcome names how a run ended.
type Outcome string

// The outcomes of a run.
const (
	OutcomeOK              Outcome = "ok"
	OutcomeExit            Outcome = "exit"
	OutcomeTimeout         Outcome = "timeout"
	OutcomeNoOutputTimeout Outcome = "no-output-timeout"
	OutcomeOOM             Outcome = "oom"
	OutcomePids            Outcome = "pids"
	OutcomeNoSpace         Outcome = "no-space"
	OutcomeKilled          Outcome = "killed"
)

// DNSQuery is one query PYTI's resolver inside the sandbox received, and how it answered.
type DNSQuery struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Answer string `json:"answer"` // "NXDOMAIN", "NODATA" or the sinkhole address given

	Transport string    `json:"transport"` // udp or tcp
	Time      time.Time `json:"time"`
}

// Result describes a finished run.
type Result struct {
	Outcome       Outcome       `json:"outcome"`
	ExitCode      int           `json:"exit_code"`
	Signal        int           `json:"signal,omitempty"`
	Reason        string        `json:"reason,omitempty"`
	Wall          time.Duration `json:"wall"`
	CPU           time.Duration `json:"cpu"`
	PeakMemory    int64         `json:"peak_memory"`
	PidsLimitHit  bool          `json:"pids_limit_hit"`
	OOMKills      int64         `json:"oom_kills"`
	Stdout        []byte        `json:"stdout"`
	Stderr        []byte        `json:"stderr"`
	StdoutDropped int64         `json:"stdout_dropped"`
	StderrDropped int64         `json:"stderr_dropped"`
	TracePath     string        `json:"trace_path,omitempty"`
	// TraceSetup says which processes of the trace are the sandbox's own and which are the
	// command's (the job's): the backend knows how it starts the command. Set by every backend
	// for a traced run; pass it to trace.Options.Setup.
	TraceSetup   *trace.Setup `json:"trace_setup,omitempty"`
	TraceDropped int64        `json:"trace_dropped"`
	DNSQueries   []DNSQuery   `json:"dns_queries"`
	DNSDropped   int64        `json:"dns_dropped"`
	// Contacts are what the code sent to the sinkhole (see SinkholePrefix), in order;
	// ContactsDropped counts those past the bound.
	Contacts        []Contact `json:"contacts"`
	ContactsDropped int64     `json:"contacts_dropped"`
	// Ioctls are the ioctl calls the init watched for a trace that leaves ioctl out (see
	// IoctlCall), in order; IoctlsDropped counts those past the bound. Judge them with the
	// trace (IoctlCall.Event).
	Ioctls        []IoctlCall `json:"ioctls,omitempty"`
	IoctlsDropped int64       `json:"ioctls_dropped,omitempty"`
	Limits        Limits      `json:"limits"`
}
