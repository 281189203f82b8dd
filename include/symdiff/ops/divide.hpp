#pragma once
// Quotient.   (a / b)'a = 1 / b,  (a / b)'b = -a / b^2
#include "multiply.hpp"

namespace symdiff {

struct divide_op : elementwise_op {
    static constexpr std::string_view name = " / ";
    static constexpr auto notation = style::infix;
    static constexpr auto latex_notation = style::fraction;
    static constexpr int precedence = precedence::product;
    static constexpr std::size_t arity = 2;

    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return a / b;
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        if constexpr (I == 0) return divide(one, n.template arg<1>());
        else return negate(divide(n.template arg<0>(), square(n.template arg<1>())));
    }
};

template <Expression A, Expression B>
constexpr auto divide(A a, B b) {
    static_assert(!std::is_same_v<B, zero_t>, "symdiff: division by the exact constant 0");
    if constexpr (std::is_same_v<A, zero_t>) {
        return zero;
    } else if constexpr (std::is_same_v<B, one_t>) {
        return a;
    } else if constexpr (Constant<A> && Constant<B>) {
        return detail::const_mul(a, detail::const_inv(b));
    } else if constexpr (std::is_same_v<A, B> && is_stateless<A>) {
        return one;  // x / x = 1
    } else if constexpr (Constant<B> && !std::is_same_v<decltype(detail::coefficient(a)), one_t>) {
        return multiply(detail::const_mul(detail::coefficient(a), detail::const_inv(b)), detail::term(a));
    } else if constexpr (!Constant<B> && detail::is_scaled<B>::value) {
        return multiply(detail::const_inv(b.template arg<0>()), divide(a, b.template arg<1>()));  // a / (c y)
    } else if constexpr (is_op<A, negate_op>) {
        return negate(divide(a.template arg<0>(), b));
    } else {
        return make_node<divide_op>(a, b);
    }
}

template <Expression A, Expression B>
constexpr auto operator/(A a, B b) {
    return divide(a, b);
}

}  // namespace symdiff
