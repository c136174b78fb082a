package sandbox

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// MountsUnder returns the mount points at or below dir in mountinfo (the text of
// /proc/self/mountinfo), deepest first, so that unmounting in order never leaves a mount under
// one already gone.
func MountsUnder(mountinfo, dir string) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(mountinfo))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 5 {
			continue
		}
		mp := unescapeMount(f[4])
		if mp == dir || strings.HasPrefix(mp, dir+"/") {
			out = append(out, mp)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return len(out[i]) > len(out[j]) })
	return out
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space, ...).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// ownerFile sits beside a tmpfs workspace (in its parent, out of the sandbox's reach) and names
// the process that mounted it: "PID STARTTIME" as /proc/PID/stat gives them.
const ownerFile = ".pyti-workspace-owner"

// writeOwner records this process as the owner of the workspace at dir.
func writeOwner(dir string) error {
	start, err := startTime(os.Getpid())
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(filepath.Dir(dir), ownerFile), fmt.Appendf(nil, "%d %s\n", os.Getpid(), start), 0o644)
}

// startTime is field 22 of /proc/PID/stat: with the pid it names one process for good.
func startTime(pid int) (string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", err
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')') // the command name may hold spaces and parentheses
	if i < 0 {
		return "", errors.New("unexpected /proc/PID/stat")
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 {
		return "", errors.New("unexpected /proc/PID/stat")
	}
	return f[19], nil
}

// ownerAlive reports whether the owner file of the workspace at dir names a running process;
// ours is false when there is no owner file (the mount is not a workspace of PYTI's).
func ownerAlive(dir string) (alive, ours bool) {
	data, err := os.ReadFile(filepath.Join(filepath.Dir(dir), ownerFile))
	if err != nil {
		return false, false
	}
	var pid int
	var start string
	if _, err := fmt.Sscan(string(data), &pid, &start); err != nil || pid <= 0 {
		return false, true
	}
	now, err := startTime(pid)
	return err == nil && now == start, true
}

// ReclaimWorkspaces detaches the tmpfs workspaces under root that a PYTI process killed before
// it could clean up (kill -9) left mounted, and returns them. A mount is only touched when its
// owner file proves it is a workspace and names a process that is gone: a running analysis's
// workspace, and every mount that is not PYTI's, are left alone.
func ReclaimWorkspaces(root string) ([]string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	info, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil, fmt.Errorf("listing mounts: %w", err)
	}
	var done []string
	var errs []error
	for _, mp := range MountsUnder(string(info), abs) {
		alive, ours := ownerAlive(mp)
		if !ours || alive {
			continue
		}
		if err := unix.Unmount(mp, unix.MNT_DETACH); err != nil && !errors.Is(err, unix.EINVAL) {
			errs = append(errs, fmt.Errorf("unmounting %s: %w", mp, err))
			continue
		}
		os.Remove(filepath.Join(filepath.Dir(mp), ownerFile))
		done = append(done, mp)
	}
	return done, errors.Join(errs...)
}
