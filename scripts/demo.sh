#!/usr/bin/env bash
# make demo: serve the bundled example projects from a real package index on loopback, analyse each
# of them with `pyti analyze` (sandboxed, traced, no network), print a table of verdicts, then start
# the web UI on the results. Everything lives in $PYTI_DEMO_DIR (default .demo/).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTI=bin/pyti
DIR=${PYTI_DEMO_DIR:-.demo}
JOBS=${PYTI_DEMO_JOBS:-2}
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)
rm -rf "$DIR/analyses" "$DIR/index.url"

# A clean Debian trixie image (Python 3.13) for the matrix example; PYTI_DEMO_IMAGE= skips it. It is
# built once with debootstrap (a few minutes) into the same place `make test` keeps its image.
IMAGE=${PYTI_DEMO_IMAGE-trixie}
IMAGE_ARGS=()
if [ -n "$IMAGE" ]; then
  IMAGES=${PYTI_IMAGE_DATA:-$HOME/.cache/pyti/test-images}
  PYTI_TEST_IMAGE_DATA_DIR="$IMAGES" PYTI_TEST_IMAGE="$IMAGE" ./scripts/test-image.sh | sed 's/^test-image:/demo:/'
  rm -rf "$DIR/images"
  ln -s "$IMAGES/images" "$DIR/images"
  IMAGE_ARGS=(--image "$IMAGE" --data-dir "$DIR")
fi

echo "demo: building the example projects and serving them as a package index (first time: a few minutes)"
"$PYTI" index serve --examples testdata/examples "${IMAGE_ARGS[@]}" --url-file "$DIR/index.url" "$DIR/index" > "$DIR/index.log" 2>&1 &
INDEX_PID=$!
SERVE_PID=""
cleanup() {
  kill "$INDEX_PID" 2>/dev/null || true
  [ -n "$SERVE_PID" ] && kill "$SERVE_PID" 2>/dev/null || true
}
trap cleanup EXIT
for _ in $(seq 1 600); do
  [ -s "$DIR/index.url" ] && break
  kill -0 "$INDEX_PID" 2>/dev/null || { cat "$DIR/index.log"; echo "demo: the index did not start" >&2; exit 1; }
  sleep 1
done
INDEX=$(cat "$DIR/index.url")
echo "demo: index at $INDEX"

EXAMPLES=${PYTI_DEMO_EXAMPLES:-"pure unittest doctests failing cext realistic buildfail dependent netneed legacy missingdep newpython badactor"}
echo "demo: analysing $(echo $EXAMPLES | wc -w) example projects, $JOBS at a time (each in the sandbox, traced, offline)"
mkdir -p "$DIR/analyses"
# The example written for a newer Python runs as a matrix: the host's Python and the image's.
MATRIX=""
[ -n "$IMAGE" ] && MATRIX="--image host --image $IMAGE"
export PYTI INDEX DIR MATRIX
printf '%s\n' $EXAMPLES | xargs -P "$JOBS" -I{} sh -c '
  m=""; [ "{}" = newpython ] && m="$MATRIX"
  "$PYTI" analyze --log-level warn --index-url "$INDEX" --allow-private-index --data-dir "$DIR" $m \
    --out "$DIR/analyses/{}" "pyti-example-{}" > "$DIR/analyses/{}.txt" 2>&1
  echo "demo: analysed pyti-example-{} (exit $?)"
' || true

echo
printf '%-28s %-18s %-26s %-9s %s\n' PROJECT VERDICT TESTS COVERAGE FINDINGS
for e in $EXAMPLES; do
  rep="$DIR/analyses/$e/report.json"
  if [ ! -f "$rep" ]; then
    printf '%-28s %s\n' "pyti-example-$e" "no report: see $DIR/analyses/$e.txt"
    continue
  fi
  /usr/bin/python3 - "$rep" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
# A matrix report keeps each environment's results in its cell: show the first applicable one.
cells = [c for c in r.get("matrix") or [] if c["verdict"] != "not-applicable"] or r.get("matrix") or [r]
t = (cells[0].get("tests") or {}).get("results") or {}
c = t.get("counts") or {}
tests = "%d passed, %d failed, %d err" % (c.get("passed", 0), c.get("failed", 0), c.get("errors", 0)) if c else "-"
cov = (cells[0].get("tests") or {}).get("coverage")
cov = "%.2f%%" % cov["percent"] if cov else "-"
f = r.get("findings") or []
worst = f[0]["severity"] if f else ""
print("%-28s %-18s %-26s %-9s %s" % (r.get("project") or r["request"]["spec"], r["verdict"], tests, cov,
      ("%d (worst: %s)" % (len(f), worst)) if f else "none"))
for c in r.get("matrix") or []:
    print("  on %-24s %s" % ("%s (Python %s)" % (c["image"]["name"], c["image"]["python"]), c["verdict"]))
PY
done
echo
echo "demo: reports and raw data are in $DIR/analyses/NAME/ (report.json, raw/)"
if "$PYTI" help serve >/dev/null 2>&1; then
  echo "demo: starting the web UI on the results (Ctrl-C to stop)"
  "$PYTI" serve --data-dir "$DIR" --workers 0 --nats-listen 127.0.0.1:-1 --listen "${PYTI_DEMO_LISTEN:-127.0.0.1:8080}" &
  SERVE_PID=$!
  wait "$SERVE_PID"
fi
