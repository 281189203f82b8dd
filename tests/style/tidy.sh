#!/usr/bin/env bash
# clang-tidy on the public headers (CTest `style_tidy`), with the checks of .clang-tidy:
#   tidy.sh <clang-tidy> <repository root>
# Parses one file that includes every header under include/symdiff/; any warning fails.
set -uo pipefail
tool="$1"; root="$2"
cd "$root" || exit 2
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd include && find symdiff -name '*.hpp' | sort | sed 's/.*/#include <&>/') > "$scratch/all_headers.cpp"
echo 'int main() {}' >> "$scratch/all_headers.cpp"
out="$("$tool" --config-file="$root/.clang-tidy" --quiet "$scratch/all_headers.cpp" -- -std=c++20 -I "$root/include" 2>&1)"
rc=$?
if ((rc != 0)) || grep -qE '(warning|error):' <<<"$out"; then
  grep -E -A3 '(warning|error):' <<<"$out" | head -60
  exit 1
fi
echo "clang-tidy: no warnings in $(find include/symdiff -name '*.hpp' | wc -l) headers"
