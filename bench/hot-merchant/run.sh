#!/usr/bin/env bash
# Hot merchant: payments paid (provider notification → ledger → event) for one merchant versus the same
# number spread across 100 merchants, in one run on a fresh embedded PostgreSQL.
#   bench/hot-merchant/run.sh [payments=2000] [concurrency=32]
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=18580
scripts/ensure-postgres.sh
DATA=$(mktemp -d /tmp/gerbang-hot-XXXXXX)
chmod 755 "$DATA"
cleanup() { [ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT

dotnet build src/Gerbang.Api -c Release -nologo -v q >/dev/null
dotnet build bench/hot-merchant -c Release -nologo -v q >/dev/null
Gerbang__RateLimits__MerchantPerSecond=1000000 Gerbang__RateLimits__MerchantBurst=1000000 Gerbang__DataDir="$DATA" \
  Gerbang__BootstrapAdmin__Email=bench@gerbang.local Gerbang__BootstrapAdmin__Password=bench-password-123 \
  Logging__LogLevel__Default=Warning ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  dotnet src/Gerbang.Api/bin/Release/net10.0/Gerbang.Api.dll >"$DATA/gerbang.log" 2>&1 &
PID=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done
PGPORT=$(sed -n 4p "$DATA/postgres/data/postmaster.pid"); export PGPORT; PGPASSWORD=$(cat "$DATA/postgres.password"); export PGPASSWORD
dotnet bench/hot-merchant/bin/Release/net10.0/HotMerchant.dll "http://127.0.0.1:$PORT" bench@gerbang.local bench-password-123 "${1:-2000}" "${2:-32}"
