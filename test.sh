#!/usr/bin/env bash
# Runs the whole test suite (unit, integration over a throwaway PostgreSQL, real HTTP) and prints a
# final "N passed, N failed, N skipped" line. Extra arguments go to 'dotnet test'. The test projects
# run one after another (-m:1): each starts its own PostgreSQL, and the browser tests need the cores.
set -uo pipefail
cd "$(dirname "$0")"
scripts/ensure-postgres.sh || { echo "0 passed, 1 failed"; exit 1; }
scripts/ensure-chromium.sh || { echo "0 passed, 1 failed"; exit 1; }
scripts/ensure-nginx.sh || { echo "0 passed, 1 failed"; exit 1; }
scripts/ensure-node-tools.sh || { echo "0 passed, 1 failed"; exit 1; }
export GERBANG_SCREENSHOTS="${GERBANG_SCREENSHOTS:-$PWD/artifacts/screenshots}"

results="$(mktemp -d)"
trap 'rm -rf "$results"' EXIT
dotnet build Gerbang.slnx -c Debug -nologo -v q || { echo "0 passed, 1 failed"; exit 1; }
dotnet test Gerbang.slnx --no-build -nologo -m:1 --logger "trx" --results-directory "$results" "$@"
status=$?

python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
passed = failed = skipped = 0
for path in glob.glob(sys.argv[1] + "/*.trx"):
    counters = ET.parse(path).getroot().find("t:ResultSummary/t:Counters", ns)
    if counters is None:
        continue
    passed += int(counters.get("passed", 0))
    failed += int(counters.get("failed", 0)) + int(counters.get("error", 0)) + int(counters.get("timeout", 0)) + int(counters.get("aborted", 0))
    skipped += int(counters.get("notExecuted", 0))
line = f"{passed} passed, {failed} failed"
if skipped:
    line += f", {skipped} skipped"
print(line)
PY
exit $status
