#pragma once
// Square root.   (sqrt a)' = 1 / (2 sqrt a)
#include "../core/math.hpp"

#include "divide.hpp"

namespace symdiff {

struct sqrt_op : elementwise_op {
    static constexpr std::string_view name = "sqrt";
    static constexpr auto notation = style::function;
    static constexpr auto latex_notation = style::radical;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::sqrt(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return divide(one, multiply(constant<2>{}, n));
    }
};

template <Expression A>
constexpr auto sqrt(A a) {
    if constexpr (std::is_same_v<A, zero_t> || std::is_same_v<A, one_t>) return a;
    else return make_node<sqrt_op>(a);
}

}  // namespace symdiff
