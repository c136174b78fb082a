#!/usr/bin/env bash
# make bench: measure PYTI against the fastest manual way to do the same work, on this machine, in
# one run (bounded by PYTI_BENCH_BUDGET, default 18m, plus the first build of the example index),
# print a table and rewrite BENCHMARKS.md. See internal/benchmark for what each row measures.
#   PYTI=bin/pyti                 the binary to measure (make bench builds it first)
#   PYTI_BENCH_DIR=DIR            scratch space (default: $TMPDIR/pyti-bench)
#   PYTI_BENCH_BUDGET=18m         stop starting repetitions after this long
#   PYTI_BENCH_FLAGS="..."        more pyti-bench flags, e.g. "-examples pure -analyze-reps 5";
#                                 "-dists DIR -projects toolz" also analyses real projects from a local
#                                 directory of their sdists and wheels (never commit it); "-compare BIN"
#                                 times another pyti binary (before a change) beside this one
#   PYTI_BENCH_DISTS_NOTE="..."   with -dists: one line for BENCHMARKS.md on where those files came from
set -euo pipefail
cd "$(dirname "$0")/.."
PYTI=${PYTI:-bin/pyti}
WORK=${PYTI_BENCH_DIR:-${TMPDIR:-/tmp}/pyti-bench}
GO=${GO:-go}
[ -x "$PYTI" ] || { echo "bench: $PYTI is missing: run make bench (it builds it)" >&2; exit 1; }
echo "bench: building bin/pyti-bench"
CGO_ENABLED=0 "$GO" build -o bin/pyti-bench ./cmd/pyti-bench
mkdir -p "$WORK"
echo "bench: scratch space $WORK; uptime before: $(uptime)"
# PYTI_BENCH_DISTS_NOTE: the -dists-note line (where -dists files came from), kept as one argument.
note=()
if [ -n "${PYTI_BENCH_DISTS_NOTE:-}" ]; then note=(-dists-note "$PYTI_BENCH_DISTS_NOTE"); fi
# shellcheck disable=SC2086
bin/pyti-bench -pyti "$PYTI" -examples-dir testdata/examples -work "$WORK" \
  -budget "${PYTI_BENCH_BUDGET:-18m}" -json "$WORK/results.json" -out BENCHMARKS.md ${PYTI_BENCH_FLAGS:-} "${note[@]}"
echo "bench: uptime after: $(uptime)"
