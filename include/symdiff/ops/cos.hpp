#pragma once
// Cosine.   (cos a)' = -sin a
#include "../core/math.hpp"

#include "negate.hpp"
#include "sin.hpp"

namespace symdiff {

struct cos_op : elementwise_op {
    static constexpr std::string_view name = "cos";
    static constexpr std::string_view latex = "\\cos";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::cos(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return negate(sin(n.template arg<0>()));
    }
};

template <Expression A>
constexpr auto cos(A a) {
    if constexpr (std::is_same_v<A, zero_t>) return one;
    else return make_node<cos_op>(a);
}

}  // namespace symdiff
