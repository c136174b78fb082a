package cgroup

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Limits are the limits a group enforces; zero means unlimited.
type Limits struct {
	MemoryBytes int64
	Pids        int
}

// Stats are the resource figures of a group.
type Stats struct {
	CPU        time.Duration
	PeakMemory int64
	OOMKills   int64
	PidsHit    bool
	// Shmem is the tmpfs and shared memory still charged to the group at the end: files written
	// to a tmpfs count against the memory limit, and outlive the processes that wrote them.
	Shmem int64
}

// Group is one run's cgroup (one directory per v1 hierarchy, or one v2 directory).
type Group struct {
	layout *Layout
	dirs   map[string]string // v1: controller -> dir; v2: "" -> dir
}

// hostLeaf is the v2 child this process moves itself into when its own cgroup holds processes
// and so cannot enable controllers for its children ("no internal processes").
const hostLeaf = "pyti-host"

var v2Mu sync.Mutex

// New creates a fresh group below the process's own cgroup and applies lim.
func New(layout *Layout, lim Limits) (*Group, error) {
	name, err := randomName()
	if err != nil {
		return nil, err
	}
	g := &Group{layout: layout, dirs: map[string]string{}}
	switch layout.Version {
	case V2:
		err = g.createV2(name, lim)
	default:
		err = g.createV1(name, lim)
	}
	if err != nil {
		_ = g.Remove()
		return nil, err
	}
	return g, nil
}

func randomName() (string, error) {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("cgroup: %w", err)
	}
	return "pyti-" + hex.EncodeToString(b[:]), nil
}

func (g *Group) createV1(name string, lim Limits) error {
	l := g.layout
	if lim.MemoryBytes > 0 && l.V1Mounts["memory"] == "" {
		return errors.New("cgroup: a memory limit was asked but the v1 memory controller is not mounted")
	}
	if lim.Pids > 0 && l.V1Mounts["pids"] == "" {
		return errors.New("cgroup: a pids limit was asked but the v1 pids controller is not mounted")
	}
	made := map[string]bool{}
	for _, c := range v1Controllers {
		mnt, ok := l.V1Mounts[c]
		if !ok {
			continue
		}
		dir := filepath.Join(mnt, l.V1Own[c], name)
		if !made[dir] {
			if err := os.Mkdir(dir, 0o755); err != nil {
				return fmt.Errorf("cgroup: create %s: %w", dir, err)
			}
			made[dir] = true
		}
		g.dirs[c] = dir
	}
	if lim.MemoryBytes > 0 {
		d := g.dirs["memory"]
		v := strconv.FormatInt(lim.MemoryBytes, 10)
		if err := writeFile(filepath.Join(d, "memory.limit_in_bytes"), v); err != nil {
			return err
		}
		if exists(filepath.Join(d, "memory.memsw.limit_in_bytes")) {
			if err := writeFile(filepath.Join(d, "memory.memsw.limit_in_bytes"), v); err != nil {
				return err
			}
		}
	}
	if lim.Pids > 0 {
		if err := writeFile(filepath.Join(g.dirs["pids"], "pids.max"), strconv.Itoa(lim.Pids)); err != nil {
			return err
		}
	}
	return nil
}

func (g *Group) createV2(name string, lim Limits) error {
	base, err := g.v2Base(lim)
	if err != nil {
		return err
	}
	dir := filepath.Join(base, name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return fmt.Errorf("cgroup: create %s: %w", dir, err)
	}
	g.dirs[""] = dir
	if lim.MemoryBytes > 0 {
		if err := writeFile(filepath.Join(dir, "memory.max"), strconv.FormatInt(lim.MemoryBytes, 10)); err != nil {
			return err
		}
		if exists(filepath.Join(dir, "memory.swap.max")) {
			if err := writeFile(filepath.Join(dir, "memory.swap.max"), "0"); err != nil {
				return err
			}
		}
	}
	if lim.Pids > 0 {
		if err := writeFile(filepath.Join(dir, "pids.max"), strconv.Itoa(lim.Pids)); err != nil {
			return err
		}
	}
	return nil
}

