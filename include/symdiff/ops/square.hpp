#pragma once
// a^2.   (a^2)' = 2 a
#include "multiply.hpp"

namespace symdiff {

struct square_op : elementwise_op {
    static constexpr std::string_view name = "square";
    static constexpr auto notation = style::power;
    static constexpr int precedence = precedence::power;
    static constexpr std::string_view exponent = "2";

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return a * a;
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return multiply(constant<2>{}, n.template arg<0>());
    }
};

template <Expression A>
constexpr auto square(A a) {
    if constexpr (Constant<A>) return detail::const_mul(a, a);
    else if constexpr (is_op<A, negate_op>) return square(a.template arg<0>());  // (-a)^2 = a^2
    else return make_node<square_op>(a);
}

}  // namespace symdiff
