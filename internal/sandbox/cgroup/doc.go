// Package cgroup owns the per-run control group of a sandboxed job: it detects whether the
// machine uses cgroup v2 or v1 (hybrid machines mount v1 controllers under /sys/fs/cgroup/NAME),
// creates one group per run below the current process's own cgroup, sets the memory and pids
// limits, reads the run's CPU time, peak memory, OOM kills and pids-limit hits, kills every
// process in the group (v2 cgroup.kill; v1 freezer freeze + SIGKILL + thaw) and removes it.
package cgroup
