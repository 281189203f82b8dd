#!/usr/bin/env bash
# Compile-time stress program: the sum of N terms c_k * sin(k * x) (c_k runtime numbers) and its
# derivative, evaluated together over an array. Prints seconds and peak compiler memory.
#   scripts/stress-compile.sh 50 100 200
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
for n in "${@:-50}"; do
  cat > "$dir/stress_$n.cpp" <<CPP
#include <symdiff/symdiff.hpp>
#include <cstdio>
using namespace symdiff;
constexpr auto x = symbol<"x">;
template <int K> constexpr auto term() { return double(K) * sin(x * exact<K>); }
template <int... K> constexpr auto total(std::integer_sequence<int, K...>) { return (term<K + 1>() + ...); }
int main() {
    const auto f = total(std::make_integer_sequence<int, $n>{});
    const auto df = derivative(f, x);
    xt::xtensor<double, 1> X = {0.1, 0.2, 0.3};
    const auto v = evaluate(boost::hana::make_tuple(f, df), x = X);
    std::printf("%g\n", boost::hana::at_c<1>(v)(1));
}
CPP
  /usr/bin/time -f "N=$n: %e s, %M KiB" g++ -std=c++20 -O2 -I"$root/include" -c "$dir/stress_$n.cpp" -o "$dir/stress_$n.o"
done
