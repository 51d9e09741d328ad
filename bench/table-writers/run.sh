#!/usr/bin/env bash
# How many source files write each table (insert, update or delete), at a commit or the work tree:
#   bench/table-writers/run.sh [commit]
# One writer per table is the convention; a table written from several files is listed first.
set -euo pipefail
cd "$(dirname "$0")/../.."
rev="${1:-}"
python3 - "$rev" <<'PY'
import re, subprocess, sys, collections
rev = sys.argv[1]
if rev:
    files = subprocess.run(["git", "ls-tree", "-r", "--name-only", rev, "src/Gerbang.Api"], capture_output=True, text=True, check=True).stdout.split()
    read = lambda f: subprocess.run(["git", "show", f"{rev}:{f}"], capture_output=True, text=True, check=True).stdout
else:
    files = subprocess.run(["git", "ls-files", "src/Gerbang.Api"], capture_output=True, text=True, check=True).stdout.split()
    read = lambda f: open(f, encoding="utf-8").read()
tables = set()
for f in files:
    if f.endswith(".sql"):
        tables.update(t.lower() for t in re.findall(r"create\s+(?:unlogged\s+)?table\s+(?:if\s+not\s+exists\s+)?([a-z_]+)", read(f), re.IGNORECASE))
pattern = re.compile(r"\b(?:update|insert\s+into|delete\s+from)\s+([a-z_]+)\b", re.IGNORECASE)
writers = collections.defaultdict(set)
for f in files:
    if not f.endswith(".cs"):
        continue
    for table in pattern.findall(read(f)):
        if table.lower() not in tables:
            continue
        writers[table.lower()].add(f.split("/")[2])
        writers[table.lower() + "\0files"].add(f)
rows = sorted(((t, len(writers[t + "\0files"]), sorted(writers[t])) for t in writers if "\0" not in t), key=lambda r: (-len(r[2]), -r[1], r[0]))
print(f"{'table':32} files  folders")
for table, count, folders in rows:
    print(f"{table:32} {count:5}  {', '.join(folders)}")
PY
