#pragma once
// Indicators 1{a < b} and 1{a <= b} (1 or 0). They route the derivative of min and max;
// being piecewise constant, their own derivative is 0.
#include "../core/math.hpp"
#include "multiply.hpp"

namespace symdiff {

struct less_op : elementwise_op {
    static constexpr std::string_view name = "less";
    static constexpr std::string_view latex = "\\mathbb{1}_<";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 2;

    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return math::select(a < b, math::splat<V>(1), math::splat<V>(0));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return zero;
    }
};

struct less_equal_op : elementwise_op {
    static constexpr std::string_view name = "less_equal";
    static constexpr std::string_view latex = "\\mathbb{1}_\\le";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 2;

    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return math::select(a <= b, math::splat<V>(1), math::splat<V>(0));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return zero;
    }
};

template <Expression A, Expression B>
constexpr auto less(A a, B b) {
    return make_node<less_op>(a, b);
}
template <Expression A, Expression B>
constexpr auto less_equal(A a, B b) {
    return make_node<less_equal_op>(a, b);
}

}  // namespace symdiff
