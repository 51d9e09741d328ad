#!/usr/bin/env bash
# Makes sure the PostgreSQL server programs (initdb, pg_ctl) are on this machine. Installs Debian's
# package when running as root; otherwise says what to install and stops.
set -euo pipefail

have_pg() {
  command -v initdb >/dev/null 2>&1 && return 0
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null 2>&1
}

if have_pg; then
  exit 0
fi

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "PostgreSQL server binaries not found: installing Debian's postgresql package..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq postgresql >/dev/null
  have_pg && exit 0
fi

cat >&2 <<'MSG'
Gerbang needs the PostgreSQL server programs (initdb, pg_ctl) for its embedded database.
Install them, for example:   sudo apt-get install postgresql
or point Gerbang at an existing database with ConnectionStrings__Gerbang=...
MSG
exit 1
