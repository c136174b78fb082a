#!/usr/bin/env bash
# Builds the clean image the matrix tests run on (Debian trixie, Python 3.13) into
# $PYTI_TEST_IMAGE_DATA_DIR with `pyti image build`, unless it is already there. A fresh machine
# builds it from scratch with debootstrap from Debian's archive (a few minutes); later runs reuse it.
set -euo pipefail
cd "$(dirname "$0")/.."
DATA=${PYTI_TEST_IMAGE_DATA_DIR:?set PYTI_TEST_IMAGE_DATA_DIR}
NAME=${PYTI_TEST_IMAGE:-trixie}
RELEASE=${PYTI_TEST_IMAGE_RELEASE:-$NAME}
if bin/pyti image list --data-dir "$DATA" 2>/dev/null | awk 'NR>1 {print $1}' | grep -qx "$NAME"; then
  echo "test-image: image $NAME is built in $DATA"
  exit 0
fi
echo "test-image: building image $NAME (Debian $RELEASE) in $DATA with debootstrap: a few minutes on a fresh machine"
start=$(date +%s)
bin/pyti image build "$NAME" --release "$RELEASE" --data-dir "$DATA"
echo "test-image: built in $(( $(date +%s) - start ))s"
