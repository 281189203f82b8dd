#pragma once
// Joining arrays along an axis (numpy.concatenate, numpy.stack), two or three at a time:
//   concatenate(a, b[, c], axis<A>)   the extents along A add up; the other extents agree
//   stack(a, b[, c], axis<A>)         a new axis A of extent 2 (3): concatenate of expand_dims
// Reverse mode: operand k receives its part of the adjoint, concat_part<A, k>(g, a, b[, c]), the
// slice of g at k's place along A. Forward mode: the sum over k of concat_embed<A, k>(d_k, a, b[,
// c]), d_k placed at k's place in zeros of the result's shape. The two are each other's adjoint.
// (The operands after the first of concat_part and concat_embed are read for their shapes only.)
#include <algorithm>
#include <concepts>
#include <cstddef>
#include <string>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/constant.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"
#include "add.hpp"
#include "axis.hpp"
#include "reshape.hpp"

namespace symdiff {

template <int A, std::size_t N>
struct concatenate_op;
template <int A, std::size_t K, std::size_t N, bool Placing>
struct concat_slice_op;
template <int A, std::size_t K, std::size_t N>
using concat_part_op = concat_slice_op<A, K, N, false>;
template <int A, std::size_t K, std::size_t N>
using concat_embed_op = concat_slice_op<A, K, N, true>;

namespace detail {

/// The joined shape, or shape_error naming the operand that does not fit.
inline shape_type joined_shape(const shape_type* parts, std::size_t n, int axis) {
    for (std::size_t k = 0; k < n; ++k)
        if (parts[k].empty()) throw shape_error("operand " + std::to_string(k + 1) + " is a number; it needs an axis");
    shape_type r = parts[0];
    const std::size_t a = normalize_axis(axis, r.size());
    for (std::size_t k = 1; k < n; ++k) {
        bool ok = parts[k].size() == r.size();
        for (std::size_t d = 0; ok && d < r.size(); ++d) ok = d == a || parts[k][d] == r[d];
        if (!ok)
            throw shape_error("operand " + std::to_string(k + 1) + " of shape " + shape_to_string(parts[k]) +
                              " does not join " + shape_to_string(parts[0]) + " along axis " + std::to_string(a));
        r[a] += parts[k][a];
    }
    return r;
}

/// Copies between the joined array and part `k`: to the part (`to_part`) or into its place.
template <class T>
void copy_part(const T* from, T* to, const std::size_t* dims, std::size_t rank, std::size_t a, const std::size_t* lens,
               std::size_t n, std::size_t k, bool to_part) {
    std::size_t outer = 1, inner = 1, total = 0, offset = 0;
    for (std::size_t d = 0; d < a; ++d) outer *= dims[d];
    for (std::size_t d = a + 1; d < rank; ++d) inner *= dims[d];
    for (std::size_t j = 0; j < n; ++j) total += lens[j], offset += j < k ? lens[j] : 0;
    const std::size_t width = lens[k] * inner;
    for (std::size_t o = 0; o < outer; ++o) {
        const std::size_t whole = (o * total + offset) * inner, part = o * width;
        if (to_part) std::copy(from + whole, from + whole + width, to + part);
        else std::copy(from + part, from + part + width, to + whole);
    }
}

template <int A>
struct joined_base : structural_op {
    static constexpr int along_axis = A;  // written as the last argument in messages
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr bool number_result(auto...) { return false; }
};

}  // namespace detail

template <int A, std::size_t N>
struct concatenate_op : detail::joined_base<A> {
    static constexpr std::string_view name = "concatenate";
    static constexpr std::string_view latex = "\\operatorname{concatenate}";
    static constexpr std::size_t arity = N;

    template <class Nd, class... S>
    static shape_type shape(const Nd&, const S&... s) {
        const shape_type parts[] = {s...};
        return detail::joined_shape(parts, sizeof...(S), A);
    }
    template <class Nd, class T, class... P>
    static void compute(const Nd&, array_ref<T> out, const P&... p) {
        const std::size_t a = detail::normalize_axis(A, out.rank);
        const std::size_t lens[] = {p.dims[a]...};
        std::size_t k = 0;
        ((detail::copy_part(p.data, out.data, out.dims, out.rank, a, lens, sizeof...(P), k++, false)), ...);
    }
    template <std::size_t I, class Nd, class G>
    static constexpr auto pullback(const Nd& n, G g) {
        return make_adjoint<reduction::exact>(part<I>(detail::shaped_like(g, n), n, std::make_index_sequence<N>{}),
                                              n.template arg<I>());
    }
    template <class Nd, class... D>
    static constexpr auto tangent(const Nd& n, D... d) {
        return tangents(n, std::make_tuple(d...), std::make_index_sequence<N>{});
    }
    template <class Nd>
    static constexpr auto print_as(const Nd& n) {  // concatenate(a, b, 1)
        if constexpr (Nd::arity == N && N <= 3) return with_axis(n, std::make_index_sequence<N>{});
        else return n;
    }

private:
    template <std::size_t I, class G, class Nd, std::size_t... J>
    static constexpr auto part(G g, const Nd& n, std::index_sequence<J...>) {
        return make_node<concat_part_op<A, I, N>>(g, n.template arg<J>()...);
    }
    template <std::size_t K, class Nd, class Ds, std::size_t... J>
    static constexpr auto tangent_term(const Nd& n, const Ds& ds, std::index_sequence<J...>) {
        using DK = std::tuple_element_t<K, Ds>;
        if constexpr (std::is_same_v<DK, zero_t>) return zero;
        else
            return make_node<concat_embed_op<A, K, N>>(detail::shaped_like(std::get<K>(ds), n.template arg<K>()),
                                                       n.template arg<J>()...);
    }
    template <class Nd, class Ds, std::size_t... K>
    static constexpr auto tangents(const Nd& n, const Ds& ds, std::index_sequence<K...> all) {
        return (zero + ... + tangent_term<K>(n, ds, all));
    }
    template <class Nd, std::size_t... J>
    static constexpr auto with_axis(const Nd& n, std::index_sequence<J...>) {
        return make_node<concatenate_op>(n.template arg<J>()..., detail::axis_label<A>());
    }
};

/// The two moves between a joined array and part K (along axis A) of it; the operands after the
/// first are the parts, for their shapes.
///   Placing = false, concat_part(g, ...):  part K of the joined array g
///   Placing = true, concat_embed(h, ...):  h placed as part K in zeros of the joined shape
/// Both are linear and each is the other's adjoint.
template <int A, std::size_t K, std::size_t N, bool Placing>
struct concat_slice_op : detail::joined_base<A> {
    static constexpr std::string_view name = Placing ? "concat_embed" : "concat_part";
    static constexpr std::string_view latex =
        Placing ? "\\operatorname{concat\\_embed}" : "\\operatorname{concat\\_part}";
    static constexpr std::size_t arity = N + 1;
    static constexpr bool value_arg(std::size_t i) { return i == 0; }

