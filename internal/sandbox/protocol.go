package sandbox

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"time"
)

// The fds every helper process sees, fixed so that each side knows them without negotiation.
const (
	fdTrace  = 3 // strace's output pipe (strace -o /dev/fd/3); the init closes it first thing
	fdReport = 4 // init -> host: DNS queries and the exit status, JSON lines; never reaches the user
	// The sockets sit above the extra files, at descriptors the supervisor starts the launcher
	// with already held (see fixedFDs), and are placed only right before exec.
	fdDNSUDP = 10 // 127.0.0.1:53/udp in the run's network namespace, bound by the launcher
	fdDNSTCP = 11 // 127.0.0.1:53/tcp
	fdIndex  = 12 // 127.0.0.1:IndexPort/tcp, the index bridge
	// The sinkhole's sockets, 127.0.0.1:sinkholePort, where the redirect rule sends every
	// connection and datagram to SinkholePrefix.
	fdSinkTCP = 13
	fdSinkUDP = 14
)

// fixedFDs are the descriptors the launcher places its sockets at. A helper's Go runtime is not
// idle before its main runs: package inits open files (protobuf's detrand reads the binary), which
// starts the poller, an epoll and an eventfd at the lowest free descriptors, and nats-server's
// pse reads /proc/self/stat every second. Had the launcher started with these free, its dup3 could
// replace the runtime's epoll (the next poll then fails, "epollwait on fd 11 failed with 22", and
// the runtime throws: seen as a run that "ended without reporting the command's exit" once the
// import check's copy of the environment added extra files). So the supervisor starts the
// launcher with each of them holding /dev/null, which the launcher checks, replaces with its
// socket in one dup3, or marks close-on-exec when unused.
var fixedFDs = []int{fdDNSUDP, fdDNSTCP, fdIndex, fdSinkTCP, fdSinkUDP}

// TraceFDPath is what strace is told to write to (trace.StraceArgs(TraceFDPath)).
const TraceFDPath = "/dev/fd/3"

// Environment variables that turn the re-executed pyti binary into a helper.
const (
	envRole   = "PYTI_SANDBOX_ROLE"
	envConfig = "PYTI_SANDBOX_CONFIG"
	roleLaunc = "launcher"
	roleInit  = "init"
)

// InitPath is where the pyti binary is bound (read-only) inside the sandbox to act as its init.
const InitPath = "/.pyti/init"

// IndexSocketPath is where Spec.IndexSocket is bound inside the sandbox.
const IndexSocketPath = "/.pyti/index.sock"

// LaunchConfig tells the host-side launcher what to set up before it execs Exec.
type LaunchConfig struct {
	ProcsFiles []string `json:"procs_files"` // cgroup.procs files to join
	Exec       []string `json:"exec"`        // absolute path first
	Env        []string `json:"env"`
	DNS        bool     `json:"dns"`        // bind 127.0.0.1:53 udp+tcp on fds 5 and 6
	IndexPort  int      `json:"index_port"` // bind 127.0.0.1:IndexPort on fd 7 when > 0
	// Sinkhole makes SinkholePrefix local, redirects it to 127.0.0.1:sinkholePort (nftables) and
	// binds that port, udp and tcp, on fdSinkUDP and fdSinkTCP.
	Sinkhole bool `json:"sinkhole"`
	// CPU, when 0 or more, is the one CPU the launcher keeps itself and all it starts on
	// (Plan.PinCPU); -1 leaves them where the scheduler puts them.
	CPU int `json:"cpu"`
}

// InitConfig tells the in-sandbox init what to serve and what to run.
type InitConfig struct {
	Argv      []string `json:"argv"`
	Env       []string `json:"env"`
	Dir       string   `json:"dir"`
	FileSize  int64    `json:"file_size"`
	OpenFiles int      `json:"open_files"`
	DNS       bool     `json:"dns"`
	// Sinkhole makes the resolver answer every name with a SinkholePrefix address and serves
	// the sinkhole sockets; without it the resolver answers NXDOMAIN.
	Sinkhole    bool     `json:"sinkhole"`
	IndexPort   int      `json:"index_port"`
	IndexSocket string   `json:"index_socket"` // path inside the sandbox
	Decoys      bool     `json:"decoys"`
	StatPaths   []string `json:"stat_paths"` // checked for "full" when the command ends
	// WatchIoctls has the init watch ioctl for a trace that leaves it out (see IoctlCall).
	WatchIoctls bool `json:"watch_ioctls,omitempty"`
}

// report is one line on the report channel.
type report struct {
	DNS        *DNSQuery `json:"dns,omitempty"`
	DNSDropped int64     `json:"dns_dropped,omitempty"`
	Contact    *Contact  `json:"contact,omitempty"`
	// ContactsDropped counts the contacts past maxContacts, sent once at the end.
	ContactsDropped int64       `json:"contacts_dropped,omitempty"`
	Ioctl           *IoctlCall  `json:"ioctl,omitempty"`
	IoctlsDropped   int64       `json:"ioctls_dropped,omitempty"`
	Exit            *exitReport `json:"exit,omitempty"`
	Error           string      `json:"error,omitempty"`
}

type exitReport struct {
	Code   int       `json:"code"`
	Signal int       `json:"signal"`
	Full   []string  `json:"full,omitempty"`
	At     time.Time `json:"at"`
}

func encodeConfig(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("sandbox: encode helper config: %w", err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

func decodeConfig(v any) error {
	b, err := base64.StdEncoding.DecodeString(os.Getenv(envConfig))
	if err != nil {
		return fmt.Errorf("sandbox helper config: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("sandbox helper config: %w", err)
	}
	return nil
}

// InitEnv returns the environment (KEY=VALUE) bwrap must set for the init: nothing else.
func InitEnv(cfg InitConfig) ([]string, error) {
	enc, err := encodeConfig(cfg)
	if err != nil {
		return nil, err
	}
	return []string{envRole + "=" + roleInit, envConfig + "=" + enc}, nil
}

// MaybeRunHelper turns this process into the sandbox launcher or init when it was re-executed
// as one, and never returns then. cmd/pyti's main (and every TestMain of a package that runs a
// sandbox) calls it first thing; for any other process it returns at once.
func MaybeRunHelper() {
	switch os.Getenv(envRole) {
	case roleLaunc:
		os.Exit(runLauncher())
	case roleInit:
		os.Exit(runInit())
	}
}
