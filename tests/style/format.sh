#!/usr/bin/env bash
# The sources follow .clang-format (CTest `style_format`):
#   format.sh <clang-format> <repository root>
# Lists the files clang-format would change and fails; fix with
#   clang-format -i $(git ls-files '*.hpp' '*.cpp') && scripts/sync-snippets.py
set -uo pipefail
tool="$1"; root="$2"
cd "$root" || exit 2
mapfile -t files < <(find include tests examples benchmarks \( -name '*.hpp' -o -name '*.cpp' \) | sort)
if out="$("$tool" --dry-run -Werror "${files[@]}" 2>&1)"; then
  echo "${#files[@]} files follow .clang-format"
else
  echo "files that do not follow .clang-format:"
  grep -E '^[^ ].*(warning|error):' <<<"$out" | cut -d: -f1 | sort -u
  echo "(first difference:)"
  head -3 <<<"$out"
  exit 1
fi
