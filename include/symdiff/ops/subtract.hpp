#pragma once
// Difference.   (a - b)'a = 1,  (a - b)'b = -1
#include "add.hpp"

namespace symdiff {

struct subtract_op : elementwise_op {
    static constexpr std::string_view name = " - ";
    static constexpr std::string_view latex = " - ";
    static constexpr auto notation = style::infix;
    static constexpr int precedence = precedence::sum;
    static constexpr std::size_t arity = 2;

    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return a - b;
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        if constexpr (I == 0) return one;
        else return constant<-1>{};
    }
};

template <Expression A, Expression B>
constexpr auto subtract(A a, B b) {
    using detail::coefficient;
    using detail::term;
    if constexpr (std::is_same_v<B, zero_t>) {
        return a;
    } else if constexpr (std::is_same_v<A, zero_t>) {
        return negate(b);
    } else if constexpr (Constant<A> && Constant<B>) {
        return detail::const_add(a, detail::const_neg(b));
    } else if constexpr (std::is_same_v<detail::term_t<A>, detail::term_t<B>> && is_stateless<A> && is_stateless<B>) {
        return multiply(detail::const_add(coefficient(a), detail::const_neg(coefficient(b))), term(a));
    } else if constexpr (is_op<B, negate_op>) {
        return add(a, b.template arg<0>());  // a - (-b) = a + b
    } else if constexpr (detail::is_negative_constant<B>::value) {
        return add(a, detail::const_neg(b));
    } else if constexpr (detail::is_scaled<B>::value &&
                         detail::is_negative_constant<decltype(detail::coefficient(b))>::value) {
        return add(a, multiply(detail::const_neg(detail::coefficient(b)), detail::term(b)));  // a - (-c) x = a + c x
    } else {
        return make_node<subtract_op>(a, b);
    }
}

template <Expression A, Expression B>
constexpr auto operator-(A a, B b) {
    return subtract(a, b);
}

}  // namespace symdiff
