#pragma once
// Numerically stable log-sum-exp, log-softmax and softmax along one axis (the last by default),
// computed line by line with the maximum m subtracted first:
//   log_sum_exp(z) = m + log(sum(exp(z - m)))        (keeps the axis with extent 1)
//   log_softmax(z) = z - log_sum_exp(z)
//   softmax(z)     = exp(z - log_sum_exp(z))
// Reverse mode (g: the adjoint of the result):
//   log_sum_exp:  z̄ = g * softmax(z)
//   log_softmax:  z̄ = g - softmax(z) * sum(g, axis)
//   softmax:      z̄ = s * (g - sum(g * s, axis)),  s = softmax(z)
// Forward mode: d lse = sum(dz * softmax(z), axis), d log_softmax = dz - d lse,
//               d softmax = s * (dz - sum(dz * s, axis)).
#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/traits.hpp"
#include "axis.hpp"
#include "axis_reductions.hpp"
#include "multiply.hpp"
#include "subtract.hpp"

namespace symdiff {

enum class softmax_kind { log_sum_exp, log_softmax, softmax };

template <softmax_kind K, int A>
struct softmax_family_op;

template <int A = -1, Expression E>
constexpr auto log_sum_exp(E e, axis_t<A> = {});
template <int A = -1, Expression E>
constexpr auto log_softmax(E e, axis_t<A> = {});
template <int A = -1, Expression E>
constexpr auto softmax(E e, axis_t<A> = {});

namespace detail {

/// Line by line along axis `a` of `x` (shape dims) into `y`.
template <softmax_kind K, class T>
void softmax_along(const T* x, const std::size_t* dims, std::size_t rank, std::size_t a, T* y) {
    const axis_split sp = split_at(dims, rank, a);
    for (std::size_t o = 0; o < sp.outer; ++o)
        for (std::size_t i = 0; i < sp.inner; ++i) {
            T m = -std::numeric_limits<T>::infinity();
            for (std::size_t j = 0; j < sp.len; ++j) m = std::max(m, x[sp.at(o, j, i)]);
            if (!std::isfinite(m)) m = T(0);  // all -inf: lse = -inf; +inf / NaN propagate
            T total = 0;
            for (std::size_t j = 0; j < sp.len; ++j) total += std::exp(x[sp.at(o, j, i)] - m);
            const T log_total = std::log(total);
            if constexpr (K == softmax_kind::log_sum_exp) {
                y[o * sp.inner + i] = m + log_total;
            } else if constexpr (K == softmax_kind::log_softmax) {
                // (x - m) - log(total), not x - (m + log(total)): for large logits m + log(total)
                // rounds log(total) away (float logits 1000 and 990: 34 % off)
                for (std::size_t j = 0; j < sp.len; ++j) y[sp.at(o, j, i)] = (x[sp.at(o, j, i)] - m) - log_total;
            } else {
                const T inv = T(1) / total;
                for (std::size_t j = 0; j < sp.len; ++j) y[sp.at(o, j, i)] = std::exp(x[sp.at(o, j, i)] - m) * inv;
            }
        }
}

}  // namespace detail

template <softmax_kind K, int A>
struct softmax_family_op : structural_op {
    static constexpr std::string_view name = K == softmax_kind::log_sum_exp   ? "log_sum_exp"
                                             : K == softmax_kind::log_softmax ? "log_softmax"
                                                                              : "softmax";
    static constexpr std::string_view latex = K == softmax_kind::log_sum_exp   ? "\\operatorname{logsumexp}"
                                              : K == softmax_kind::log_softmax ? "\\operatorname{log\\_softmax}"
                                                                               : "\\operatorname{softmax}";
    static constexpr auto notation = style::function;
    static constexpr int along_axis = A;  // written as the last argument in messages
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;
    static constexpr bool number_result(bool) { return false; }
    static constexpr rows_behaviour rows(bool r) { return detail::along_axis_rows<A>(r); }
    template <class N>
    static bool rows_local(const N&, const shape_type& s) {
        return detail::along_axis_is_local<A>(s);
    }

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        if constexpr (K == softmax_kind::log_sum_exp) return detail::keep_axis<A>(s);
        (void)detail::keep_axis<A>(s);
        return s;
    }
    template <class N, class T>
    static void compute(const N&, array_ref<T> out, array_ref<const T> z) {
        detail::softmax_along<K>(z.data, z.dims, z.rank, detail::normalize_axis(A, z.rank), out.data);
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        const auto z = n.template arg<0>();
        if constexpr (K == softmax_kind::log_sum_exp)
            return make_adjoint<reduction::exact>(multiply(g, softmax(z, axis<A>)), z);
        else if constexpr (K == softmax_kind::log_softmax)
            return make_adjoint<reduction::exact>(subtract(g, multiply(softmax(z, axis<A>), sum(g, axis<A>))), z);
        else return make_adjoint<reduction::exact>(multiply(n, subtract(g, sum(multiply(g, n), axis<A>))), z);
    }

