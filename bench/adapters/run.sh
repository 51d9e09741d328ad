#!/usr/bin/env bash
# Create-payment throughput through each real adapter against the provider simulators running as
# their own process, in one run: the generic simulator provider is the baseline, and each adapter's
# rate is printed as a ratio of it (target >= 0.80).
#   bench/adapters/run.sh [seconds=10]     WARMUP=5 (seconds per provider) by default
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION="${1:-10}"
CONNECTIONS="${CONNECTIONS:-32}"
PORT=18490
SIM_PORT=18590

command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk; }
scripts/ensure-postgres.sh

DATA=$(mktemp -d /tmp/gerbang-adapters-XXXXXX)
chmod 755 "$DATA"
cleanup() {
  for p in ${PID:-} ${SIM_PID:-}; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  rm -rf "$DATA"
}
trap cleanup EXIT

dotnet build src/Gerbang.Api -c Release -nologo -v q >/dev/null
dotnet build src/Gerbang.Simulators -c Release -nologo -v q >/dev/null

# One set of made-up credentials, given to the simulators and to Gerbang's adapters alike.
rnd() { head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c "$1"; }
openssl genrsa -out "$DATA/doku.pem" 2048 2>/dev/null
openssl pkcs8 -topk8 -nocrypt -in "$DATA/doku.pem" -out "$DATA/doku-pk8.pem"
openssl rsa -in "$DATA/doku.pem" -pubout -out "$DATA/doku-pub.pem" 2>/dev/null
export Simulators__Generic__ApiKey="simk_$(rnd 32)" Simulators__Generic__WebhookSecret="sims_$(rnd 32)"
export Simulators__Midtrans__ServerKey="SB-Mid-server-$(rnd 24)" Simulators__Xendit__SecretKey="xnd_development_$(rnd 32)" Simulators__Xendit__CallbackToken="$(rnd 40)"
export Simulators__Stripe__SecretKey="sk_test_$(rnd 32)" Simulators__Stripe__WebhookSecret="whsec_$(rnd 32)"
export Simulators__Ipaymu__Va="0000001$(shuf -i 100000000-999999999 -n 1)" Simulators__Ipaymu__ApiKey="SANDBOX-$(rnd 32)"
export Simulators__Doku__ClientId="BRN-0001-$(rnd 13)" Simulators__Doku__SecretKey="SK-$(rnd 32)" Simulators__Doku__ClientSecret="$(rnd 40)"
export Simulators__Doku__MerchantPublicKeyPem="$(cat "$DATA/doku-pub.pem")"

Logging__LogLevel__Default=Warning dotnet src/Gerbang.Simulators/bin/Release/net10.0/Gerbang.Simulators.dll --urls "http://127.0.0.1:$SIM_PORT" >"$DATA/simulators.log" 2>&1 &
SIM_PID=$!

S="http://127.0.0.1:$SIM_PORT"
Providers__Simulator__BaseUrl="$S/simulator/" Providers__Simulator__ApiKey="$Simulators__Generic__ApiKey" Providers__Simulator__WebhookSecret="$Simulators__Generic__WebhookSecret" \
Providers__Midtrans__BaseUrl="$S/midtrans/" Providers__Midtrans__ServerKey="$Simulators__Midtrans__ServerKey" \
Providers__Xendit__BaseUrl="$S/xendit/" Providers__Xendit__SecretKey="$Simulators__Xendit__SecretKey" Providers__Xendit__CallbackToken="$Simulators__Xendit__CallbackToken" \
Providers__Stripe__BaseUrl="$S/stripe/" Providers__Stripe__SecretKey="$Simulators__Stripe__SecretKey" Providers__Stripe__WebhookSecret="$Simulators__Stripe__WebhookSecret" \
Providers__Ipaymu__BaseUrl="$S/ipaymu/" Providers__Ipaymu__Va="$Simulators__Ipaymu__Va" Providers__Ipaymu__ApiKey="$Simulators__Ipaymu__ApiKey" \
Providers__Doku__BaseUrl="$S/doku/" Providers__Doku__ClientId="$Simulators__Doku__ClientId" Providers__Doku__SecretKey="$Simulators__Doku__SecretKey" \
Providers__Doku__ClientSecret="$Simulators__Doku__ClientSecret" Providers__Doku__PrivateKeyPem="$(cat "$DATA/doku-pk8.pem")" \
Gerbang__RateLimits__MerchantPerSecond=1000000 Gerbang__RateLimits__MerchantBurst=1000000 Gerbang__DataDir="$DATA" \
Gerbang__BootstrapAdmin__Email=bench@gerbang.local Gerbang__BootstrapAdmin__Password=bench-password-123 \
Logging__LogLevel__Default=Warning ASPNETCORE_URLS="http://127.0.0.1:$PORT" \
  dotnet src/Gerbang.Api/bin/Release/net10.0/Gerbang.Api.dll >"$DATA/gerbang.log" 2>&1 &
PID=$!
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null && break; sleep 1; done

B="http://127.0.0.1:$PORT"
TOKEN=$(curl -sf "$B/admin/v1/login" -H 'Content-Type: application/json' -d '{"email":"bench@gerbang.local","password":"bench-password-123"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
KEY=$(curl -sf "$B/admin/v1/merchants" -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"name":"Bench","reason":"benchmark"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["secret_key"])')

RESULTS=""
# The baseline runs first and last, so that drift over the run weighs on both ends.
for spec in simulator:va midtrans:va xendit:va doku:va ipaymu:va stripe:card doku:qris simulator:va; do
  provider=${spec%%:*}; method=${spec##*:}
  # A probe first: a provider that refuses the shape would only measure errors.
  probe=$(curl -s -o /dev/null -w '%{http_code}' "$B/v1/payments" -H "Authorization: Bearer $KEY" -H 'Content-Type: application/json' \
    -d "{\"amount\":150000,\"currency\":\"IDR\",\"method\":\"$method\"$([ "$method" = va ] && echo ',"bank":"bca"'),\"provider\":\"$provider\",\"order_id\":\"PROBE-$spec-$RANDOM\"}")
  [ "$probe" = 201 ] || { echo "probe of $spec answered $probe"; tail -20 "$DATA/gerbang.log"; exit 1; }
  GERBANG_KEY="$KEY" PROVIDER="$provider" METHOD="$method" wrk -t2 -c"$CONNECTIONS" -d"${WARMUP:-5}s" -s bench/adapters/post.lua "$B" >/dev/null
  line=$(GERBANG_KEY="$KEY" PROVIDER="$provider" METHOD="$method" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --latency -s bench/adapters/post.lua "$B" | grep '^RESULT')
  RESULTS="$RESULTS$spec $line"$'\n'
done

python3 - "$RESULTS" <<'PY'
import sys
rows = []
for line in sys.argv[1].strip().splitlines():
    spec, _, *kv = line.split()
    rows.append((spec, dict(x.split("=") for x in kv)))
base = [float(f["rps"]) for s, f in rows if s == "simulator:va"]
baseline = sum(base) / len(base)
print(f"baseline simulator provider (va): {baseline:.0f} req/s (runs: {', '.join(f'{b:.0f}' for b in base)})")
for spec, f in rows:
    if spec == "simulator:va":
        continue
    rps = float(f["rps"])
    print(f"{spec:14s} {rps:7.0f} req/s  p50 {float(f['p50_ms']):6.2f} ms  p99 {float(f['p99_ms']):7.2f} ms  non-2xx {f['non2xx']}  ratio {rps / baseline:.2f}   (target >= 0.80)")
PY
