// Package benchmark owns PYTI's speed measurements (`make bench`): it times PYTI against the
// fastest manual way to do the same work on the same machine in the same run, interleaving the
// two and repeating each, and renders the medians, minimums and ratios as BENCHMARKS.md.
//
// Three rows are measured: the cost of one empty sandboxed run (bwrap running /bin/true, with and
// without strace) against running /bin/true directly; a real pip install (Debian's wheel wheel)
// directly, in the sandbox and in the traced sandbox; and `pyti analyze` on example projects
// against a fresh venv, an offline pip install and pytest under coverage done by hand, with the
// per-task breakdown PYTI's report.json records.
//
// Tests never assert wall-clock times; this package is where speed is measured instead.
package benchmark
