#pragma once
// Sum.   (a + b)'a = 1,  (a + b)'b = 1
#include "../core/notation.hpp"
#include "../core/traits.hpp"
#include "../detail/values.hpp"
#include "fwd.hpp"
#include "multiply.hpp"
#include "negate.hpp"

namespace symdiff {

struct add_op : elementwise_op {
    static constexpr std::string_view name = " + ";
    static constexpr std::string_view latex = " + ";
    static constexpr auto notation = style::infix;
    static constexpr int precedence = precedence::sum;
    static constexpr std::size_t arity = 2;
    static constexpr bool partials_are_one = true;  // the differentiators need not ask partial<I>

    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return a + b;
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return one;
    }
};

namespace detail {
// Two nodes of an operation that is linear in its first operand, with the same other operands:
// op(a, r...) + op(b, r...) = op(a + b, r...). Merges the per-occurrence pieces of a gradient.
template <class A, class B>
inline constexpr bool mergeable_linear = false;
template <class Op, class A0, class B0, class... Rest>
requires(requires { Op::linear_in_first; } && Op::linear_in_first && is_stateless<node<Op, A0, Rest...>> &&
         is_stateless<node<Op, B0, Rest...>>) inline constexpr bool mergeable_linear<node<Op, A0, Rest...>,
                                                                                     node<Op, B0, Rest...>> = true;

}  // namespace detail

template <Expression A, Expression B>
constexpr auto add(A a, B b) {
    using detail::coefficient;
    using detail::term;
    if constexpr (std::is_same_v<A, zero_t>) {
        return b;
    } else if constexpr (std::is_same_v<B, zero_t>) {
        return a;
    } else if constexpr (Constant<A> && Constant<B>) {
        return detail::const_add(a, b);
    } else if constexpr (std::is_same_v<detail::term_t<A>, detail::term_t<B>> && is_stateless<A> && is_stateless<B>) {
        return multiply(detail::const_add(coefficient(a), coefficient(b)), term(a));  // c1 x + c2 x
    } else if constexpr (is_op<B, negate_op>) {
        return subtract(a, b.template arg<0>());  // a + (-b) = a - b
    } else if constexpr (detail::is_negative_constant<B>::value) {
        return subtract(a, detail::const_neg(b));
    } else if constexpr (detail::is_scaled<B>::value &&
                         detail::is_negative_constant<decltype(detail::coefficient(b))>::value) {
        return subtract(a,
                        multiply(detail::const_neg(detail::coefficient(b)), detail::term(b)));  // a + (-c) x = a - c x
    } else if constexpr (detail::mergeable_linear<A, B>) {
        return A::op::merge(a, b);
    } else {
        return node<add_op, A, B>{a, b};  // (not make_node: one function less per node of a long sum)
    }
}

template <Expression A, Expression B>
constexpr auto operator+(A a, B b) {
    return add(a, b);
}

}  // namespace symdiff
