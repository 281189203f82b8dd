#pragma once
// The part of einsum's evaluation that is a matrix product (einsum_kernels.hpp has the rest):
// two operands whose letters fall in the classes
//     batch b (a, b, out)   rows m (a, out)   columns n (b, out)   depth k (a, b)
// run as one gemm per batch entry (product_kernels.hpp), or as plain loops for batches of small
// products, after copying an operand into [b, m, k] / [b, k, n] order when it is in neither that
// order nor its transpose; the [b, m, n] result is permuted into the output's order.
#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "../core/array_ref.hpp"
#include "einsum_spec.hpp"
#include "product_kernels.hpp"

namespace symdiff::detail {

inline constexpr std::size_t einsum_alphabet = 58;  // 'A' .. 'z'
constexpr std::size_t letter_index(char c) { return static_cast<std::size_t>(c - 'A'); }

using einsum_extents = std::array<std::size_t, einsum_alphabet>;
inline constexpr std::size_t einsum_unknown = static_cast<std::size_t>(-1);

/// An operand at run time: its data (nullptr: shape only) and shape.
template <class T>
using einsum_operand = array_ref<const T>;

template <class T>
std::vector<T>& einsum_buffer(int which) {
    thread_local std::array<std::vector<T>, 4> b;
    return b[static_cast<std::size_t>(which)];
}

/// Row-major strides of `dims`.
inline void strides_of(const std::size_t* dims, std::size_t rank, std::size_t* stride) {
    std::size_t s = 1;
    for (std::size_t d = rank; d-- > 0;) {
        stride[d] = s;
        s *= dims[d];
    }
}

/// dst (dims in the order `perm` of src's axes) = src permuted: dst axis d is src axis perm[d].
template <class T>
void einsum_permute(const T* src, const std::size_t* dims, std::size_t rank, const std::size_t* perm, T* dst) {
    std::array<std::size_t, einsum_max_rank> st{}, pst{}, pdims{}, idx{};
    strides_of(dims, rank, st.data());
    std::size_t n = 1;
    for (std::size_t d = 0; d < rank; ++d) {
        pdims[d] = dims[perm[d]];
        pst[d] = st[perm[d]];
        n *= pdims[d];
    }
    if (rank == 0) {
        if (n) dst[0] = src[0];
        return;
    }
    std::size_t s = 0;
    for (std::size_t e = 0; e < n; ++e) {
        dst[e] = src[s];
        for (std::size_t d = rank; d-- > 0;) {
            s += pst[d];
            if (++idx[d] < pdims[d]) break;
            s -= pst[d] * pdims[d];
            idx[d] = 0;
        }
    }
}

/// Below this many multiply-adds per batch entry, a batched product runs as plain loops: packing
/// panels for gemm costs more than the product.
inline constexpr std::size_t einsum_small_product = 512;

/// The (batched) matrix product form of a two-operand contraction, when it has one.
struct einsum_gemm_plan {
    std::array<char, einsum_max_rank> batch{}, m{}, n{}, k{};
    std::size_t nb = 0, nm = 0, nn = 0, nk = 0;
};

constexpr bool einsum_has_repeats(const std::array<char, einsum_max_rank>& s, std::size_t r) {
    for (std::size_t i = 0; i < r; ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (s[i] == s[j]) return true;
    return false;
}

/// Operands 0 and 1 must be the value operands; a shape-only operand may follow only when the
/// output's letters are all in the value operands.
constexpr bool einsum_gemm_form(const einsum_spec& p, einsum_gemm_plan& g) {
    if (p.n < 2 || p.shape_only[0] || p.shape_only[1] || p.value_operands() != 2) return false;
    if (einsum_has_repeats(p.sub[0], p.rank[0]) || einsum_has_repeats(p.sub[1], p.rank[1]) ||
        einsum_has_repeats(p.out, p.out_rank))
        return false;
    for (std::size_t i = 0; i < p.out_rank; ++i) {
        const char c = p.out[i];
        const bool a = p.operand_has(0, c), b = p.operand_has(1, c);
        if (a && b) g.batch[g.nb++] = c;
        else if (a) g.m[g.nm++] = c;
        else if (b) g.n[g.nn++] = c;
        else return false;  // from a shape-only operand: a broadcast
    }
    for (std::size_t i = 0; i < p.rank[0]; ++i) {
        const char c = p.sub[0][i];
        if (p.output_has(c)) continue;
        if (!p.operand_has(1, c)) return false;  // summed over operand 0 alone
        g.k[g.nk++] = c;
    }
    for (std::size_t i = 0; i < p.rank[1]; ++i)
        if (!p.output_has(p.sub[1][i]) && !p.operand_has(0, p.sub[1][i])) return false;
    return true;
}

/// The positions in `s` of the letters of the groups, concatenated.
template <std::size_t G>
void einsum_positions(const std::array<char, einsum_max_rank>& s, std::size_t r,
                      const std::array<const std::array<char, einsum_max_rank>*, G>& groups,
                      const std::array<std::size_t, G>& counts, std::size_t* perm) {
    std::size_t d = 0;
    for (std::size_t g = 0; g < G; ++g)
        for (std::size_t i = 0; i < counts[g]; ++i)
            for (std::size_t j = 0; j < r; ++j)
                if (s[j] == (*groups[g])[i]) perm[d++] = j;
}

inline bool einsum_is_identity_perm(const std::size_t* perm, std::size_t r) {
    for (std::size_t i = 0; i < r; ++i)
        if (perm[i] != i) return false;
    return true;
}

/// `src` in the order `perm` (no copy when it already is); `buffer` holds a copy.
template <class T>
const T* einsum_ordered(const einsum_operand<T>& a, const std::size_t* perm, int buffer) {
    if (einsum_is_identity_perm(perm, a.rank)) return a.data;
    const std::size_t n = a.size();
    std::vector<T>& v = einsum_buffer<T>(buffer);
    if (v.size() < n) v.resize(n);
    einsum_permute(a.data, a.dims, a.rank, perm, v.data());
    return v.data();
}

template <class T>
void einsum_gemm(const einsum_spec& p, const einsum_gemm_plan& g, const einsum_extents& ext, T* out,
                 const einsum_operand<T>* in) {
    auto extent = [&](const std::array<char, einsum_max_rank>& s, std::size_t c) {
        std::size_t n = 1;
        for (std::size_t i = 0; i < c; ++i) n *= ext[letter_index(s[i])];
        return n;
    };
    const std::size_t B = extent(g.batch, g.nb), M = extent(g.m, g.nm), N = extent(g.n, g.nn), K = extent(g.k, g.nk);
    std::array<std::size_t, einsum_max_rank> pa{}, pat{}, pb{}, pbt{}, pc{};
    using groups3 = std::array<const std::array<char, einsum_max_rank>*, 3>;
    einsum_positions<3>(p.sub[0], p.rank[0], groups3{&g.batch, &g.m, &g.k}, {g.nb, g.nm, g.nk}, pa.data());
    einsum_positions<3>(p.sub[0], p.rank[0], groups3{&g.batch, &g.k, &g.m}, {g.nb, g.nk, g.nm}, pat.data());
    einsum_positions<3>(p.sub[1], p.rank[1], groups3{&g.batch, &g.k, &g.n}, {g.nb, g.nk, g.nn}, pb.data());
    einsum_positions<3>(p.sub[1], p.rank[1], groups3{&g.batch, &g.n, &g.k}, {g.nb, g.nn, g.nk}, pbt.data());
    // operand a as [b, m, k] (or [b, k, m], transposed), b as [b, k, n] (or [b, n, k])
    const bool ta = !einsum_is_identity_perm(pa.data(), p.rank[0]) && einsum_is_identity_perm(pat.data(), p.rank[0]);
    const bool tb = !einsum_is_identity_perm(pb.data(), p.rank[1]) && einsum_is_identity_perm(pbt.data(), p.rank[1]);
    const T* a = ta ? in[0].data : einsum_ordered(in[0], pa.data(), 0);
    const T* b = tb ? in[1].data : einsum_ordered(in[1], pb.data(), 1);
    // the result as [b, m, n]: the output itself when that is its order
    std::array<char, einsum_max_rank> c_order{};
    std::size_t r = 0;
    for (std::size_t i = 0; i < g.nb; ++i) c_order[r++] = g.batch[i];
    for (std::size_t i = 0; i < g.nm; ++i) c_order[r++] = g.m[i];
    for (std::size_t i = 0; i < g.nn; ++i) c_order[r++] = g.n[i];
    const bool direct = c_order == p.out;
    T* c = out;
    if (!direct) {
        std::vector<T>& v = einsum_buffer<T>(2);
        if (v.size() < B * M * N) v.resize(B * M * N);
        c = v.data();
    }
    if (B > 1 && M * N * K < einsum_small_product) {
        // many small products (a dot product per row and component): plain loops, no packing
        for (std::size_t e = 0; e < B; ++e) {
            const T* ae = a + e * M * K;
            const T* be = b + e * K * N;
            T* ce = c + e * M * N;
            for (std::size_t i = 0; i < M; ++i)
                for (std::size_t j = 0; j < N; ++j) {
                    T sum = T(0);
                    for (std::size_t p = 0; p < K; ++p)
                        sum += ae[ta ? p * M + i : i * K + p] * be[tb ? j * K + p : p * N + j];
                    ce[i * N + j] = sum;
                }
        }
    } else {
        for (std::size_t e = 0; e < B; ++e) {
            T* ce = c + e * M * N;
            if (K == 0) std::fill(ce, ce + M * N, T(0));
            else gemm(ta, tb, M, N, K, a + e * M * K, b + e * K * N, ce);
        }
    }
    if (!direct) {  // [b, m, n] -> the output's order
        std::array<std::size_t, einsum_max_rank> cdims{};
        for (std::size_t i = 0; i < p.out_rank; ++i) cdims[i] = ext[letter_index(c_order[i])];
        for (std::size_t i = 0; i < p.out_rank; ++i)
            for (std::size_t j = 0; j < p.out_rank; ++j)
                if (c_order[j] == p.out[i]) pc[i] = j;
        einsum_permute(static_cast<const T*>(c), cdims.data(), p.out_rank, pc.data(), out);
    }
}

}  // namespace symdiff::detail
