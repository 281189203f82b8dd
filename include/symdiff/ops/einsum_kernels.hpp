#pragma once
// Evaluating an einsum at run time: the extents of its letters from the operands' shapes, and
// the contraction itself.
//   Two operands whose letters fall in the classes of a (batched) matrix product, each letter in
//   the output or in both operands, none repeated:
//       batch b (a, b, out)   rows m (a, out)   columns n (b, out)   depth k (a, b)
//   run as one gemm per batch entry (product_kernels.hpp) after copying an operand into
//   [b, m, k] / [b, k, n] order when it is in neither that order nor its transpose.
//   Three operands: the first two are contracted into a temporary that keeps the letters the
//   third operand or the output needs, then that with the third.
//   Anything else (traces, diagonals, sums over one operand's letters, broadcasts to a
//   shape-only operand's letters): one loop over every combination of the letters,
//       out[o] += prod_k a_k[s_k],
//   the output's letters outermost, so the innermost loop walks a summed letter when there is one.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "../core/shape.hpp"
#include "einsum_spec.hpp"
#include "product_kernels.hpp"

namespace symdiff::detail {

inline constexpr std::size_t einsum_alphabet = 58;  // 'A' .. 'z'
constexpr std::size_t letter_index(char c) { return static_cast<std::size_t>(c - 'A'); }

using einsum_extents = std::array<std::size_t, einsum_alphabet>;
inline constexpr std::size_t einsum_unknown = static_cast<std::size_t>(-1);

inline std::string einsum_subscripts(const einsum_spec& p, std::size_t k) {
    return std::string(p.sub[k].data(), p.rank[k]);
}

/// An operand at run time: its data (nullptr: shape only) and shape.
template <class T>
struct einsum_operand {
    const T* data = nullptr;
    const std::size_t* dims = nullptr;
    std::size_t rank = 0;
};

inline std::string einsum_shape_text(const std::size_t* dims, std::size_t rank) {
    return shape_to_string(shape_type(dims, dims + rank));
}

/// The extent of every letter, or shape_error naming the operand and the letter. With `out`
/// (computing the value), the letters come from the operands read for their values, then from
/// the result, whose shape the engine gives (one block of rows when it runs blocks), and only the
/// rest from shape-only operands, which the engine gives whole: their agreement with the others
/// was checked when the shapes were planned.
template <class T>
einsum_extents einsum_letter_extents(const einsum_spec& p, const einsum_operand<T>* in,
                                     const einsum_operand<T>* out = nullptr) {
    einsum_extents e;
    e.fill(einsum_unknown);
    std::array<std::size_t, einsum_alphabet> from{};
    auto take = [&](std::size_t k, bool check) {
        if (in[k].rank != p.rank[k])
            throw shape_error("operand " + std::to_string(k + 1) + " has subscripts \"" + einsum_subscripts(p, k) +
                              "\" (rank " + std::to_string(p.rank[k]) + ") but shape " +
                              einsum_shape_text(in[k].dims, in[k].rank));
        for (std::size_t i = 0; i < p.rank[k]; ++i) {
            const std::size_t l = letter_index(p.sub[k][i]);
            if (e[l] == einsum_unknown) {
                e[l] = in[k].dims[i];
                from[l] = k;
            } else if (check && e[l] != in[k].dims[i]) {
                const einsum_operand<T>& f = in[from[l]];
                const std::string letter(1, p.sub[k][i]);
                if (from[l] == k)
                    throw shape_error("subscript " + letter + " appears twice in operand " + std::to_string(k + 1) +
                                      " with extents " + std::to_string(e[l]) + " and " +
                                      std::to_string(in[k].dims[i]) + " (shape " +
                                      einsum_shape_text(in[k].dims, in[k].rank) + ")");
                throw shape_error("subscript " + letter + " has extent " + std::to_string(e[l]) + " in operand " +
                                  std::to_string(from[l] + 1) + " and " + std::to_string(in[k].dims[i]) +
                                  " in operand " + std::to_string(k + 1) + " (shapes " +
                                  einsum_shape_text(f.dims, f.rank) + " and " +
                                  einsum_shape_text(in[k].dims, in[k].rank) + ")");
            }
        }
    };
    for (std::size_t k = 0; k < p.n; ++k)
        if (out == nullptr || !p.shape_only[k]) take(k, true);
    if (out != nullptr) {
        for (std::size_t i = 0; i < p.out_rank; ++i) {
            std::size_t& l = e[letter_index(p.out[i])];
            if (l == einsum_unknown) l = out->dims[i];
        }
        for (std::size_t k = 0; k < p.n; ++k)
            if (p.shape_only[k]) take(k, false);
    }
    return e;
}

template <std::size_t N>
shape_type einsum_result_shape(const einsum_spec& p, const std::array<const shape_type*, N>& shapes) {
    std::array<einsum_operand<double>, N> in{};
    for (std::size_t k = 0; k < N; ++k) in[k] = {nullptr, shapes[k]->data(), shapes[k]->size()};
    const einsum_extents e = einsum_letter_extents(p, in.data());
    shape_type r(p.out_rank);
    for (std::size_t i = 0; i < p.out_rank; ++i) r[i] = e[letter_index(p.out[i])];
    return r;
}

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

/// out (zeroed here) = the contraction, by one loop over every combination of the letters.
template <class T>
void einsum_loop(const einsum_spec& p, const einsum_extents& ext, T* out, const einsum_operand<T>* in) {
    // the letters: the output's first, then the summed ones
    std::array<char, einsum_alphabet> letters{};
    std::size_t L = 0;
    auto add = [&](char c) {
        for (std::size_t i = 0; i < L; ++i)
            if (letters[i] == c) return;
        letters[L++] = c;
    };
    for (std::size_t i = 0; i < p.out_rank; ++i) add(p.out[i]);
    for (std::size_t k = 0; k < p.n; ++k)
        if (!p.shape_only[k])
            for (std::size_t i = 0; i < p.rank[k]; ++i) add(p.sub[k][i]);
    std::array<std::size_t, einsum_alphabet> size{}, out_stride{};
    std::array<std::array<std::size_t, einsum_alphabet>, einsum_max_operands> in_stride{};
    std::size_t out_count = 1, total = 1;
    for (std::size_t i = 0; i < p.out_rank; ++i) out_count *= ext[letter_index(p.out[i])];
    for (std::size_t l = 0; l < L; ++l) {
        size[l] = ext[letter_index(letters[l])];
        total *= size[l];
    }
    std::fill(out, out + out_count, T(0));
    if (total == 0) return;
    if (L == 0) {  // numbers only
        T v = T(1);
        for (std::size_t k = 0; k < p.n; ++k)
            if (!p.shape_only[k]) v *= in[k].data[0];
        out[0] = v;
        return;
    }
    // a letter's stride in an array: the sum of the strides of the axes it names (a diagonal)
    std::array<std::size_t, einsum_max_rank> st{};
    {
        std::array<std::size_t, einsum_max_rank> dims{};
        for (std::size_t i = 0; i < p.out_rank; ++i) dims[i] = ext[letter_index(p.out[i])];
        strides_of(dims.data(), p.out_rank, st.data());
        for (std::size_t l = 0; l < L; ++l)
            for (std::size_t i = 0; i < p.out_rank; ++i)
                if (p.out[i] == letters[l]) out_stride[l] += st[i];
    }
    std::size_t values = 0;
    std::array<const T*, einsum_max_operands> base{};
    for (std::size_t k = 0; k < p.n; ++k) {
        if (p.shape_only[k]) continue;
        strides_of(in[k].dims, in[k].rank, st.data());
        for (std::size_t l = 0; l < L; ++l)
            for (std::size_t i = 0; i < p.rank[k]; ++i)
                if (p.sub[k][i] == letters[l]) in_stride[values][l] += st[i];
        base[values++] = in[k].data;
    }
    const std::size_t last = L - 1;
    std::array<std::size_t, einsum_alphabet> idx{};
    std::size_t o = 0;
    std::array<std::size_t, einsum_max_operands> off{};
    for (;;) {
        T* po = out + o;
        const std::size_t so = out_stride[last];
        if (values == 1) {
            const T* a = base[0] + off[0];
            const std::size_t sa = in_stride[0][last];
            for (std::size_t t = 0; t < size[last]; ++t) po[t * so] += a[t * sa];
        } else if (values == 2) {
            const T *a = base[0] + off[0], *b = base[1] + off[1];
            const std::size_t sa = in_stride[0][last], sb = in_stride[1][last];
            for (std::size_t t = 0; t < size[last]; ++t) po[t * so] += a[t * sa] * b[t * sb];
        } else {
            for (std::size_t t = 0; t < size[last]; ++t) {
                T v = T(1);
                for (std::size_t k = 0; k < values; ++k) v *= base[k][off[k] + t * in_stride[k][last]];
                po[t * so] += v;
            }
        }
        // the next combination of the other letters
        std::size_t l = last;
        for (;;) {
            if (l == 0) return;
            --l;
            ++idx[l];
            o += out_stride[l];
            for (std::size_t k = 0; k < values; ++k) off[k] += in_stride[k][l];
            if (idx[l] < size[l]) break;
            o -= out_stride[l] * size[l];
            for (std::size_t k = 0; k < values; ++k) off[k] -= in_stride[k][l] * size[l];
            idx[l] = 0;
        }
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
    std::size_t n = 1;
    for (std::size_t d = 0; d < a.rank; ++d) n *= a.dims[d];
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

/// How many contractions of this thread ran as matrix products and as the general loop (what a
/// test of the fast path reads).
struct einsum_path_counts {
    std::size_t products = 0, loops = 0;
};
inline einsum_path_counts& einsum_paths() {
    thread_local einsum_path_counts c;
    return c;
}

/// out = the contraction `p` of `in` (out has the result's shape; it is overwritten).
template <class T>
void einsum_contract(const einsum_spec& p, const einsum_extents& ext, T* out, const einsum_operand<T>* in) {
    std::size_t count = 1;
    for (std::size_t l = 0; l < einsum_alphabet; ++l)
        if (ext[l] == 0) count = 0;
    einsum_gemm_plan g;
    if (count != 0 && einsum_gemm_form(p, g)) {
        ++einsum_paths().products;
        return einsum_gemm(p, g, ext, out, in);
    }
    if (count != 0 && p.value_operands() == 3 && !p.shape_only[0] && !p.shape_only[1] && !p.shape_only[2]) {
        // (a b) c: the temporary keeps the letters of a and b that c or the output reads
        einsum_spec first, second;
        std::array<char, einsum_max_rank> t{};
        std::size_t tr = 0;
        bool fits = true;
        for (std::size_t k = 0; k < 2; ++k)
            for (std::size_t i = 0; i < p.rank[k]; ++i) {
                const char c = p.sub[k][i];
                if (!(p.operand_has(2, c) || p.output_has(c))) continue;
                bool have = false;
                for (std::size_t j = 0; j < tr; ++j) have = have || t[j] == c;
                if (have) continue;
                if (tr == einsum_max_rank) fits = false;
                else t[tr++] = c;
            }
        bool from_shape = false;  // an output letter only a shape-only operand has
        for (std::size_t i = 0; i < p.out_rank; ++i)
            from_shape =
                from_shape || !(p.operand_has(0, p.out[i]) || p.operand_has(1, p.out[i]) || p.operand_has(2, p.out[i]));
        if (fits && !from_shape) {
            first.add_operand(p.sub[0], p.rank[0], false);
            first.add_operand(p.sub[1], p.rank[1], false);
            first.out = t;
            first.out_rank = tr;
            second.add_operand(t, tr, false);
            second.add_operand(p.sub[2], p.rank[2], false);
            second.out = p.out;
            second.out_rank = p.out_rank;
            std::array<std::size_t, einsum_max_rank> tdims{};
            std::size_t tn = 1;
            for (std::size_t i = 0; i < tr; ++i) tn *= tdims[i] = ext[letter_index(t[i])];
            std::vector<T>& temp = einsum_buffer<T>(3);  // (the pair's product uses buffers 0 to 2)
            if (temp.size() < tn) temp.resize(tn);
            einsum_contract(first, ext, temp.data(), in);
            const std::array<einsum_operand<T>, 2> next{einsum_operand<T>{temp.data(), tdims.data(), tr}, in[2]};
            return einsum_contract(second, ext, out, next.data());
        }
    }
    ++einsum_paths().loops;
    einsum_loop(p, ext, out, in);
}

}  // namespace symdiff::detail
