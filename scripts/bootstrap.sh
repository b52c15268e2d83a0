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
# Why each one is installed (printed before installing, so nothing arrives unexplained).
declare -A WHY=(
  [gcc]="compiles the scoring core with mypyc (it runs as pure Python without it)"
  [python3-dev]="the Python headers mypyc compiles against"
  [dovecot-imapd]="a real IMAP server for the sync, IDLE and report tests (they start their own)"
  [openssl]="makes the test CA and certificates"
  [swaks]="a real SMTP client for the proxy tests"
  [libnet-ssleay-perl]="STARTTLS for swaks"
  [thunderbird]="the add-on's end-to-end test runs a real Thunderbird (headless)"
  [xvfb]="a virtual display for Thunderbird in the end-to-end test"
  [xauth]="access to that virtual display"
  [libnss3-tools]="certutil: the test CA in Thunderbird's profile"
  [imagemagick]="screenshots under Xvfb"
  [nodejs]="the add-on's tests (node --test) and web-ext lint"
  [npm]="installs web-ext for the add-on's lint"
  [prometheus]="a real Prometheus scrapes the daemon in the metrics tests (they start their own)"
)
# System services that Debian packages enable at boot but the tests do not use: each test
# starts its own server on a free port. Disabled (and stopped) right after installing.
SERVICES_NOT_NEEDED=(dovecot prometheus)

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
# Stop and disable the boot service of a package installed just now (never one the
# machine had before: someone may use that Dovecot).
disable_service() {
  local service=$1
  [ -e "/etc/init.d/$service" ] || [ -e "/lib/systemd/system/$service.service" ] || return 0
  echo "bootstrap: disabling the system service $service (the tests start their own)"
  if [ -d /run/systemd/system ]; then
    $SUDO systemctl disable --now "$service" >/dev/null 2>&1 || true
  else
    $SUDO systemctl disable "$service" >/dev/null 2>&1 || true     # the unit's links
    $SUDO service "$service" stop >/dev/null 2>&1 || true
    $SUDO update-rc.d "$service" disable >/dev/null 2>&1 || true
  fi
}

if [ "${#missing[@]}" -gt 0 ]; then
  echo "bootstrap: installing ${#missing[@]} Debian packages with apt-get (and what they need;"
  echo "           on a fresh machine about 90 s, most of it Thunderbird):"
  for pkg in "${missing[@]}"; do
    printf '  %-20s %s\n' "$pkg" "${WHY[$pkg]:-}"
  done
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "bootstrap: apt-get update"
  $SUDO apt-get update -qq
  # progress: one line per package set up (apt's own bar needs a terminal); the whole
  # output goes to a log that is shown if apt-get fails
  apt_log=$(mktemp -t trustmail-apt.XXXXXX)
  status=0
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends \
      "${missing[@]}" 2>&1 | tee "$apt_log" | sed -u -n 's/^Setting up \([^ ]*\).*/  set up \1/p' \
      || status=$?
  if [ "$status" -ne 0 ]; then
    echo "bootstrap: apt-get install failed (exit $status); its last lines:" >&2
    tail -n 20 "$apt_log" >&2
    exit "$status"
  fi
  rm -f "$apt_log"
  for service in "${SERVICES_NOT_NEEDED[@]}"; do
    for pkg in "${missing[@]}"; do
      case "$pkg" in "$service"|"$service"-*) disable_service "$service"; break ;; esac
    done
  done
fi

if [ ! -x "$VENV/bin/python" ]; then
  echo "bootstrap: creating $VENV"
  python3 -m venv "$VENV"
fi
stamp="$VENV/.trustmail-installed-$MODE"
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "bootstrap: installing Python packages ($MODE) into $VENV (pip; about a minute the first time)"
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
