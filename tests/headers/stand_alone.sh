#!/usr/bin/env bash
# Every public header compiles on its own (its includes are complete):
#   stand_alone.sh <c++ compiler> <include dir> [jobs]
# Prints each header that does not, with the compiler's first error, and fails.
set -uo pipefail
cxx="$1"; inc="$2"; jobs="${3:-2}"
cd "$inc" || exit 2
export cxx inc
failed="$(find symdiff -name '*.hpp' | sort | xargs -P "$jobs" -I{} sh -c \
  'out="$(printf "#include <%s>\n" "{}" | "$cxx" -std=c++20 -fsyntax-only -Wall -Wextra -Wpedantic -Werror -I "$inc" -x c++ - 2>&1)" || { echo "{}: $(printf "%s" "$out" | grep -m1 error)"; }')"
count="$(find symdiff -name '*.hpp' | wc -l)"
if [ -n "$failed" ]; then
  echo "headers that do not compile on their own:"
  echo "$failed"
  exit 1
fi
echo "all $count headers compile on their own"
