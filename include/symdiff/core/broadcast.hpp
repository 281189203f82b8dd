#pragma once
// Walking arrays of different shapes together, with NumPy broadcasting: the engine uses it for
// regions whose nodes do not all have one shape, operations for reductions onto a shape.
#include <algorithm>
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

/// `dst` (shape `to`) = `src` (shape `from`) broadcast. Copied in runs: the trailing axes where
/// `from` and `to` agree are one contiguous run in both, repeated along the broadcast axis before
/// them and walked along the outer axes (`x - mu` of (n, 1, d) and (k, d) copies runs of d).
template <class T>
void expand(const T* src, const shape_type& from, T* dst, const shape_type& to) {
    const std::size_t rank = to.size(), total = count_of(to);
    if (total == 0) return;
    std::vector<std::size_t> f(rank, 1);  // from's extents, aligned to the right of to's
    for (std::size_t i = 0; i < from.size(); ++i) f[rank - from.size() + i] = from[i];
    std::size_t run = 1, a = rank;
    while (a > 0 && f[a - 1] == to[a - 1]) run *= to[--a];
    if (a == 0) {  // no broadcast at all
        std::copy(src, src + run, dst);
        return;
    }
    // axis a - 1 is a broadcast one (f == 1): the run repeats to[a - 1] times
    const std::size_t repeat = to[a - 1];
    const std::vector<std::size_t> st = broadcast_strides(from, to);  // 0 along broadcast axes
    std::vector<std::size_t> idx(a - 1, 0);
    std::size_t off = 0;
    for (T* out = dst; out < dst + total;) {
        for (std::size_t r = 0; r < repeat; ++r, out += run) std::copy(src + off, src + off + run, out);
        for (std::size_t d = a - 1; d-- > 0;) {  // the outer axes, row-major
            ++idx[d];
            off += st[d];
            if (idx[d] < to[d]) break;
            off -= st[d] * idx[d];
            idx[d] = 0;
        }
    }
}

}  // namespace symdiff::detail
