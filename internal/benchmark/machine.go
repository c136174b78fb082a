package benchmark

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
)

// Machine describes where a run was measured.
type Machine struct {
	CPUs      int    `json:"cpus"`       // online CPUs (nproc)
	MemoryKiB int64  `json:"memory_kib"` // MemTotal
	Kernel    string `json:"kernel"`     // uname -r
	OS        string `json:"os"`         // PRETTY_NAME from /etc/os-release
}

// String renders the machine on one line: "2 CPUs, 23.5 GiB, Linux 6.1.0-13-amd64, Debian ...".
func (m Machine) String() string {
	return fmt.Sprintf("%d CPUs (nproc), %.1f GiB memory, Linux %s, %s", m.CPUs, float64(m.MemoryKiB)/(1<<20), m.Kernel, m.OS)
}

// ReadMachine reads the machine's description from /proc and /etc.
func ReadMachine() (Machine, error) {
	m := Machine{CPUs: runtime.NumCPU(), OS: "unknown OS"}
	k, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		return m, fmt.Errorf("reading the kernel release: %w", err)
	}
	m.Kernel = strings.TrimSpace(string(k))
	mem, err := os.ReadFile("/proc/meminfo")
	if err != nil {
		return m, fmt.Errorf("reading the memory size: %w", err)
	}
	if m.MemoryKiB, err = memTotal(mem); err != nil {
		return m, err
	}
	if rel, err := os.ReadFile("/etc/os-release"); err == nil {
		if name := osReleaseField(rel, "PRETTY_NAME"); name != "" {
			m.OS = name
		}
	}
	return m, nil
}

// memTotal parses MemTotal (in kB) out of /proc/meminfo.
func memTotal(meminfo []byte) (int64, error) {
	sc := bufio.NewScanner(bytes.NewReader(meminfo))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			n, err := strconv.ParseInt(f[1], 10, 64)
			if err != nil {
				return 0, fmt.Errorf("MemTotal %q: %w", f[1], err)
			}
			return n, nil
		}
	}
	return 0, fmt.Errorf("no MemTotal line in /proc/meminfo")
}

// osReleaseField reads one KEY="value" line of /etc/os-release.
func osReleaseField(data []byte, key string) string {
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, key+"="); ok {
			return strings.Trim(v, `"'`)
		}
	}
	return ""
}

// Uptime is the output of uptime(1): the time, how long the machine has been up and its load
// averages over 1, 5 and 15 minutes.
func Uptime(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "uptime").Output()
	if err != nil {
		return "", fmt.Errorf("running uptime: %w", err)
	}
	return strings.TrimSpace(string(out)), nil
}
