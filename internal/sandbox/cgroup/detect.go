package cgroup

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Version is the cgroup hierarchy in use.
type Version int

// The supported hierarchies.
const (
	V1 Version = 1
	V2 Version = 2
)

// v1Controllers are the v1 hierarchies a run joins.
var v1Controllers = []string{"memory", "pids", "cpuacct", "freezer"}

// Layout says where the hierarchies are mounted and where this process sits in them.
type Layout struct {
	Version Version
	// V2: Mount is the cgroup2 mount and Own the process's path below it.
	Mount string
	Own   string
	// V1: per controller, the hierarchy mount and the process's path below it.
	V1Mounts map[string]string
	V1Own    map[string]string
}

type mount struct {
	root, point, fstype string
	opts                []string
}

func readMounts(path string) ([]mount, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	defer f.Close()
	var out []mount
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, fl := range fields {
			if fl == "-" {
				sep = i
				break
			}
		}
		if sep < 5 || sep+3 >= len(fields) {
			continue
		}
		out = append(out, mount{
			root: unescapeMount(fields[3]), point: unescapeMount(fields[4]), fstype: fields[sep+1],
			opts: strings.Split(fields[sep+3], ","),
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("cgroup: reading %s: %w", path, err)
	}
	return out, nil
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// parseProcCgroup returns, per controller (and "" for the v2 hierarchy), the process's path.
func parseProcCgroup(data string) map[string]string {
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		if parts[1] == "" {
			out[""] = parts[2]
			continue
		}
		for _, c := range strings.Split(parts[1], ",") {
			out[c] = parts[2]
		}
	}
	return out
}

// relativeTo strips the mount's root from a /proc/self/cgroup path.
func relativeTo(path, root string) string {
	if root == "/" || root == "" {
		return path
	}
	if rel, ok := strings.CutPrefix(path, root); ok {
		if rel == "" {
			return "/"
		}
		return rel
	}
	return path
}

// Detect finds the cgroup layout of this machine: pure v2 when /sys/fs/cgroup is a cgroup2
// mount, else the v1 controllers.
func Detect() (*Layout, error) {
	mounts, err := readMounts("/proc/self/mountinfo")
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	own := parseProcCgroup(string(data))
	for _, m := range mounts {
		if m.fstype == "cgroup2" && m.point == "/sys/fs/cgroup" {
			return &Layout{Version: V2, Mount: m.point, Own: relativeTo(own[""], m.root)}, nil
		}
	}
	l := &Layout{Version: V1, V1Mounts: map[string]string{}, V1Own: map[string]string{}}
	for _, m := range mounts {
		if m.fstype != "cgroup" {
			continue
		}
		for _, o := range m.opts {
			for _, c := range v1Controllers {
				if o == c {
					if _, seen := l.V1Mounts[c]; !seen {
						l.V1Mounts[c] = m.point
						l.V1Own[c] = relativeTo(own[c], m.root)
					}
				}
			}
		}
	}
	if len(l.V1Mounts) == 0 {
		return nil, fmt.Errorf("cgroup: neither a cgroup2 hierarchy at /sys/fs/cgroup nor v1 controllers are mounted")
	}
	return l, nil
}

// V2At is a layout using the cgroup2 hierarchy mounted at mount (e.g. /sys/fs/cgroup/unified on
// a hybrid machine), with this process's own path read from /proc/self/cgroup.
func V2At(mount string) (*Layout, error) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return nil, fmt.Errorf("cgroup: %w", err)
	}
	own := parseProcCgroup(string(data))
	p, ok := own[""]
	if !ok {
		return nil, fmt.Errorf("cgroup: this process has no cgroup2 membership")
	}
	if _, err := os.Stat(filepath.Join(mount, "cgroup.controllers")); err != nil {
		return nil, fmt.Errorf("cgroup: %s is not a cgroup2 mount: %w", mount, err)
	}
	return &Layout{Version: V2, Mount: mount, Own: p}, nil
}
