#pragma once
// Softplus log(1 + e^a), computed without overflow.   softplus'(a) = sigmoid(a)
#include "../core/math.hpp"
#include "sigmoid.hpp"

namespace symdiff {

struct softplus_op : elementwise_op {
    static constexpr std::string_view name = "softplus";
    static constexpr std::string_view latex = "\\operatorname{softplus}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    // log(1 + e^a) = max(a, 0) + log1p(e^-|a|): e^-|a| <= 1 never overflows
    template <class V>
    static constexpr V apply(const V& a) {
        const V z = math::splat<V>(0);
        return math::select(a > z, a, z) + math::log1p(math::exp(-math::abs(a)));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return sigmoid(n.template arg<0>());
    }
};

template <Expression A>
constexpr auto softplus(A a) {
    return make_node<softplus_op>(a);
}

}  // namespace symdiff
