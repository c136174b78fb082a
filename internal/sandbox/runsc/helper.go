package runsc

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
)

// Environment variables that turn the re-executed pyti binary into one of this backend's stages.
const (
	envRole   = "PYTI_RUNSC_ROLE"
	envConfig = "PYTI_RUNSC_CONFIG"
	roleHost  = "host"
	roleGuest = "guest"
)

// hostConfig tells the host stage what to serve and which runsc command to run.
type hostConfig struct {
	Runsc        string   `json:"runsc"`         // absolute path of runsc
	Args         []string `json:"args"`          // runsc's arguments
	ReportSocket string   `json:"report_socket"` // host path the guest connects to
	IndexSocket  string   `json:"index_socket"`  // the index proxy's socket, "" for none
	IndexRelay   string   `json:"index_relay"`   // host path the init's bridge connects to
	DebugFIFO    string   `json:"debug_fifo"`    // gVisor's debug log with its strace (a FIFO)
	Trace        bool     `json:"trace"`         // write the converted strace to the trace pipe
	PidsMarker   string   `json:"pids_marker"`   // created when a fork inside was refused
	RunscLog     string   `json:"runsc_log"`     // runsc's own log, quoted when runsc fails
}

// guestConfig tells the guest stage what to set up before it execs the init.
type guestConfig struct {
	ReportSocket string   `json:"report_socket"` // path inside the sandbox
	DNS          bool     `json:"dns"`
	IndexPort    int      `json:"index_port"`
	Pids         int      `json:"pids"` // RLIMIT_NPROC: gVisor counts the sandbox user's tasks only
	InitPath     string   `json:"init_path"`
	InitEnv      []string `json:"init_env"`
}

func init() {
	switch os.Getenv(envRole) {
	case roleHost:
		os.Exit(runHost())
	case roleGuest:
		os.Exit(runGuest())
	}
}

// roleEnv returns the environment that makes the pyti binary run role with cfg.
func roleEnv(role string, cfg any) ([]string, error) {
	b, err := json.Marshal(cfg)
	if err != nil {
		return nil, fmt.Errorf("runsc: encode %s config: %w", role, err)
	}
	return []string{envRole + "=" + role, envConfig + "=" + base64.StdEncoding.EncodeToString(b)}, nil
}

func decodeConfig(v any) error {
	b, err := base64.StdEncoding.DecodeString(os.Getenv(envConfig))
	if err != nil {
		return fmt.Errorf("runsc stage config: %w", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("runsc stage config: %w", err)
	}
	return nil
}
