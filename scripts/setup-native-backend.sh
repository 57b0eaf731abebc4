#!/usr/bin/env bash
# Builds the native `tensorflow` backend (@tensorflow/tfjs-node) without its usual download, into a
# prefix of its own, and prints that prefix on stdout. Point the engine at it with
#   export LLM_TUTOR_TFJS_NODE="$(scripts/setup-native-backend.sh)"
# The project's node_modules is not touched: without that variable, `auto`, `--backend tensorflow`
# and every test behave as if tfjs-node were absent.
#
# How: tfjs-node's install script (unchanged) downloads libtensorflow from
# ${TFJS_NODE_BASE_URI}cpu-linux-x86_64-2.9.1.tar.gz, then builds its addon. The `tensorflow-cpu`
# wheel from the Python package index holds the same C API (libtensorflow_cc.so.2 exports it) and
# its headers, so we lay those out as that tarball and serve it from 127.0.0.1.
#
# Idempotent: a warm cache returns in well under a second. Safe to run concurrently (flock).
# Measured on the 2-core build machine: about 40 s the first time (wheel 2 s from the local index,
# tarball 5 s, npm install with the addon compiled 31 s, smoke check 1 s); 1.1 GB kept, 2.3 GB at
# the peak (the wheel and the tarball are deleted at the end).
# Failures exit non-zero with the reason on the last line of stderr (.ci/run passes it on to the
# tests, which then report the native tests as skipped with that reason).
# Env: LLM_TUTOR_NATIVE_CACHE (default ~/.cache/llm-tutor-native),
#      LLM_TUTOR_NATIVE_KEEP_WHEEL=1 (keep the 270 MB wheel in the cache after a build).
set -euo pipefail

# Pinned. The wheel's C API must be a superset of what tfjs-node's binding calls (it has been since
# TF 2.9); bump both together and check `npm test -- native` passes.
TF_WHEEL_VERSION=2.21.0
TFJS_NODE_VERSION=4.22.0
# Bump when the recipe below changes, so existing caches are rebuilt.
RECIPE=1
# The name tfjs-node's install.js asks for (its LIBTENSORFLOW_VERSION is 2.9.1 in 4.22.0).
TARBALL=cpu-linux-x86_64-2.9.1.tar.gz

CACHE="${LLM_TUTOR_NATIVE_CACHE:-$HOME/.cache/llm-tutor-native}"
PREFIX="$CACHE/tfjs-node-$TFJS_NODE_VERSION-tf-$TF_WHEEL_VERSION"
MARKER="$PREFIX/.setup-complete"
# The addon is built against Node's N-API (stable across versions), but rebuild on a Node upgrade
# anyway, like the e2e cache.
EXPECTED="tfjs-node=$TFJS_NODE_VERSION tensorflow-cpu=$TF_WHEEL_VERSION recipe=$RECIPE node-abi=$(node -p process.versions.modules) arch=$(uname -m)"

log() { printf '[native setup] %s\n' "$*" >&2; }
fail() {
  log "FAILED: $*"
  exit 1
}
now() { date +%s.%N; }
STEP_START=$(now)
TOTAL_START=$STEP_START
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%6.1fs", b - a }'; }
step_done() {
  log "$(printf '%-48s' "$1") $(elapsed "$STEP_START")"
  STEP_START=$(now)
}

