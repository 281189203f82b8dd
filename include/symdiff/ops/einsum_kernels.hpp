#pragma once
// Evaluating an einsum at run time: the extents of its letters from the operands' shapes, and
// the contraction itself.
//   Two operands whose letters fall in the classes of a (batched) matrix product, each letter in
//   the output or in both operands, none repeated: einsum_products.hpp.
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

#include "../core/array_ref.hpp"
#include "../core/shape.hpp"
#include "einsum_products.hpp"
#include "einsum_spec.hpp"

namespace symdiff::detail {

inline std::string einsum_subscripts(const einsum_spec& p, std::size_t k) {
    return std::string(p.sub[k].data(), p.rank[k]);
}

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
