#pragma once
// Absolute value.   |a|' = sign a   (0 at a = 0, as in PyTorch)
#include "../core/math.hpp"

#include "sign.hpp"

namespace symdiff {

struct abs_op : elementwise_op {
    static constexpr std::string_view name = "abs";
    static constexpr auto notation = style::function;
    static constexpr auto latex_notation = style::bars;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::abs(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return sign(n.template arg<0>());
    }
};

template <Expression A>
constexpr auto abs(A a) {
    if constexpr (Constant<A>) return constant<(A::num < 0 ? -A::num : A::num), A::den>{};
    else if constexpr (is_op<A, abs_op>) return a;
    else return make_node<abs_op>(a);
}

}  // namespace symdiff
