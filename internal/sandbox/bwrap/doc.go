// Package bwrap is the bubblewrap sandbox backend: it turns a sandbox.Spec into a bwrap command
// line (read-only system, masked secrets, own PID/IPC/UTS/user namespaces, tmpfs /tmp and
// decoy HOME, the job's work dir read-write, PYTI's init as PID 1, sandbox.SeccompFilter applied
// by bwrap's --seccomp right before the init starts) wrapped, when tracing, by strace outside
// the sandbox (which then also fails the filter's calls, so that the attempts show in the
// trace), and hands it to sandbox.Supervise.
package bwrap