    template <class N, class D>
    static constexpr auto tangent(const N& n, D d) {
        const auto z = n.template arg<0>();
        if constexpr (K == softmax_kind::log_sum_exp) return sum(multiply(d, softmax(z, axis<A>)), axis<A>);
        else if constexpr (K == softmax_kind::log_softmax)
            return subtract(d, sum(multiply(d, softmax(z, axis<A>)), axis<A>));
        else return multiply(n, subtract(d, sum(multiply(d, n), axis<A>)));
    }

    // The default (last) axis is not printed: softmax(z); others are: softmax(z, 0).
    template <class N>
    static constexpr auto print_as(const N& n) {
        if constexpr (N::arity == 1 && A != -1)
            return make_node<softmax_family_op>(n.template arg<0>(), detail::axis_label<A>());
        else return n;
    }
};

template <int A>
using log_sum_exp_op = softmax_family_op<softmax_kind::log_sum_exp, A>;
template <int A>
using log_softmax_op = softmax_family_op<softmax_kind::log_softmax, A>;
template <int A>
using softmax_op = softmax_family_op<softmax_kind::softmax, A>;

/// log(sum(exp(e))) along axis A (default: the last), keeping the axis with extent 1; stable.
template <int A, Expression E>
constexpr auto log_sum_exp(E e, axis_t<A>) {
    static_assert(!static_scalar<E>, "log_sum_exp(e): e is a scalar, it has no axes");
    return make_node<log_sum_exp_op<A>>(e);
}
template <Expression E, std::integral I>
constexpr auto log_sum_exp(E e, I) {
    static_assert(detail::misuse<I>,
                  "log_sum_exp(e, 1): an axis is part of the expression's type: write log_sum_exp(e, axis<1>)");
    return e;
}

/// e - log_sum_exp(e) along axis A (default: the last): log-probabilities from scores; stable.
template <int A, Expression E>
constexpr auto log_softmax(E e, axis_t<A>) {
    static_assert(!static_scalar<E>, "log_softmax(e): e is a scalar, it has no axes");
    return make_node<log_softmax_op<A>>(e);
}
template <Expression E, std::integral I>
constexpr auto log_softmax(E e, I) {
    static_assert(detail::misuse<I>,
                  "log_softmax(e, 1): an axis is part of the expression's type: write log_softmax(e, axis<1>)");
    return e;
}

/// exp(e) / sum(exp(e)) along axis A (default: the last): probabilities from scores; stable.
template <int A, Expression E>
constexpr auto softmax(E e, axis_t<A>) {
    static_assert(!static_scalar<E>, "softmax(e): e is a scalar, it has no axes");
    return make_node<softmax_op<A>>(e);
}
template <Expression E, std::integral I>
constexpr auto softmax(E e, I) {
    static_assert(detail::misuse<I>,
                  "softmax(e, 1): an axis is part of the expression's type: write softmax(e, axis<1>)");
    return e;
}

}  // namespace symdiff
