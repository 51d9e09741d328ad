#!/usr/bin/env bash
# The trusted-proxy tests start Debian's nginx in front of Gerbang (/usr/sbin/nginx). Installs the
# package when running as root; otherwise says what to install and stops.
set -euo pipefail

if [ -x /usr/sbin/nginx ]; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "nginx not found: installing Debian's nginx package for the reverse-proxy tests..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq nginx >/dev/null
  # Only the binary is wanted: the tests start their own nginx with their own configuration.
  (command -v systemctl >/dev/null 2>&1 && systemctl disable --now nginx >/dev/null 2>&1) || true
  (command -v service >/dev/null 2>&1 && service nginx stop >/dev/null 2>&1) || true
  [ -x /usr/sbin/nginx ] && exit 0
fi

cat >&2 <<'MSG'
The reverse-proxy tests need Debian's nginx at /usr/sbin/nginx:   sudo apt-get install nginx
MSG
exit 1
