#pragma once
// Tangent.   (tan a)' = 1 + tan^2 a
#include "../core/math.hpp"

#include "add.hpp"
#include "square.hpp"

namespace symdiff {

struct tan_op : elementwise_op {
    static constexpr std::string_view name = "tan";
    static constexpr std::string_view latex = "\\tan";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::tan(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return add(one, square(n));
    }
};

template <Expression A>
constexpr auto tan(A a) {
    if constexpr (std::is_same_v<A, zero_t>) return zero;
    else return make_node<tan_op>(a);
}

}  // namespace symdiff
