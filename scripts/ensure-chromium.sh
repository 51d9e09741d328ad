#!/usr/bin/env bash
# The browser tests drive Debian's headless Chromium (/usr/bin/chromium); nothing downloads a browser.
# Installs the package when running as root; otherwise says what to install and stops.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "Chromium not found: installing Debian's chromium package for the browser tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq chromium fonts-liberation >/dev/null
  [ -x /usr/bin/chromium ] && exit 0
fi

cat >&2 <<'MSG'
The browser tests need Debian's Chromium at /usr/bin/chromium:   sudo apt-get install chromium
MSG
exit 1
