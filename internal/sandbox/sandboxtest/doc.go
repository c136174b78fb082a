// Package sandboxtest owns the conformance suite every sandbox.Backend must pass: isolation
// properties (network, filesystem, identity, environment, terminal, decoys, DNS, index bridge,
// tracing) and the hostile fixtures of HOSTILE.md (fork bomb, memory hog, disk filler, endless
// and silent runs, output flood, daemons, kill(-1), TIOCSTI, persistence, fd exhaustion), each
// checking the named outcome and that the host is untouched.
//
// A backend's test calls Conformance(t, backend) from a package whose TestMain first calls
// sandbox.MaybeRunHelper.
package sandboxtest
