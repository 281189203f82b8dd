#!/usr/bin/env bash
# Measures the compile time and peak compiler memory of every test, example and benchmark
# translation unit, one at a time, from build/compile_commands.json; prints a Markdown table
# sorted by time (slowest first). Usage: scripts/compile-times.sh [build-dir]
set -euo pipefail
build="${1:-build}"
db="$build/compile_commands.json"
[ -f "$db" ] || { echo "no $db: configure with cmake first (make configure)" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time is missing (apt-get install time)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# compile_commands.json: one {"directory", "command", "file"} object per translation unit (read
# with Python's JSON parser: the commands hold escaped quotes, -DSYMDIFF_SOURCE_DIR=\"...\").
# The compile_fail sources are left out: they must not compile (CTest checks their messages).
python3 -c 'import json, sys
for e in json.load(open(sys.argv[1])): print(e["directory"], e["command"], e["file"], sep="\t")' "$db" |
  while IFS=$'\t' read -r dir cmd file; do
    case "$file" in */tests/package/* | */tests/compile_fail/*) continue ;; esac
    # a source compiled for several targets (tests/random/random_part.cpp): name the target too
    label="${file#"$PWD"/}"
    tgt="$(sed -nE 's#.* -o [^ ]*CMakeFiles/([^/ ]+)\.dir/.*#\1#p' <<<"$cmd")"
    case "$file" in */tests/random/*) label="$label ($tgt)" ;; esac
    out="$tmp/$(basename "$file").o"
    cmd="$(sed -E "s# -o [^ ]+# -o $out#" <<<"$cmd")"
    ( cd "$dir" && /usr/bin/time -f '%e %M' -o "$tmp/t" bash -c "$cmd" >/dev/null 2>&1 ) || { echo "failed: $file" >&2; continue; }
    read -r secs kib < "$tmp/t"
    printf '%s\t%s\t%s\n' "$secs" "$((kib / 1024))" "$label"
  done | sort -rn > "$tmp/all"
echo "| file | seconds | peak MiB |"
echo "|---|---:|---:|"
while IFS=$'\t' read -r secs mib file; do echo "| \`$file\` | $secs | $mib |"; done < "$tmp/all"
