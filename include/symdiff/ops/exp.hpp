#pragma once
// Exponential.   (e^a)' = e^a
#include "../core/math.hpp"

#include "multiply.hpp"

namespace symdiff {

struct exp_op : elementwise_op {
    static constexpr std::string_view name = "exp";
    static constexpr std::string_view latex = "\\exp";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::exp(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return n;
    }
};

struct log_op;

template <Expression A>
constexpr auto exp(A a) {
    if constexpr (std::is_same_v<A, zero_t>) return one;
    else if constexpr (is_op<A, log_op>) return a.template arg<0>();  // exp(log a) = a (a > 0 where log is defined)
    else return make_node<exp_op>(a);
}

}  // namespace symdiff
