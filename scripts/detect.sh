#!/usr/bin/env bash
# make detect: PYTI's detection benchmark. Runs every real malicious sample in $PYTI_DETECT_SAMPLES
# (default ../shared/malware-dev: samples.zip, password "infected", and MANIFEST.tsv) and a benign
# set of real projects (the bundled examples, Debian's pip/setuptools/wheel, and the Debian
# python3-* packages in testdata/detect/debian-benign.txt repackaged as wheels) through
# `pyti analyze` (sandboxed, traced, no network, dependencies from PYTI's index on loopback), and
# writes DETECTION.md. Samples are unpacked only into the scratch directory, never in the
# repository, and run only inside `pyti analyze`. See internal/detectbench.
#   PYTI=bin/pyti                 the binary to measure (make detect builds it first)
#   PYTI_DETECT_DIR=DIR           scratch space (default: $TMPDIR/pyti-detect); results are cached
#                                 there per sample sha256 and pyti version, so a second run continues
#   PYTI_DETECT_SAMPLES=DIR       the samples folder (default ../shared/malware-dev)
#   PYTI_DETECT_JOBS=2            analyses at once
#   PYTI_DETECT_TIMEOUT=15m       wall-clock limit of one analysis
#   DETECT_LIMIT=N                at most N samples and N benign projects (0: all)
#   PYTI_DETECT_FLAGS="..."       more pyti-detect flags, e.g. "-only benign" or "-report-only"
set -euo pipefail
cd "$(dirname "$0")/.."
PYTI=${PYTI:-bin/pyti}
WORK=${PYTI_DETECT_DIR:-${TMPDIR:-/tmp}/pyti-detect}
SAMPLES=${PYTI_DETECT_SAMPLES:-../shared/malware-dev}
GO=${GO:-go}
[ -x "$PYTI" ] || { echo "detect: $PYTI is missing: run make detect (it builds it)" >&2; exit 1; }
[ -f "$SAMPLES/samples.zip" ] || { echo "detect: no $SAMPLES/samples.zip: set PYTI_DETECT_SAMPLES" >&2; exit 1; }

# unzip reads the samples' encrypted zip; the benign Debian packages are installed if missing.
benign=$(grep -v '^#' testdata/detect/debian-benign.txt | sed 's/#.*//' | tr '\n' ' ')
echo "detect: checking the Debian packages of the benign set and unzip"
PYTI_DEPS_EXTRA="unzip $benign" ./scripts/install-deps.sh | sed 's/^install-deps:/detect:/'

echo "detect: building bin/pyti-detect"
CGO_ENABLED=0 "$GO" build -o bin/pyti-detect ./cmd/pyti-detect
mkdir -p "$WORK"
echo "detect: scratch space $WORK; uptime before: $(uptime)"
# shellcheck disable=SC2086
bin/pyti-detect -pyti "$PYTI" -samples "$SAMPLES" -work "$WORK" -jobs "${PYTI_DETECT_JOBS:-2}" \
  -timeout "${PYTI_DETECT_TIMEOUT:-15m}" -limit "${DETECT_LIMIT:-0}" -out DETECTION.md ${PYTI_DETECT_FLAGS:-}
echo "detect: uptime after: $(uptime)"