// v2Base returns the directory below which run groups are created, enabling the controllers
// the limits need in its subtree_control (moving this process into a leaf if it must).
func (g *Group) v2Base(lim Limits) (string, error) {
	v2Mu.Lock()
	defer v2Mu.Unlock()
	l := g.layout
	own := l.Own
	if filepath.Base(own) == hostLeaf {
		own = filepath.Dir(own)
	}
	base := filepath.Join(l.Mount, own)
	var need []string
	if lim.MemoryBytes > 0 {
		need = append(need, "memory")
	}
	if lim.Pids > 0 {
		need = append(need, "pids")
	}
	if len(need) == 0 {
		return base, nil
	}
	avail, err := os.ReadFile(filepath.Join(base, "cgroup.controllers"))
	if err != nil {
		return "", fmt.Errorf("cgroup: %w", err)
	}
	enabled, err := os.ReadFile(filepath.Join(base, "cgroup.subtree_control"))
	if err != nil {
		return "", fmt.Errorf("cgroup: %w", err)
	}
	var add []string
	for _, c := range need {
		if !slices.Contains(strings.Fields(string(avail)), c) {
			return "", fmt.Errorf("cgroup: the %s controller is not available in %s (delegate it to this user/service)", c, base)
		}
		if !slices.Contains(strings.Fields(string(enabled)), c) {
			add = append(add, "+"+c)
		}
	}
	if len(add) == 0 {
		return base, nil
	}
	ctl := filepath.Join(base, "cgroup.subtree_control")
	err = writeFile(ctl, strings.Join(add, " "))
	if err == nil {
		return base, nil
	}
	if !errors.Is(err, syscall.EBUSY) {
		return "", err
	}
	// Our own cgroup holds processes: move this process into a leaf and retry.
	leaf := filepath.Join(base, hostLeaf)
	if err := os.Mkdir(leaf, 0o755); err != nil && !errors.Is(err, os.ErrExist) {
		return "", fmt.Errorf("cgroup: %w", err)
	}
	if err := writeFile(filepath.Join(leaf, "cgroup.procs"), strconv.Itoa(os.Getpid())); err != nil {
		return "", fmt.Errorf("cgroup: moving pyti into %s: %w", leaf, err)
	}
	l.Own = filepath.Join(own, hostLeaf)
	if err := writeFile(ctl, strings.Join(add, " ")); err != nil {
		return "", fmt.Errorf("cgroup: %s still holds other processes, cannot enable %v: %w", base, add, err)
	}
	return base, nil
}

// ProcsFiles are the cgroup.procs files a process writes its pid into to join the group.
func (g *Group) ProcsFiles() []string {
	var out []string
	seen := map[string]bool{}
	for _, d := range g.dirList() {
		if !seen[d] {
			seen[d] = true
			out = append(out, filepath.Join(d, "cgroup.procs"))
		}
	}
	return out
}

func (g *Group) dirList() []string {
	var out []string
	for _, d := range g.dirs {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return out
}

// Pids lists the processes in the group (the union over v1 hierarchies).
func (g *Group) Pids() ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, d := range g.dirList() {
		data, err := os.ReadFile(filepath.Join(d, "cgroup.procs"))
		if err != nil {
			if errors.Is(err, os.ErrNotExist) {
				continue
			}
			return nil, fmt.Errorf("cgroup: %w", err)
		}
		for _, f := range strings.Fields(string(data)) {
			pid, err := strconv.Atoi(f)
			if err == nil && !seen[pid] {
				seen[pid] = true
				out = append(out, pid)
			}
		}
	}
	return out, nil
}

// Kill kills every process in the group and waits (bounded) until it is empty.
func (g *Group) Kill() error {
	if g.layout.Version == V2 {
		if d := g.dirs[""]; d != "" && exists(filepath.Join(d, "cgroup.kill")) {
			if err := writeFile(filepath.Join(d, "cgroup.kill"), "1"); err != nil {
				return err
			}
			return g.waitEmpty(10 * time.Second)
		}
	}
	freeze, thaw := g.freezer()
	deadline := time.Now().Add(10 * time.Second)
	for {
		if freeze != nil {
			freeze()
		}
		pids, err := g.Pids()
		if err != nil {
			return err
		}
		for _, p := range pids {
			_ = syscall.Kill(p, syscall.SIGKILL) // ESRCH: already gone
		}
		if thaw != nil {
			thaw()
		}
		if len(pids) == 0 {
			return nil
		}
		if err := g.waitEmpty(200 * time.Millisecond); err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			left, _ := g.Pids()
			return fmt.Errorf("cgroup: processes %v survive SIGKILL", left)
		}
	}
}

