#!/usr/bin/env bash
# clang-tidy on the public headers (CTest `style_tidy`), with the checks of .clang-tidy:
#   tidy.sh <clang-tidy> <repository root> [-I<MPI include dir>... | --no-mpi]
# Parses one file that includes every header under include/symdiff/; any warning fails. The MPI
# header gets the MPI include directories given, or is left out (--no-mpi).
set -uo pipefail
tool="$1"; root="$2"
shift 2
skip='^$'
if [ "${1:-}" = "--no-mpi" ]; then skip='symdiff/distributed/mpi.hpp'; shift; fi
cd "$root" || exit 2
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
(cd include && find symdiff -name '*.hpp' | sort | grep -v "$skip" | sed 's/.*/#include <&>/') > "$scratch/all_headers.cpp"
echo 'int main() {}' >> "$scratch/all_headers.cpp"
out="$("$tool" --config-file="$root/.clang-tidy" --quiet "$scratch/all_headers.cpp" -- -std=c++20 -I "$root/include" "$@" 2>&1)"
rc=$?
if ((rc != 0)) || grep -qE '(warning|error):' <<<"$out"; then
  grep -E -A3 '(warning|error):' <<<"$out" | head -60
  exit 1
fi
echo "clang-tidy: no warnings in $(find include/symdiff -name '*.hpp' | wc -l) headers"
