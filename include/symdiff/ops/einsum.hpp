#pragma once
// einsum: Einstein summation over operands of any rank, with the subscripts given at compile time.
//   einsum<"ij,jk->ik">(a, b)      matrix product        einsum<"bij,bjk->bik">(a, b)   batched
//   einsum<"ii->">(a)              trace                 einsum<"ii->i">(a)             diagonal
//   einsum<"i,j->ij">(u, v)        outer product         einsum<"ij->j">(a)             sum over i
//   einsum<"ijk->kji">(a)          axes permuted         einsum<"i,i">(u, v)            u . v, a number
//   value: out[o] = sum over the letters not in the output of  prod_k a_k[s_k]
// A letter repeated in an operand reads a diagonal; repeated in the output it writes one (zeros
// elsewhere). An operand written `*ij` is read for its shape only: it gives the extents of
// letters that no other operand has (`i,*ij->ij` repeats a vector along a matrix's columns).
// At most 3 operands are read for their values (and 1 for its shape). An output without letters
// is a number.
//
// Derivatives (Ricci calculus: every derivative of an einsum is an einsum; einsum_spec.hpp):
//   reverse: z = einsum(s_1, ..., s_n -> o)(a_1, ..., a_n): a_k receives
//            einsum(o, s_j (j != k) [, *s_k] -> s_k)(z̄, a_j (j != k) [, a_k])
//   forward: dz = sum_k einsum(s_1, ..., s_n -> o)(a_1, ..., da_k, ..., a_n)
// Simplified when built: a zero operand gives zero, an exact number without subscripts is
// factored out (2 * einsum(...)), "ij->ij" is its operand.
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/fixed_string.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"
#include "add.hpp"
#include "axis.hpp"
#include "einsum_kernels.hpp"
#include "einsum_spec.hpp"
#include "multiply.hpp"

namespace symdiff {

template <fixed_string S>
struct einsum_op;

namespace detail {

template <fixed_string S, class... A>
constexpr auto make_einsum(A... a);

/// The subscripts of `p` as a template argument, in the explicit form ("ij,jk->ik").
template <einsum_text T>
constexpr auto einsum_string() {
    return fixed_string<T.size + 1>(T.view());
}

/// make_einsum<Q>(the operands of `t` at the positions `src`).
template <fixed_string Q, einsum_sources Src, class Tuple, std::size_t... J>
constexpr auto einsum_select(const Tuple& t, std::index_sequence<J...>) {
    return make_einsum<Q>(std::get<static_cast<std::size_t>(Src[J])>(t)...);
}

/// The first value operand (by `flags`) whose flag is set, or P.n.
template <std::size_t N>
constexpr std::size_t einsum_first(const einsum_spec& p, const std::array<bool, N>& flags) {
    for (std::size_t k = 0; k < N; ++k)
        if (!p.shape_only[k] && flags[k]) return k;
    return N;
}

constexpr einsum_sources einsum_all_but(std::size_t n, std::size_t k) {
    einsum_sources s{};
    std::size_t m = 0;
    for (std::size_t j = 0; j < n; ++j)
        if (j != k) s[m++] = static_cast<int>(j);
    return s;
}

template <fixed_string S, class... A>
constexpr auto make_einsum(A... a) {
    constexpr einsum_spec P = parse_einsum(S.view());
    static_assert(sizeof...(A) == P.n, "einsum: the subscripts name a different number of operands than were given");
    constexpr std::array<bool, sizeof...(A)> is_zero{std::is_same_v<A, zero_t>...};
    constexpr std::array<bool, sizeof...(A)> factor{(static_scalar<A> && !std::is_same_v<A, zero_t>)...};
    constexpr std::size_t z = einsum_first(P, is_zero);
    constexpr std::size_t f = einsum_first(P, factor);
    if constexpr (z < P.n) {
        return zero;  // a product with a zero factor
    } else if constexpr (einsum_is_identity(P)) {
        return std::get<0>(std::tuple<A...>(a...));
    } else if constexpr (f < P.n && P.rank[f] == 0 && P.value_operands() > 1) {
        // c * einsum(the rest): an exact number leaves the contraction
        const std::tuple<A...> t(a...);
        constexpr auto rest = einsum_string<einsum_to_text(einsum_without(P, f))>();
        return multiply(std::get<f>(t),
                        einsum_select<rest, einsum_all_but(P.n, f)>(t, std::make_index_sequence<P.n - 1>{}));
    } else {
        return make_node<einsum_op<S>>(a...);
    }
}

/// A number standing for an array of equal elements (an adjoint `one`, a tangent) takes the
/// shape of `like` when the einsum gives it subscripts.
template <std::size_t Rank, class V, class Like>
constexpr auto einsum_operand_of(V v, Like like) {
    if constexpr (Rank > 0) return shaped_like(v, like);
    else return v;
}

}  // namespace detail

template <fixed_string S>
struct einsum_op : structural_op {
    static constexpr detail::einsum_spec P = detail::parse_einsum(S.view());
    static_assert(P.error == detail::einsum_error::none);