// freezer returns functions freezing and thawing the group, or nils without a freezer.
func (g *Group) freezer() (freeze, thaw func()) {
	if g.layout.Version == V2 {
		d := g.dirs[""]
		if d == "" || !exists(filepath.Join(d, "cgroup.freeze")) {
			return nil, nil
		}
		f := filepath.Join(d, "cgroup.freeze")
		return func() {
				if writeFile(f, "1") == nil {
					waitFor(2*time.Second, func() bool {
						data, _ := os.ReadFile(filepath.Join(d, "cgroup.events"))
						return strings.Contains(string(data), "frozen 1")
					})
				}
			}, func() {
				_ = writeFile(f, "0")
			}
	}
	d := g.dirs["freezer"]
	if d == "" {
		return nil, nil
	}
	st := filepath.Join(d, "freezer.state")
	return func() {
			if writeFile(st, "FROZEN") == nil {
				waitFor(2*time.Second, func() bool {
					data, _ := os.ReadFile(st)
					return strings.TrimSpace(string(data)) == "FROZEN"
				})
			}
		}, func() {
			_ = writeFile(st, "THAWED")
		}
}

func (g *Group) waitEmpty(d time.Duration) error {
	ok := waitFor(d, func() bool {
		pids, err := g.Pids()
		return err == nil && len(pids) == 0
	})
	if !ok {
		left, _ := g.Pids()
		return fmt.Errorf("cgroup: processes %v still present", left)
	}
	return nil
}

func waitFor(d time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(d)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Stats reads the group's resource figures.
func (g *Group) Stats() (Stats, error) {
	var s Stats
	if g.layout.Version == V2 {
		d := g.dirs[""]
		if v, ok := keyed(filepath.Join(d, "cpu.stat"), "usage_usec"); ok {
			s.CPU = time.Duration(v) * time.Microsecond
		}
		s.PeakMemory, _ = single(filepath.Join(d, "memory.peak"))
		s.OOMKills, _ = keyed(filepath.Join(d, "memory.events"), "oom_kill")
		s.Shmem, _ = keyed(filepath.Join(d, "memory.stat"), "shmem")
		if v, ok := keyed(filepath.Join(d, "pids.events"), "max"); ok {
			s.PidsHit = v > 0
		}
		return s, nil
	}
	if d := g.dirs["cpuacct"]; d != "" {
		if v, ok := single(filepath.Join(d, "cpuacct.usage")); ok {
			s.CPU = time.Duration(v)
		}
	}
	if d := g.dirs["memory"]; d != "" {
		s.PeakMemory, _ = single(filepath.Join(d, "memory.max_usage_in_bytes"))
		s.OOMKills, _ = keyed(filepath.Join(d, "memory.oom_control"), "oom_kill")
		s.Shmem, _ = keyed(filepath.Join(d, "memory.stat"), "total_shmem")
	}
	if d := g.dirs["pids"]; d != "" {
		if v, ok := keyed(filepath.Join(d, "pids.events"), "max"); ok {
			s.PidsHit = v > 0
		}
	}
	return s, nil
}

// Remove deletes the group's directories; the group must be empty.
func (g *Group) Remove() error {
	var errs []error
	for _, d := range g.dirList() {
		var err error
		waitFor(2*time.Second, func() bool {
			err = os.Remove(d)
			return err == nil || errors.Is(err, os.ErrNotExist)
		})
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, fmt.Errorf("cgroup: remove %s: %w", d, err))
		}
	}
	return errors.Join(errs...)
}

// Dirs returns the group's directories (for tests and diagnostics).
func (g *Group) Dirs() []string { return g.dirList() }

func writeFile(path, v string) error {
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cgroup: %w", err)
	}
	_, werr := f.WriteString(v)
	cerr := f.Close()
	if werr != nil {
		return fmt.Errorf("cgroup: write %q to %s: %w", v, path, werr)
	}
	if cerr != nil {
		return fmt.Errorf("cgroup: write %q to %s: %w", v, path, cerr)
	}
	return nil
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func single(path string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	v, err := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
	return v, err == nil
}

// keyed reads "key value" lines (cpu.stat, memory.events, memory.oom_control, pids.events).
func keyed(path, key string) (int64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	return parseKeyed(string(data), key)
}

func parseKeyed(data, key string) (int64, bool) {
	for _, line := range strings.Split(data, "\n") {
		f := strings.Fields(line)
		if len(f) == 2 && f[0] == key {
			v, err := strconv.ParseInt(f[1], 10, 64)
			return v, err == nil
		}
	}
	return 0, false
}
