// seed_data.hpp: the data of the seed notebooks, generated exactly as the peer benchmark does
// (shared/bench-peers/common/peers.hpp, workloads W1-W3), so the examples can check their losses
// against the benchmark's reference numbers.
//
// The notebooks draw their data with torch.rand / torch.randn, whose numbers depend on the
// PyTorch version. The benchmark replaces them with a portable generator (splitmix64) with fixed
// seeds: every compiler and library produces the same bits. The definitions below are copied
// from peers.hpp, not included, so that the examples stand alone.
#pragma once

#include <cmath>
#include <cstddef>
#include <cstdint>

#include <xtensor/xtensor.hpp>

namespace example {

/// splitmix64 with the benchmark's uniform and normal draws.
struct rng {
    std::uint64_t s;
    explicit rng(std::uint64_t seed) : s(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }
    double normal() {                         // Box-Muller, one value per call
        const double u1 = 1.0 - uniform01();  // (0, 1]
        const double u2 = uniform01();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586476925 * u2);
    }
};

/// W2 (fastai lesson2-sgd): x is n x 2, column 0 ~ U(-1, 1), column 1 all ones;
/// y = x @ [3, 2] + U(0, 1). Like torch, all of x[:, 0] is drawn first, then the noise.
struct linreg_data {
    xt::xtensor<double, 2> x;
    xt::xtensor<double, 1> y;
};
inline linreg_data make_linreg_data(std::size_t n, std::uint64_t seed = 2) {
    linreg_data d{xt::xtensor<double, 2>::from_shape({n, 2}), xt::xtensor<double, 1>::from_shape({n})};
    rng r(seed + n);
    for (std::size_t i = 0; i < n; ++i) {
        d.x(i, 0) = r.uniform(-1.0, 1.0);
        d.x(i, 1) = 1.0;
    }
    for (std::size_t i = 0; i < n; ++i) d.y(i) = d.x(i, 0) * 3.0 + d.x(i, 1) * 2.0 + r.uniform01();
    return d;
}

/// W3 (fastai book chapter 4): t = 0..19, speed = N(0, 1) + 0.5 (t - 9.5)^2 + 1.
struct quadratic_data {
    xt::xtensor<double, 1> t;
    xt::xtensor<double, 1> speed;
};
inline quadratic_data make_quadratic_data(std::uint64_t seed = 3) {
    quadratic_data d{xt::xtensor<double, 1>::from_shape({20}), xt::xtensor<double, 1>::from_shape({20})};
    rng r(seed);
    for (std::size_t i = 0; i < 20; ++i) {
        const double t = static_cast<double>(i);
        d.t(i) = t;
        d.speed(i) = r.normal() + 0.5 * (t - 9.5) * (t - 9.5) + 1.0;
    }
    return d;
}

}  // namespace example
