#pragma once
// Which rows each process holds: contiguous, balanced (sizes differ by at most one), in rank
// order, so that the processes' rows put end to end are the data in its order.
//
//   const auto [first, last] = symdiff::shard_range(n, c.rank(), c.size());
//   const auto X_mine = symdiff::shard(X, c);   // rows [first, last) of X, as an array of its own
#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>

#include <xtensor/xarray.hpp>
#include <xtensor/xstrided_view.hpp>
#include <xtensor/xtensor.hpp>

#include "../eval/collective.hpp"

namespace symdiff {

/// The rows [first, last) of `n` rows that process `rank` of `size` holds.
inline std::pair<std::size_t, std::size_t> shard_range(std::size_t n, int rank, int size) {
    if (size < 1 || rank < 0 || rank >= size)
        throw std::invalid_argument("shard_range: rank " + std::to_string(rank) + " of " + std::to_string(size) +
                                    " processes");
    const auto r = static_cast<std::size_t>(rank), p = static_cast<std::size_t>(size);
    const std::size_t base = n / p, extra = n % p;  // the first `extra` processes hold one row more
    const std::size_t first = r * base + std::min(r, extra);
    return {first, first + base + (r < extra ? 1 : 0)};
}

/// This process's rows of `a` (its first axis), copied into an array of the same kind.
template <class A>
auto shard(const A& a, const collective& c) {
    if (a.dimension() == 0) throw std::invalid_argument("shard: a number has no rows to share");
    const auto [first, last] = shard_range(a.shape()[0], c.rank(), c.size());
    xt::xstrided_slice_vector sv{xt::range(first, last)};
    using value_type = typename A::value_type;
    if constexpr (requires { A::rank; }) {
        return xt::xtensor<value_type, A::rank>(xt::strided_view(a, sv));
    } else {
        return xt::xarray<value_type>(xt::strided_view(a, sv));
    }
}

}  // namespace symdiff
