#pragma once
// Elementwise minimum and maximum of two expressions. At a tie the whole derivative goes to the
// first operand:   min(a, b)'a = 1{a <= b},  min(a, b)'b = 1{b < a}
//                  max(a, b)'a = 1{b <= a},  max(a, b)'b = 1{a < b}
#include "../core/math.hpp"
#include "compare.hpp"

namespace symdiff {

struct min_op : elementwise_op {
    static constexpr std::string_view name = "min";
    static constexpr std::string_view latex = "\\min";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 2;

    // NaN propagates, as in PyTorch; at a tie, the first operand
    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return math::select(math::is_nan(a), a, math::select(math::is_nan(b), b, math::select(a <= b, a, b)));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        if constexpr (I == 0) return less_equal(n.template arg<0>(), n.template arg<1>());
        else return less(n.template arg<1>(), n.template arg<0>());
    }
};

struct max_op : elementwise_op {
    static constexpr std::string_view name = "max";
    static constexpr std::string_view latex = "\\max";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 2;

    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return math::select(math::is_nan(a), a, math::select(math::is_nan(b), b, math::select(b <= a, a, b)));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        if constexpr (I == 0) return less_equal(n.template arg<1>(), n.template arg<0>());
        else return less(n.template arg<0>(), n.template arg<1>());
    }
};

template <Expression A, Expression B>
constexpr auto min(A a, B b) {
    if constexpr (std::is_same_v<A, B> && is_stateless<A>) return a;
    else return make_node<min_op>(a, b);
}
template <Expression A, Expression B>
constexpr auto max(A a, B b) {
    if constexpr (std::is_same_v<A, B> && is_stateless<A>) return a;
    else return make_node<max_op>(a, b);
}

}  // namespace symdiff
