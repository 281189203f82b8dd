#pragma once
// Hyperbolic tangent.   (tanh a)' = 1 - tanh^2 a
#include "../core/math.hpp"

#include "square.hpp"
#include "subtract.hpp"

namespace symdiff {

struct tanh_op : elementwise_op {
    static constexpr std::string_view name = "tanh";
    static constexpr std::string_view latex = "\\tanh";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::tanh(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return subtract(one, square(n));
    }
};

template <Expression A>
constexpr auto tanh(A a) {
    if constexpr (std::is_same_v<A, zero_t>) return zero;
    else return make_node<tanh_op>(a);
}

}  // namespace symdiff