    template <class Nd, class... S>
    static shape_type shape(const Nd&, const shape_type& first, const S&... s) {
        const shape_type parts[] = {s...};
        shape_type whole = detail::joined_shape(parts, sizeof...(S), A);
        if (Placing && first != parts[K])
            throw shape_error("part " + std::to_string(K + 1) + " has shape " + shape_to_string(first) +
                              ", its place " + shape_to_string(parts[K]));
        if (!Placing && first != whole)
            throw shape_error("the joined array has shape " + shape_to_string(first) + ", its parts make " +
                              shape_to_string(whole));
        return Placing ? whole : parts[K];
    }
    template <class Nd, class T, class... P>
    static void compute(const Nd&, array_ref<T> out, array_ref<const T> first, const P&... p) {
        const std::size_t rank = Placing ? out.rank : first.rank;  // (of the joined array)
        const std::size_t* joined = Placing ? out.dims : first.dims;
        const std::size_t a = detail::normalize_axis(A, rank);
        const std::size_t lens[] = {p.dims[a]...};
        if constexpr (Placing) std::fill(out.data, out.data + out.size(), T(0));
        detail::copy_part(first.data, out.data, joined, rank, a, lens, sizeof...(P), K, !Placing);
    }
    template <std::size_t I, class Nd, class G>
    static constexpr auto pullback(const Nd& n, G g) {
        if constexpr (I == 0)
            return make_adjoint<reduction::exact>(
                with_first<concat_slice_op<A, K, N, !Placing>>(detail::shaped_like(g, n), n), n.template arg<0>());
        else return no_adjoint{};
    }
    template <class Nd, class D, class... DP>
    static constexpr auto tangent(const Nd& n, D d, DP...) {
        return with_first<concat_slice_op>(detail::shaped_like(d, n.template arg<0>()), n);
    }

    // Printed with its place: concat_part(g, k, axis), concat_embed(h, k, axis), k from 0.
    template <class Nd>
    static constexpr auto print_as(const Nd& n) {
        if constexpr (Constant<std::remove_cvref_t<decltype(n.template arg<1>())>>) return n;
        else
            return make_node<concat_slice_op>(n.template arg<0>(), constant<static_cast<long long>(K)>{},
                                              detail::axis_label<A>());
    }

private:
    /// Op(x, the parts of n).
    template <class Op, class X, class Nd>
    static constexpr auto with_first(X x, const Nd& n) {
        if constexpr (std::is_same_v<X, zero_t>) return zero;
        else return with_parts<Op>(x, n, std::make_index_sequence<N>{});
    }
    template <class Op, class X, class Nd, std::size_t... J>
    static constexpr auto with_parts(X x, const Nd& n, std::index_sequence<J...>) {
        return make_node<Op>(x, n.template arg<J + 1>()...);
    }
};

/// `a` and `b` (and `c`) joined along axis A.
template <int A = 0, Expression E1, Expression E2>
constexpr auto concatenate(E1 a, E2 b, axis_t<A> = {}) {
    return make_node<concatenate_op<A, 2>>(a, b);
}
template <int A = 0, Expression E1, Expression E2, Expression E3>
constexpr auto concatenate(E1 a, E2 b, E3 c, axis_t<A> = {}) {
    return make_node<concatenate_op<A, 3>>(a, b, c);
}

template <Expression E1, Expression E2, std::integral I>
constexpr auto concatenate(E1 a, E2, I) {
    static_assert(detail::misuse<I>,
                  "concatenate(a, b, 1): an axis is part of the expression's type: write concatenate(a, b, axis<1>)");
    return a;
}

/// `a` and `b` (and `c`) stacked along a new axis A.
template <int A = 0, Expression E1, Expression E2>
constexpr auto stack(E1 a, E2 b, axis_t<A> = {}) {
    return concatenate(expand_dims(a, axis<A>), expand_dims(b, axis<A>), axis<A>);
}
template <int A = 0, Expression E1, Expression E2, Expression E3>
constexpr auto stack(E1 a, E2 b, E3 c, axis_t<A> = {}) {
    return concatenate(expand_dims(a, axis<A>), expand_dims(b, axis<A>), expand_dims(c, axis<A>), axis<A>);
}

}  // namespace symdiff
