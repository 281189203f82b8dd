#!/usr/bin/env bash
# Every public header compiles on its own (its includes are complete):
#   stand_alone.sh <c++ compiler> <include dir> [jobs] [-I<MPI include dir>... | --no-mpi]
# Prints each header that does not, with the compiler's first error, and fails. The MPI header
# (symdiff/distributed/mpi.hpp) gets the MPI include directories given, or is left out (--no-mpi).
set -uo pipefail
cxx="$1"; inc="$2"; jobs="${3:-2}"
shift 3 2>/dev/null || shift $#
skip='^$'
if [ "${1:-}" = "--no-mpi" ]; then skip='symdiff/distributed/mpi.hpp'; shift; fi
extra="$*"
cd "$inc" || exit 2
export cxx inc extra
headers="$(find symdiff -name '*.hpp' | sort | grep -v "$skip")"
failed="$(printf '%s\n' "$headers" | xargs -P "$jobs" -I{} sh -c \
  'out="$(printf "#include <%s>\n" "{}" | "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I "$inc" $extra -x c++ - 2>&1)" || { echo "{}: $(printf "%s" "$out" | grep -m1 error)"; }')"
count="$(printf '%s\n' "$headers" | wc -l)"
if [ -n "$failed" ]; then
  echo "headers that do not compile on their own:"
  echo "$failed"
  exit 1
fi
echo "all $count headers compile on their own"
