#!/usr/bin/env bash
# Installs the Debian 12 packages symdiff needs; only the missing ones.
# Usage: scripts/install-deps.sh [extra-package ...]
set -euo pipefail

PACKAGES=(
  libboost-dev libboost-test-dev          # Boost 1.74: Hana, Boost.Test (shared)
  libxtensor-dev libxsimd-dev xtl-dev     # xtensor 0.24
  libxtensor-blas-dev libopenblas-dev     # xtensor-blas + OpenBLAS (BLAS/LAPACK)
  zlib1g-dev                              # gzip'ed IDX data
  libopenmpi-dev openmpi-bin              # symdiff::distributed (data parallelism over MPI)
  cmake g++ make
  gnuplot-nox                             # pictures
  dataset-fashion-mnist                   # /usr/share/datasets/fashion-mnist
  libeigen3-dev                           # reference implementation in tests
  python3-numpy                           # tests/io: NumPy reads what symdiff writes, and the reverse
  clang-format clang-tidy                 # tests/style: one format, clang-tidy on the headers
)
PACKAGES+=("$@")

is_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

missing=()
for p in "${PACKAGES[@]}"; do
  is_installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

if [[ -z "${SUDO+set}" ]]; then
  if [[ "$(id -u)" -eq 0 ]]; then SUDO=""; else SUDO="sudo"; fi
fi

echo "install-deps: installing: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
APT=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600)
[[ -n "$SUDO" ]] && APT=("$SUDO" "${APT[@]}")
"${APT[@]}" update
"${APT[@]}" install -y --no-install-recommends "${missing[@]}"

for p in "${missing[@]}"; do
  is_installed "$p" || { echo "install-deps: $p still not installed" >&2; exit 1; }
done
echo "install-deps: done"
