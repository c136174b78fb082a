// Package detectbench measures how well PYTI tells malicious distributions from benign ones: it
// runs `pyti analyze` (the real binary, sandboxed, traced, offline) on real malicious PyPI samples
// and on a benign set of real projects served from PYTI's own loopback index, and writes
// DETECTION.md: recall at high or critical and at any severity, false alarms (high or critical
// findings on benign projects) and one row per analysed distribution.
//
// It reads only what `pyti analyze --json` reports (the verdict and each finding's rule id,
// severity, source and phase), so it keeps measuring whatever the detection code becomes.
// Results are cached per input sha256 and PYTI version: an interrupted run continues where it
// stopped. `make detect` (scripts/detect.sh, cmd/pyti-detect) is the entry point.
package detectbench
