#pragma once
// Sine.   (sin a)' = cos a
#include "../core/math.hpp"

#include "multiply.hpp"

namespace symdiff {

struct sin_op : elementwise_op {
    static constexpr std::string_view name = "sin";
    static constexpr std::string_view latex = "\\sin";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::sin(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return cos(n.template arg<0>());
    }
};

template <Expression A>
constexpr auto sin(A a) {
    if constexpr (std::is_same_v<A, zero_t>) return zero;
    else return make_node<sin_op>(a);
}

}  // namespace symdiff

// sin' = cos: cos() is defined in cos.hpp, which includes this header first.
#include "cos.hpp"
