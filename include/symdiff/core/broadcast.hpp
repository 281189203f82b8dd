#pragma once
// Walking arrays of different shapes together, with NumPy broadcasting: the engine uses it for
// regions whose nodes do not all have one shape, operations for reductions onto a shape.
#include <array>
#include <cstddef>
#include <vector>

#include "shape.hpp"

namespace symdiff::detail {

/// Strides of an operand of shape `s` read as if broadcast to `out` (0 along broadcast axes).
inline std::vector<std::size_t> broadcast_strides(const shape_type& s, const shape_type& out) {
    std::vector<std::size_t> st(out.size(), 0);
    std::size_t stride = 1;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const std::size_t a = s.size() - 1 - i, b = out.size() - 1 - i;
        st[b] = s[a] == 1 ? 0 : stride;
        stride *= s[a];
    }
    return st;
}

/// Calls `f(offsets)` for every element of `out` in row-major order, where offsets[j] is the flat
/// index of that element in operand j (shape `in[j]`, broadcast to `out`).
template <std::size_t M, class F>
void for_each_broadcast(const shape_type& out, const std::array<const shape_type*, M>& in, F&& f) {
    const std::size_t rank = out.size();
    std::array<std::vector<std::size_t>, M> st;
    for (std::size_t j = 0; j < M; ++j) st[j] = broadcast_strides(*in[j], out);
    std::vector<std::size_t> idx(rank, 0);
    std::array<std::size_t, M> off{};
    const std::size_t total = count_of(out);
    for (std::size_t e = 0; e < total; ++e) {
        f(off);
        for (std::size_t d = rank; d-- > 0;) {
            ++idx[d];
            for (std::size_t j = 0; j < M; ++j) off[j] += st[j][d];
            if (idx[d] < out[d]) break;
            for (std::size_t j = 0; j < M; ++j) off[j] -= st[j][d] * idx[d];
            idx[d] = 0;
        }
    }
}

/// `dst` (shape `to`) = `src` (shape `from`) broadcast.
template <class T>
void expand(const T* src, const shape_type& from, T* dst, const shape_type& to) {
    std::size_t e = 0;
    for_each_broadcast<1>(to, {&from}, [&](const std::array<std::size_t, 1>& off) { dst[e++] = src[off[0]]; });
}

}  // namespace symdiff::detail
