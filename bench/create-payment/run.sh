#!/usr/bin/env bash
# Create-payment throughput: Gerbang (Release, embedded PostgreSQL with durable commits, the in-process
# simulator provider reached over HTTP) under wrk with 64 connections after a warm-up, then pgbench
# running a transaction of the same shape on the same database with prepared statements (as Gerbang
# uses). Prints both rates, both sides' p50/p99 (Gerbang's also at 16 connections) and the ratio.
#   bench/create-payment/run.sh [seconds=20]        WARMUP=45 (seconds) by default: tiered JIT settles after ~35 s here
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-20}"
CONNECTIONS=64
PORT=18480

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
command -v pgbench >/dev/null || { apt-get update -qq && apt-get install -y -qq postgresql-contrib; }
scripts/ensure-postgres.sh

DATA=$(mktemp -d /tmp/gerbang-bench-XXXXXX)
chmod 755 "$DATA"
cleanup() { [ -n "${PID:-}" ] && kill -TERM "$PID" 2>/dev/null && wait "$PID" 2>/dev/null; rm -rf "$DATA"; }
trap cleanup EXIT

dotnet build src/Gerbang.Api -c Release -nologo -v q >/dev/null
Gerbang__RateLimits__MerchantPerSecond=1000000 Gerbang__RateLimits__MerchantBurst=1000000 Gerbang__DataDir="$DATA" Gerbang__BootstrapAdmin__Email=bench@gerbang.local Gerbang__BootstrapAdmin__Password=bench-password-123 \
  Logging__LogLevel__Default=Warning ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  dotnet src/Gerbang.Api/bin/Release/net10.0/Gerbang.Api.dll >"$DATA/gerbang.log" 2>&1 &
PID=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done

B="http://127.0.0.1:$PORT"
TOKEN=$(curl -sf "$B/admin/v1/login" -H 'Content-Type: application/json' -d '{"email":"bench@gerbang.local","password":"bench-password-123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
read -r MERCHANT KEY < <(curl -sf "$B/admin/v1/merchants" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"Bench","reason":"benchmark"}' \
  | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["id"], d["secret_key"])')

PGPORT=$(sed -n 4p "$DATA/postgres/data/postmaster.pid")
export PGPASSWORD
PGPASSWORD=$(cat "$DATA/postgres.password")
# Each measured phase starts right after a checkpoint, so neither side has one forced into its window
# by the other's writes.
checkpoint() { psql -h 127.0.0.1 -p "$PGPORT" -U postgres -qAt -c 'CHECKPOINT' gerbang; }

# Warm up the JIT and connection pools, then measure.
GERBANG_KEY="$KEY" wrk -t2 -c"$CONNECTIONS" -d"${WARMUP:-45}s" -s bench/create-payment/post.lua "$B" >/dev/null
checkpoint
GERBANG_RESULT=$(GERBANG_KEY="$KEY" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/create-payment/post.lua "$B" | grep '^RESULT')
LOW_RESULT=$(GERBANG_KEY="$KEY" wrk -t2 -c16 -d10s --latency -s bench/create-payment/post.lua "$B" | grep '^RESULT')

sed "s/@MERCHANT@/$MERCHANT/g" bench/create-payment/same-shape.sql >"$DATA/same-shape.sql"
checkpoint
# A tenth of pgbench's transactions are logged, for its own latency percentiles.
PGBENCH=$(cd "$DATA" && pgbench -h 127.0.0.1 -p "$PGPORT" -U postgres -n -M prepared -c "$CONNECTIONS" -j 2 -T "$DURATION" \
  --log --log-prefix="$DATA/pgbench" --sampling-rate=0.1 -f "$DATA/same-shape.sql" gerbang 2>&1)
PG_TPS=$(echo "$PGBENCH" | sed -n 's/^tps = \([0-9.]*\).*/\1/p' | head -1)
PG_LATENCY=$(cat "$DATA"/pgbench.* | awk '{print $3}' | sort -n | awk '{a[NR]=$1} END {printf "%.2f %.2f", a[int(NR*0.5)]/1000, a[int(NR*0.99)]/1000}')

python3 - "$GERBANG_RESULT" "$PG_TPS" "$LOW_RESULT" "$PG_LATENCY" <<'PY'
import sys
fields = dict(kv.split("=") for kv in sys.argv[1].split()[1:])
low = dict(kv.split("=") for kv in sys.argv[3].split()[1:])
rps, pg = float(fields["rps"]), float(sys.argv[2])
pg_p50, pg_p99 = (float(x) for x in sys.argv[4].split())
print(f"gerbang POST /v1/payments: {rps:.0f} req/s  p50 {float(fields['p50_ms']):.2f} ms  p99 {float(fields['p99_ms']):.2f} ms  non-2xx {fields['non2xx']}  socket errors {fields['socket_errors']}")
print(f"  at 16 connections:        {float(low['rps']):.0f} req/s  p50 {float(low['p50_ms']):.2f} ms  p99 {float(low['p99_ms']):.2f} ms")
print(f"pgbench same-shape txn:    {pg:.0f} tps  p50 {pg_p50:.2f} ms  p99 {pg_p99:.2f} ms (prepared, 64 clients)")
print(f"ratio gerbang/pgbench:     {rps / pg:.2f}   (target >= 0.50, p99 < 25 ms)")
PY
