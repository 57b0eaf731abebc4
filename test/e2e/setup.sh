#!/usr/bin/env bash
# Installs what the end-to-end tests need, once, into a cache outside the repository:
#   - Debian packages: chromium (the browser Playwright drives), fonts-wqy-zenhei (a CJK font, so
#     screenshots of the Chinese UI show characters, not boxes), ripgrep (VS Code's search
#     binary, copied into code-server), a C++ toolchain (to build native modules);
#   - code-server (a real VS Code served over HTTP) with its native modules built locally,
#     because its install scripts would download prebuilt binaries, which fails offline.
# Idempotent: a warm cache returns in well under a second. Safe to run concurrently (flock).
# Env: LLM_TUTOR_E2E_CACHE (default ~/.cache/llm-tutor-e2e).
set -euo pipefail

CODE_SERVER_VERSION=4.96.4
# Bump when the recipe below changes, so existing caches are rebuilt.
RECIPE=2
CACHE="${LLM_TUTOR_E2E_CACHE:-$HOME/.cache/llm-tutor-e2e}"
DIR="$CACHE/code-server-$CODE_SERVER_VERSION"
MARKER="$DIR/.setup-complete"
# Native modules are tied to Node's ABI: a Node upgrade must rebuild them.
EXPECTED="code-server=$CODE_SERVER_VERSION recipe=$RECIPE node-abi=$(node -p process.versions.modules) arch=$(uname -m)"

log() { printf '[e2e setup] %s\n' "$*" >&2; }
now() { date +%s.%N; }
STEP_START=$(now)
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%6.1fs", b - a }'; }
step_done() { log "$(printf '%-44s' "$1") $(elapsed "$STEP_START")"; STEP_START=$(now); }
TOTAL_START=$(now)

have_browser() { command -v chromium >/dev/null 2>&1; }
# A CJK font for Chromium (the zh-cn scenarios' screenshots); any installed one will do.
have_cjk_font() { [ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || fc-list :lang=zh 2>/dev/null | grep -q .; }
cache_ok() {
  [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$EXPECTED" ] &&
    [ -f "$DIR/node_modules/code-server/out/node/entry.js" ]
}

# Fast path: nothing to do (no lock, no apt, no npm).
if have_browser && have_cjk_font && cache_ok; then
  log "cache is warm: $DIR"
  exit 0
fi

mkdir -p "$CACHE"
exec 9>"$CACHE/.setup.lock"
flock 9 # another setup may be running: wait for it, then re-check

# --- 1. Debian packages -------------------------------------------------------------------------
missing=()
have_browser || missing+=(chromium)
have_cjk_font || missing+=(fonts-wqy-zenhei)
if ! cache_ok; then # build-time needs only
  command -v rg >/dev/null 2>&1 || missing+=(ripgrep)
  command -v make >/dev/null 2>&1 || missing+=(make)
  command -v g++ >/dev/null 2>&1 || missing+=(g++)
  command -v python3 >/dev/null 2>&1 || missing+=(python3)
fi
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=
  [ "$(id -u)" = 0 ] || SUDO=sudo
  log "apt-get install ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  step_done "apt-get install ${missing[*]}"
fi

if cache_ok; then
  log "code-server cache is warm: $DIR"
  exit 0
fi

# --- 2. code-server -------------------------------------------------------------------------------
# Built in a staging directory and renamed at the end: an interrupted run leaves no half cache.
rm -rf "$DIR" "$DIR".staging-*
STAGE="$DIR.staging-$$"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE"

# Step output goes to a log (shown on failure only).
SETUP_LOG="$CACHE/setup.log"
: >"$SETUP_LOG"
run() {
  if ! "$@" >>"$SETUP_LOG" 2>&1; then
    log "FAILED: $*  (last lines of $SETUP_LOG below)"
    tail -n 40 "$SETUP_LOG" >&2
    exit 1
  fi
}

export npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# node-gyp must use the local Node headers; otherwise it tries to download them (no network).
if [ -z "${npm_config_nodedir:-}" ] && [ -f /usr/include/node/node.h ]; then
  export npm_config_nodedir=/usr
fi

# code-server's postinstall (npm install in lib/vscode) cannot work offline: skip all scripts.
run npm install --prefix "$STAGE" --ignore-scripts --no-save "code-server@$CODE_SERVER_VERSION"
CS="$STAGE/node_modules/code-server"
VSCODE="$CS/lib/vscode"
step_done "npm install code-server@$CODE_SERVER_VERSION"

# lib/vscode pins @vscode/proxy-agent to a git URL: drop resolved/integrity so npm takes the same
# version (0.27.0) from the registry.
run node -e '
  const fs = require("fs"), file = process.argv[1], lock = JSON.parse(fs.readFileSync(file, "utf8"));
  for (const [name, entry] of Object.entries(lock.packages ?? {})) {
    if (typeof entry.resolved === "string" && /^git[+:]/.test(entry.resolved)) {
      delete entry.resolved; delete entry.integrity;
      console.log("unpinned git dependency " + name);
    }
  }
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + "\n");
' "$VSCODE/npm-shrinkwrap.json"
run npm install --prefix "$VSCODE" --omit=dev --ignore-scripts
# Built-in extensions' shared deps: the TypeScript server (without it, opening a .ts/.js file
# shows an error notification). postinstall.mjs only trims that package.
run npm install --prefix "$VSCODE/extensions" --omit=dev --ignore-scripts
run node "$VSCODE/extensions/postinstall.mjs"
step_done "npm install lib/vscode + extensions"

# Native modules of VS Code's server, built from source against the local Node headers:
# spdlog (the server does not start without it), native-watchdog (extension host), node-pty
# (terminals). Not needed: kerberos (only for Kerberos proxy auth, loaded lazily; so no
# libkrb5-dev either), @vscode/deviceid (falls back to a random id), @parcel/watcher (ships
# prebuilds for linux-x64).
run npm rebuild --prefix "$VSCODE" @vscode/spdlog native-watchdog node-pty
step_done "npm rebuild VS Code native modules"

# @vscode/ripgrep's postinstall downloads rg: use Debian's.
mkdir -p "$VSCODE/node_modules/@vscode/ripgrep/bin"
cp "$(command -v rg)" "$VSCODE/node_modules/@vscode/ripgrep/bin/rg"
# What code-server's postinstall would do.
ln -sfn node_modules "$VSCODE/node_modules.asar"

# argon2 (password hashing; loaded at start even with --auth none). npm hoists it to the prefix's
# node_modules, not code-server's own.
ARGON2="$STAGE/node_modules/argon2"
[ -d "$ARGON2" ] || ARGON2="$CS/node_modules/argon2"
run bash -c 'cd "$1" && npx --no-install node-pre-gyp install --fallback-to-build --build-from-source' _ "$ARGON2"
step_done "build argon2, copy rg, link node_modules.asar"

# Smoke check: the server's own modules load.
run bash -c 'cd "$1" && node -e "for (const m of process.argv.slice(1)) require(m)" @vscode/spdlog native-watchdog node-pty @parcel/watcher' _ "$VSCODE"
run bash -c 'cd "$1" && node -e "require(\"argon2\")"' _ "$CS"
run "$VSCODE/node_modules/@vscode/ripgrep/bin/rg" --version

mv "$STAGE" "$DIR"
trap - EXIT
echo "$EXPECTED" >"$MARKER"
log "$(printf '%-44s' total) $(elapsed "$TOTAL_START")  ($(du -sh "$DIR" | cut -f1) in $DIR)"
