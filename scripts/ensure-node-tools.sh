#!/usr/bin/env bash
# The OpenAPI checks run third-party tools from npm (the Redocly linter, openapi-typescript and
# TypeScript), pinned in tests/openapi/package-lock.json. Installs Node.js from Debian when running as
# root and it is missing, then the pinned packages.
set -euo pipefail
cd "$(dirname "$0")/../tests/openapi"

if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "npm not found: installing Debian's nodejs and npm packages for the OpenAPI checks..." >&2
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null
    apt-get install -y -qq nodejs npm >/dev/null
  else
    echo "The OpenAPI checks need Node.js and npm:   sudo apt-get install nodejs npm" >&2
    exit 1
  fi
fi

if [ ! -x node_modules/.bin/redocly ] || [ ! -x node_modules/.bin/openapi-typescript ] || [ ! -x node_modules/.bin/tsc ] \
   || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi
