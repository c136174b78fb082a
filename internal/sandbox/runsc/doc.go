// Package runsc is the gVisor sandbox backend, the stronger of PYTI's two: the untrusted code
// runs on gVisor's user-space kernel (runsc, ptrace platform), not on the host's. It builds an
// OCI bundle per run (a read-only root of the host's system directories with the same secrets
// masked as the bwrap backend, tmpfs /tmp and decoy HOME with their size caps, the job's work
// dir read-write, a seccomp filter that denies nested user namespaces and the other escape
// calls) and hands the run to sandbox.Supervise, which puts everything in the run's cgroup and
// enforces the limits from outside.
//
// The pyti binary takes two more roles here, dispatched by this package's init function (so
// that any binary linking the backend serves them without further wiring):
//
//   - the host stage, which the launcher execs in the run's cgroup: it serves the report and
//     index sockets the sandbox reaches through gVisor's host-socket support, starts
//     `runsc run`, relays the init's reports to Supervise and, when tracing, turns gVisor's
//     strace log into strace's own format on the trace pipe;
//   - the guest stage, the container's first process inside gVisor: it connects the report
//     channel, binds the resolver and bridge sockets on the sandbox's loopback at the
//     descriptors PYTI's init expects, and execs the init.
package runsc
