// Package sandbox owns the isolation of untrusted code: the Backend interface every sandbox
// implementation satisfies, the Spec of one run and its Result, the resource limits and how a run
// is classified (ok, exit, timeout, no-output-timeout, oom, pids, no-space, killed), the decoy
// home and decoy credentials, the seccomp deny list (SeccompRules) and its BPF program, the
// capped capture of output and traces, the job Workspace, and the two helper roles the pyti binary takes when it re-executes itself: the host-side launcher (joins
// the run's cgroup, creates the run's network namespace with only loopback, makes the sinkhole's
// block local and redirects it to the init with nftables, pre-binds PYTI's DNS resolver, sinkhole
// and index bridge sockets, then execs strace/bwrap) and the in-sandbox init (serves the resolver,
// the sinkhole and the bridge, watches ioctl for a trace that leaves it out (IoctlCall), runs
// the user's command with no capabilities, reports its exit).
// The sinkhole (sinkhole.go) records what the code sends to the names it resolves: Contact.
//
// Backends live in subpackages (bwrap, runsc; sandboxfake, which runs no process, for fast unit
// tests of the code around a run); cgroup handling lives in sandbox/cgroup and the shared
// conformance suite in sandbox/sandboxtest. A backend's Run is the one place a run's limits get
// their defaults (see Backend).
package sandbox