cache_ok() {
  [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$EXPECTED" ] &&
    compgen -G "$PREFIX/node_modules/@tensorflow/tfjs-node/lib/napi-v*/tfjs_binding.node" >/dev/null
}

if cache_ok; then
  log "cache is warm: $PREFIX"
  echo "$PREFIX"
  exit 0
fi

# --- 0. Can this machine run it at all? ------------------------------------------------------------
[ "$(uname -s)" = Linux ] && [ "$(uname -m)" = x86_64 ] ||
  fail "the tensorflow-cpu wheel recipe is for Linux x86_64, this is $(uname -s) $(uname -m)"
grep -qw avx /proc/cpuinfo || fail "this CPU lacks AVX, which the tensorflow-cpu $TF_WHEEL_VERSION wheel requires"
for tool in pip python3 g++ make tar; do
  command -v "$tool" >/dev/null 2>&1 || fail "'$tool' is not installed (needed to build the tfjs-node addon)"
done

mkdir -p "$CACHE"
exec 9>"$CACHE/.setup.lock"
flock 9 # another setup may be running: wait for it, then re-check
if cache_ok; then
  log "cache is warm: $PREFIX"
  echo "$PREFIX"
  exit 0
fi

# Built in a staging directory and renamed at the end: an interrupted run leaves no half cache.
rm -rf "$PREFIX" "$PREFIX".staging-* "$CACHE"/serve-*
STAGE="$PREFIX.staging-$$"
SERVE="$CACHE/serve-$$"
SERVER_PID=
cleanup() {
  [ -z "$SERVER_PID" ] || kill "$SERVER_PID" 2>/dev/null || true
  rm -rf "$STAGE" "$SERVE"
}
trap cleanup EXIT
mkdir -p "$STAGE" "$SERVE"

# Step output goes to a log (its tail is shown on failure).
SETUP_LOG="$CACHE/setup.log"
: >"$SETUP_LOG"
run() {
  local what="$1"
  shift
  if ! "$@" >>"$SETUP_LOG" 2>&1; then
    tail -n 30 "$SETUP_LOG" >&2
    fail "$what (full log: $SETUP_LOG)"
  fi
}

# --- 1. The wheel ----------------------------------------------------------------------------------
# Binary only, for CPython 3.11 on manylinux x86_64 whatever the local Python is: only its shared
# libraries and headers are used, never Python.
WHEEL_DIR="$CACHE/wheel"
WHEEL=$(compgen -G "$WHEEL_DIR/tensorflow_cpu-$TF_WHEEL_VERSION-*.whl" | head -n 1 || true)
if [ -z "$WHEEL" ]; then
  run "pip download tensorflow-cpu==$TF_WHEEL_VERSION" \
    pip download --no-deps --only-binary=:all: --python-version 3.11 --implementation cp --abi cp311 \
    --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
    --retries 1 --timeout 60 -d "$WHEEL_DIR" "tensorflow-cpu==$TF_WHEEL_VERSION"
  WHEEL=$(compgen -G "$WHEEL_DIR/tensorflow_cpu-$TF_WHEEL_VERSION-*.whl" | head -n 1 || true)
  [ -n "$WHEEL" ] || fail "pip download left no tensorflow_cpu-$TF_WHEEL_VERSION wheel in $WHEEL_DIR"
fi
step_done "wheel $(basename "$WHEEL")"

# --- 2. The tarball tfjs-node's install.js expects: lib/ + include/ --------------------------------
# Written straight from the wheel (no unpacked copy). Plain tar under the .tar.gz name: node-tar
# detects the format, and gzip would only cost a minute of CPU.
run "lay the wheel's libraries and C headers out as $TARBALL" python3 - "$WHEEL" "$SERVE/$TARBALL" <<'PY'
import sys, tarfile, time, zipfile
wheel, out = sys.argv[1], sys.argv[2]
libs = {"tensorflow/libtensorflow_cc.so.2", "tensorflow/libtensorflow_framework.so.2"}
header_dirs = ("tensorflow/include/tensorflow/c/", "tensorflow/include/xla/tsl/c/")
# tfjs-node links -ltensorflow -ltensorflow_framework and checks for libtensorflow.so.2.9.1; the _cc
# library exports the whole C API.
links = {
    "lib/libtensorflow.so": "libtensorflow_cc.so.2",
    "lib/libtensorflow.so.2": "libtensorflow_cc.so.2",
    "lib/libtensorflow.so.2.9.1": "libtensorflow_cc.so.2",
    "lib/libtensorflow_framework.so": "libtensorflow_framework.so.2",
}
now = int(time.time())
found = set()
with zipfile.ZipFile(wheel) as z, tarfile.open(out, "w", format=tarfile.GNU_FORMAT) as tar:
    for info in z.infolist():
        name = info.filename
        if name in libs:
            arcname, mode = "lib/" + name.split("/")[-1], 0o755
            found.add(name)
        elif name.endswith(".h") and (name.startswith(header_dirs) or (name.startswith("tensorflow/include/") and "ctstring" in name)):
            arcname, mode = "include/" + name[len("tensorflow/include/"):], 0o644
        else:
            continue
        entry = tarfile.TarInfo(arcname)
        entry.size, entry.mode, entry.mtime = info.file_size, mode, now
        with z.open(info) as src:
            tar.addfile(entry, src)
    for arcname, target in links.items():
        entry = tarfile.TarInfo(arcname)
        entry.type, entry.linkname, entry.mode, entry.mtime = tarfile.SYMTYPE, target, 0o777, now
        tar.addfile(entry)
missing = libs - found
if missing:
    sys.exit(f"not in the wheel: {sorted(missing)}")
PY
step_done "tarball $TARBALL ($(du -sh "$SERVE/$TARBALL" | cut -f1))"

# --- 3. Serve it on 127.0.0.1 (a free port) --------------------------------------------------------
PORT_FILE="$SERVE/port"
node -e '
  const http = require("http"), fs = require("fs"), path = require("path");
  const [dir, portFile] = process.argv.slice(1);
  const server = http.createServer((req, res) => {
    const file = path.join(dir, path.basename(decodeURIComponent(req.url.split("?")[0])));
    fs.stat(file, (error, stat) => {
      if (error || !stat.isFile()) { res.writeHead(404).end(); return; }
      res.writeHead(200, { "content-length": stat.size });
      fs.createReadStream(file).pipe(res);
    });
  });
  server.listen(0, "127.0.0.1", () => fs.writeFileSync(portFile, String(server.address().port)));
' "$SERVE" "$PORT_FILE" >>"$SETUP_LOG" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do
  [ -s "$PORT_FILE" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the local file server did not start (see $SETUP_LOG)"
  sleep 0.1
done
[ -s "$PORT_FILE" ] || fail "the local file server did not report its port"
export TFJS_NODE_BASE_URI="http://127.0.0.1:$(cat "$PORT_FILE")/"
step_done "serving at $TFJS_NODE_BASE_URI"

# --- 4. npm install tfjs-node into the staging prefix ----------------------------------------------
export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# node-gyp must use the local Node headers; otherwise it tries to download them.
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node_api.h ]; then
  export npm_config_nodedir=/usr
fi
# No proxy for the local server (install.js honours HTTP(S)_PROXY for every URL).
export NO_PROXY="127.0.0.1${NO_PROXY:+,$NO_PROXY}" no_proxy="127.0.0.1${no_proxy:+,$no_proxy}"
unset HTTP_PROXY http_proxy HTTPS_PROXY https_proxy
printf '{ "private": true, "description": "llm-tutor: the native TensorFlow.js backend, built by scripts/setup-native-backend.sh" }\n' \
  >"$STAGE/package.json"
# npm runs install scripts with the cwd set to the package; node-pre-gyp first tries the prebuilt
# addon's host (fails at once offline), then builds from source against the tarball's headers.
run "npm install @tensorflow/tfjs-node@$TFJS_NODE_VERSION" \
  npm install --prefix "$STAGE" --no-package-lock --foreground-scripts "@tensorflow/tfjs-node@$TFJS_NODE_VERSION"
kill "$SERVER_PID" 2>/dev/null || true
SERVER_PID=
rm -rf "$SERVE"
TFJS_NODE_DIR="$STAGE/node_modules/@tensorflow/tfjs-node"
compgen -G "$TFJS_NODE_DIR/lib/napi-v*/tfjs_binding.node" >/dev/null ||
  fail "npm install finished but built no tfjs_binding.node (see $SETUP_LOG)"
# The addon's build tree (object files) is not needed at run time.
rm -rf "$TFJS_NODE_DIR/build"
step_done "npm install @tensorflow/tfjs-node@$TFJS_NODE_VERSION (addon built)"

# --- 5. Smoke check, then publish the prefix -------------------------------------------------------
run "load tfjs-node and run a matmul" node -e '
  const tf = require(process.argv[1]);
  if (tf.getBackend() !== "tensorflow") throw new Error("backend is " + tf.getBackend());
  const y = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])).dataSync();
  if (y[0] !== 17 || y[1] !== 39) throw new Error("wrong matmul: " + y);
  console.log("tfjs-node loads: " + tf.version["tfjs-node"] + ", backend " + tf.getBackend());
' "$TFJS_NODE_DIR"
mv "$STAGE" "$PREFIX"
trap - EXIT
echo "$EXPECTED" >"$MARKER"
[ "${LLM_TUTOR_NATIVE_KEEP_WHEEL:-0}" = 1 ] || rm -rf "$WHEEL_DIR"
step_done "smoke check"
log "$(printf '%-48s' total) $(elapsed "$TOTAL_START")  ($(du -sh "$PREFIX" | cut -f1) in $PREFIX)"
echo "$PREFIX"
