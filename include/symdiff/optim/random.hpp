#pragma once
// A small portable generator (splitmix64) for shuffling and sampling: the same sequence with every
// compiler and standard library, so seeded runs are reproducible everywhere.
#include <cstdint>
#include <utility>
#include <vector>

namespace symdiff {

struct splitmix64 {
    std::uint64_t state;
    explicit splitmix64(std::uint64_t seed) : state(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    /// Uniform in [0, n) (n > 0); the modulo bias is below 2^-40 for n < 2^24.
    std::uint64_t below(std::uint64_t n) { return next() % n; }
};

/// Fisher-Yates shuffle with a splitmix64 generator.
template <class T>
void shuffle(std::vector<T>& v, splitmix64& rng) {
    for (std::size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[rng.below(i)]);
}

}  // namespace symdiff