    static constexpr std::string_view name = "einsum";
    static constexpr std::string_view latex = "\\operatorname{einsum}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    /// Written as the first argument: einsum("ij,jk->ik", a, b).
    static constexpr std::string_view subscripts = S.view();

    static constexpr std::size_t arity = P.n;
    /// No output subscripts: a number, differentiated as a loss (reverse mode) by `derivative`.
    static constexpr bool full_reduction = P.out_rank == 0;

    static constexpr bool value_arg(std::size_t i) { return !P.shape_only[i]; }
    template <class... B>
    static constexpr bool number_result(B...) {
        return P.out_rank == 0;
    }

    /// With rows of data: a letter that leads every operand with rows (once) and no other operand.
    /// Leading the output too: each row of the result comes from that row of the operands (local;
    /// a shape-only operand is given whole in a block, so compute takes the rows letter's extent
    /// from the result's block). Absent from an array output: a sum over the rows (reduce), or,
    /// when only shape-only operands hold rows, a value that does not depend on them (none).
    template <class... B>
    static constexpr rows_behaviour rows(B... r) {
        const std::array<bool, sizeof...(B)> has{static_cast<bool>(r)...};
        unsigned sliced = 0;
        char c = 0;
        for (std::size_t k = 0; k < P.n; ++k) {
            if (!has[k]) continue;
            sliced |= 1u << k;
            if (P.rank[k] == 0) return {};
            if (c == 0) c = P.sub[k][0];
            if (P.sub[k][0] != c) return {};
        }
        if (sliced == 0) return {rows_rule::none, 0u};
        bool in_values = false;  // a shape-only operand alone does not make the value depend on rows
        for (std::size_t k = 0; k < P.n; ++k) in_values = in_values || (has[k] && !P.shape_only[k]);
        for (std::size_t k = 0; k < P.n; ++k) {
            std::size_t seen = 0;
            for (std::size_t i = 0; i < P.rank[k]; ++i) seen += P.sub[k][i] == c ? 1 : 0;
            if (seen != (has[k] ? 1u : 0u)) return {};
        }
        std::size_t in_out = 0;
        for (std::size_t i = 0; i < P.out_rank; ++i) in_out += P.out[i] == c ? 1 : 0;
        if (in_out == 1 && P.out[0] == c) return {rows_rule::local, sliced};
        if (in_out == 0 && !in_values) return {rows_rule::none, 0u};  // the rows give a shape only
        if (in_out == 0 && P.out_rank > 0) return {rows_rule::reduce, sliced};
        return {};
    }

    template <class N, class... Shape>
    static shape_type shape(const N&, const Shape&... s) {
        return detail::einsum_result_shape<sizeof...(Shape)>(P, {&s...});
    }

    template <class N, class Out, class... In>
    static void compute(const N&, Out&& out, const In&... in) {
        using O = std::remove_cvref_t<Out>;
        if constexpr (std::is_arithmetic_v<O>) {
            const std::array<detail::einsum_operand<O>, sizeof...(In)> ops{as_array_ref<O>(in)...};
            const detail::einsum_operand<O> result{};
            const detail::einsum_extents e = detail::einsum_letter_extents(P, ops.data(), &result);
            detail::einsum_contract(P, e, &out, ops.data());
        } else {
            using T = std::remove_const_t<std::remove_pointer_t<decltype(out.data)>>;
            const std::array<detail::einsum_operand<T>, sizeof...(In)> ops{as_array_ref<T>(in)...};
            const detail::einsum_operand<T> result{out.data, out.dims, out.rank};
            const detail::einsum_extents e = detail::einsum_letter_extents(P, ops.data(), &result);
            detail::einsum_contract(P, e, out.data, ops.data());
        }
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (P.shape_only[I]) {
            return no_adjoint{};
        } else {
            // (a full contraction whose adjoint does not compute it (a number, a symbol: c * tr(AB)):
            // operand I pins the extents, unless the same expression with the same subscripts is
            // another operand: a . a)
            constexpr bool pin =
                P.out_rank == 0 && !depends_on<G, N> && !has_twin<I, N>(std::make_index_sequence<P.n>{});
            constexpr detail::einsum_spec Q = detail::einsum_pullback_spec(P, I, pin);
            constexpr auto q = detail::einsum_string<detail::einsum_to_text(Q)>();
            // the sources index the operands; the adjoint is the tuple's last entry
            constexpr detail::einsum_sources at = detail::einsum_pullback_sources(P, I, static_cast<int>(P.n), pin);
            const auto t = std::tuple_cat(operands(n, std::make_index_sequence<P.n>{}),
                                          std::make_tuple(detail::einsum_operand_of<P.out_rank>(g, n)));
            return make_adjoint<reduction::exact>(detail::einsum_select<q, at>(t, std::make_index_sequence<Q.n>{}),
                                                  n.template arg<I>());
        }
    }

