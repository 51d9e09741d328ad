#!/usr/bin/env bash
# Builds and runs Gerbang on its embedded PostgreSQL (data under ./.gerbang unless Gerbang__DataDir says
# otherwise), listening on http://localhost:8080 unless --urls or ASPNETCORE_URLS says otherwise.
set -euo pipefail
cd "$(dirname "$0")"
if [ -z "${ConnectionStrings__Gerbang:-}" ]; then
  scripts/ensure-postgres.sh
fi
dotnet build src/Gerbang.Api -c Release -nologo -v q
exec dotnet src/Gerbang.Api/bin/Release/net10.0/Gerbang.Api.dll "$@"
