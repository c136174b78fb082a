// Package sandboxfake is a sandbox.Backend that runs no process, for fast unit tests of the logic
// around sandboxed runs (restic's mem backend is the model): a test gives it, per command, the
// run's result — exit code or outcome (timeout, oom, ...), stdout and stderr, the files the
// command "writes" into the work directory, the strace text of a traced run — and the fake hands
// it back as a real backend would, with complete limits (sandbox.Limits.WithDefaults) and the
// trace setup of a backend that starts the command through PYTI's init. Commands are matched on
// their argv, the first matching rule answering; a command no rule matches is an infrastructure
// error naming its argv, so that a test cannot pass on a command it did not expect. Every run is
// recorded (Backend.Runs).
//
// It checks none of the isolation: that is sandboxtest.Conformance's job on the real backends.
package sandboxfake
