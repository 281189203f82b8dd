#pragma once
// Logistic function 1 / (1 + e^-a).   (sigmoid a)' = sigmoid a (1 - sigmoid a)
#include "../core/math.hpp"
#include "subtract.hpp"

namespace symdiff {

struct sigmoid_op : elementwise_op {
    static constexpr std::string_view name = "sigmoid";
    static constexpr std::string_view latex = "\\sigma";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    // e = exp(-|a|) <= 1 never overflows: 1 / (1 + e) for a >= 0, e / (1 + e) otherwise
    template <class V>
    static constexpr V apply(const V& a) {
        const V e = math::exp(-math::abs(a));
        const V s = math::splat<V>(1) / (math::splat<V>(1) + e);
        return math::select(a >= math::splat<V>(0), s, e * s);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return multiply(n, subtract(one, n));
    }
};

template <Expression A>
constexpr auto sigmoid(A a) {
    return make_node<sigmoid_op>(a);
}

}  // namespace symdiff
