#pragma once
// Test arrays with deterministic, irregular entries: no symmetry or repetition that a wrong index
// order could hide behind (the tests of tensor operations compare against loops over them).
#include <cmath>
#include <cstddef>
#include <vector>

#include <xtensor/xarray.hpp>

namespace symdiff_test {

/// Entries sin(seed + 0.7 k + 0.013 k^2), k the flat index.
inline xt::xarray<double> irregular(std::vector<std::size_t> shape, double seed) {
    xt::xarray<double> a = xt::xarray<double>::from_shape(shape);
    for (std::size_t k = 0; k < a.size(); ++k) a.flat(k) = std::sin(seed + 0.7 * double(k) + 0.013 * double(k * k));
    return a;
}

}  // namespace symdiff_test
