#!/usr/bin/env bash
# The one test command (README, .ci/run): installs what is missing on a fresh Debian machine, then runs lint,
# the type-check and every test suite inside a throw-away D-Bus session with an unlocked, headless gnome-keyring.
set -euo pipefail
cd "$(dirname "$0")/.."

# gdbus (libglib2.0-bin) locks the keyring in the fault tests; openssl makes the TLS test certificate; tmux is the
# pseudo-terminal of the exec signal tests; fish and python3-dotenv read what `setup shell` and `env --format dotenv` write.
debs=(gnome-keyring dbus dbus-x11 libsecret-1-0 chromium libglib2.0-bin openssl tmux fish python3-dotenv python3-hvac)
missing=()
for p in "${debs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p"); done
if ((${#missing[@]})); then
  echo "test: installing Debian packages: ${missing[*]}"
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# npm ci when node_modules is missing or older than the lock file; `prepare` builds dist/.
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
npm run --silent build

# The real LLM clients of test/tools/ (test-only, ~900 MB, own lock file): installed when missing or stale.
if [ ! -d test/tools/node_modules ] || [ test/tools/package-lock.json -nt test/tools/node_modules/.package-lock.json ]; then
  (cd test/tools && npm ci --no-audit --no-fund)
fi

if ((! $#)); then
  echo "test: lint"; npx eslint .
  echo "test: type-check"; npx tsc -p tsconfig.json --noEmit
fi

# `bash test/run.sh FILE…` runs just those test files (same keyring session); no arguments runs every suite.
if (($#)); then files=("$@"); else mapfile -t files < <(find test -name '*.test.ts' -not -path '*/node_modules/*' | sort); fi
if ((${#files[@]} == 0)); then echo "test: no test files found" >&2; exit 1; fi

export KEYFOB_TEST_TMP; KEYFOB_TEST_TMP=$(mktemp -d)
export HOME="$KEYFOB_TEST_TMP/home"; mkdir -p "$HOME"
mkdir -p test-results
exec dbus-run-session -- bash -c '
  set -euo pipefail
  echo -n keyfob-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  node --import tsx --test --test-concurrency=2 --test-reporter=spec "$@"
' bash "${files[@]}"
