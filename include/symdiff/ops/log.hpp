#pragma once
// Natural logarithm.   (log a)' = 1 / a
#include "../core/math.hpp"

#include "divide.hpp"
#include "exp.hpp"

namespace symdiff {

struct log_op : elementwise_op {
    static constexpr std::string_view name = "log";
    static constexpr std::string_view latex = "\\log";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::log(a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return divide(one, n.template arg<0>());
    }
};

template <Expression A>
constexpr auto log(A a) {
    if constexpr (std::is_same_v<A, one_t>) return zero;
    else if constexpr (is_op<A, exp_op>) return a.template arg<0>();  // log(exp a) = a
    else return make_node<log_op>(a);
}

}  // namespace symdiff