    template <class N, class... D>
    static constexpr auto tangent(const N& n, D... d) {
        const std::tuple<D...> ds(d...);
        return tangents(n, ds, std::make_index_sequence<P.n>{});
    }

private:
    /// Is operand I's expression, with its subscripts, also another value operand?
    template <std::size_t I, class N, std::size_t... J>
    static constexpr bool has_twin(std::index_sequence<J...>) {
        using AI = std::remove_cvref_t<decltype(std::declval<const N&>().template arg<I>())>;
        constexpr auto same_subscripts = [](std::size_t j) {
            if (P.rank[j] != P.rank[I]) return false;
            for (std::size_t i = 0; i < P.rank[I]; ++i)
                if (P.sub[j][i] != P.sub[I][i]) return false;
            return true;
        };
        return ((J != I && !P.shape_only[J] && same_subscripts(J) &&
                 std::is_same_v<AI, std::remove_cvref_t<decltype(std::declval<const N&>().template arg<J>())>>) ||
                ...);
    }
    template <class N, std::size_t... J>
    static constexpr auto operands(const N& n, std::index_sequence<J...>) {
        return std::make_tuple(n.template arg<J>()...);
    }

    // the term of operand K: its tangent in its place
    template <std::size_t J, std::size_t K, class N, class DK>
    static constexpr auto arg_or_tangent(const N& n, DK dk) {
        if constexpr (J == K) return detail::einsum_operand_of<P.rank[K]>(dk, n.template arg<K>());
        else return n.template arg<J>();
    }
    template <std::size_t K, class N, class Ds, std::size_t... J>
    static constexpr auto tangent_term(const N& n, const Ds& ds, std::index_sequence<J...>) {
        if constexpr (P.shape_only[K]) return zero;
        else return detail::make_einsum<S>(arg_or_tangent<J, K>(n, std::get<K>(ds))...);
    }
    template <class N, class Ds, std::size_t... K>
    static constexpr auto tangents(const N& n, const Ds& ds, std::index_sequence<K...> all) {
        return (zero + ... + tangent_term<K>(n, ds, all));
    }
};

/// Einstein summation: `einsum<"ij,jk->ik">(a, b)` (see the header comment for the subscripts).
template <fixed_string S, Expression... A>
constexpr auto einsum(A... a) {
    constexpr detail::einsum_spec p = detail::parse_einsum(S.view());
    using detail::einsum_error;
    // (static_asserts one by one, so that the first line of the error names the problem)
    static_assert(p.error != einsum_error::not_a_letter, "einsum: a subscript must be a letter, a-z or A-Z");
    static_assert(p.error != einsum_error::too_many_operands,
                  "einsum: at most 3 operands (and one read for its shape)");
    static_assert(p.error != einsum_error::rank_too_high,
                  "einsum: an operand or the output has more than 8 subscripts");
    static_assert(p.error != einsum_error::output_letter_not_in_operands,
                  "einsum: a letter of the output appears in no operand");
    static_assert(p.error != einsum_error::misplaced_shape_marker,
                  "einsum: '*' must come first in an operand's subscripts");
    static_assert(p.error != einsum_error::no_value_operand, "einsum: every operand is marked '*' (shape only)");
    static_assert(p.error != einsum_error::ellipsis,
                  "einsum: '...' (NumPy's broadcast axes) is not supported: name every axis with a letter");
    static_assert(p.error != einsum_error::none || p.value_operands() <= detail::einsum_max_value_operands,
                  "einsum: at most 3 operands are read for their values");
    static_assert(p.error != einsum_error::none || sizeof...(A) == p.n,
                  "einsum: the subscripts name a different number of operands than were given");
    if constexpr (p.error == einsum_error::none && sizeof...(A) == p.n &&
                  p.value_operands() <= detail::einsum_max_value_operands) {
        constexpr auto text = detail::einsum_string<detail::einsum_to_text(p)>();
        // "ij->ij" written by the user is kept as a node, so that evaluating it checks the
        // operand's rank; make_einsum drops it where a derivative produces it
        if constexpr (detail::einsum_is_identity(p)) return make_node<einsum_op<text>>(a...);
        else return detail::make_einsum<text>(a...);
    } else return zero;
}

}  // namespace symdiff
