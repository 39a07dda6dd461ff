#!/usr/bin/env bash
# Idempotent set-up of everything the app and its tests need: Debian Chromium, npm packages, the Python venv.
# Fast when already done; `npm run demo` and `npm test` call it first.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/chromium ]; then
  echo "setup: installing Debian chromium (browser-mode tests)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi
fi

# onnxruntime-node would fetch CUDA libraries at install time; its CPU binaries ship in the package.
# better-sqlite3 compiles from source against the installed Node headers.
export ONNXRUNTIME_NODE_INSTALL=skip npm_config_nodedir=${npm_config_nodedir:-/usr}
stamp=node_modules/.dermaread-lock-hash
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

py_stamp=.venv/.dermaread-deps-hash
py_hash=$(sha256sum training/pyproject.toml | cut -d' ' -f1)
if [ ! -f "$py_stamp" ] || [ "$(cat "$py_stamp")" != "$py_hash" ]; then
  echo "setup: Python venv (.venv) from training/pyproject.toml"
  if [ ! -x .venv/bin/python ]; then
    # PyPI's torch for x86_64 is the CUDA build: the new venv takes about 6 GiB.
    free_mib=$(( $(df -Pk . | awk 'NR == 2 {print $4}') / 1024 ))
    if [ "$free_mib" -lt 7168 ]; then
      echo "setup: only $free_mib MiB free on the disk of $(pwd); the Python venv needs about 7 GiB" >&2
      exit 1
    fi
    python3 -m venv .venv
  fi
  .venv/bin/python - <<'PY' > .venv/requirements.txt
import tomllib
print("\n".join(tomllib.load(open("training/pyproject.toml", "rb"))["project"]["dependencies"]))
PY
  .venv/bin/pip install -q -r .venv/requirements.txt
  echo "$py_hash" > "$py_stamp"
fi
