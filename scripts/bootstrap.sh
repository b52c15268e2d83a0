#!/usr/bin/env bash
# Installs everything trustmail and its test suite need on a fresh Debian machine:
# Debian packages (only the missing ones), a project virtualenv, the Python package
# in editable mode and the add-on's npm packages. Safe to run again: it skips what is there.
set -euo pipefail
cd "$(dirname "$0")/.."

MODE="${1:-test}"   # run | test
VENV="${TRUSTMAIL_VENV:-.venv}"

# Debian packages: name of the package -> a file it installs (how we know it is there).
declare -A DEB_RUN=(
  [gcc]=/usr/bin/gcc                           # mypyc compiles the scoring core (build_native.py)
)
declare -A DEB_TEST=(
  [dovecot-imapd]=/usr/sbin/dovecot
  [openssl]=/usr/bin/openssl                   # test CA + leaf cert for the test Dovecot
  [swaks]=/usr/bin/swaks
  [libnet-ssleay-perl]=/usr/share/doc/libnet-ssleay-perl/copyright   # swaks --tls (STARTTLS)
  [thunderbird]=/usr/bin/thunderbird
  [xvfb]=/usr/bin/Xvfb
  [xauth]=/usr/bin/xauth
  [libnss3-tools]=/usr/bin/certutil
  [imagemagick]=/usr/bin/import
  [nodejs]=/usr/bin/node                       # the add-on's tests (node --test) and web-ext lint
  [npm]=/usr/bin/npm
  [prometheus]=/usr/bin/prometheus             # a real Prometheus scrapes the daemon (test_metrics_prometheus)
)

missing=()
check_debs() {
  local -n table=$1
  for pkg in "${!table[@]}"; do
    [ -e "${table[$pkg]}" ] || missing+=("$pkg")
  done
}
check_debs DEB_RUN
[ "$MODE" = "test" ] && check_debs DEB_TEST
# ... and the headers of the Python the venv is made from (Debian's python3 needs python3-dev)
python3 -c 'import os, sysconfig; raise SystemExit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' \
  || missing+=(python3-dev)
if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV"
  python3 -m venv "$VENV"
fi
stamp="$VENV/.trustmail-installed-$MODE"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages ($MODE)"
  "$VENV/bin/pip" install -q --upgrade pip >/dev/null
  if [ "$MODE" = "test" ]; then
    "$VENV/bin/pip" install -q -e '.[test,bench,native]'
  else
    "$VENV/bin/pip" install -q -e '.[native]'
  fi
  touch "$stamp"
fi

# The scoring core compiled with mypyc (a no-op when build/native is fresh; without a
# C compiler it says so, and scoring runs as pure Python).
"$VENV/bin/python" scripts/build_native.py

if [ "$MODE" = "test" ] && [ -f addon/package.json ]; then
  if [ ! -d addon/node_modules ] || [ addon/package.json -nt addon/node_modules ]; then
    echo "bootstrap: installing the add-on's npm packages"
    (cd addon && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund -s; else npm install --no-audit --no-fund -s; fi)
  fi
fi
