#pragma once
// stop_gradient(e): the value of e, held constant by differentiation (JAX's lax.stop_gradient,
// PyTorch's detach()):   d stop_gradient(e) = 0.
// The shift of a stable log-sum-exp, m + log(sum(exp(x - m))) with m = stop_gradient(max(x)),
// then leaves no rounding error at the maximum in the gradient (m cancels in value, not in
// floating point).
#include "../core/math.hpp"
#include "multiply.hpp"

namespace symdiff {

struct stop_gradient_op : elementwise_op {
    static constexpr std::string_view name = "stop_gradient";
    static constexpr std::string_view latex = "\\operatorname{sg}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return a;
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return zero;
    }
};

/// The value of `e`, with derivative 0 with respect to every symbol.
template <Expression E>
constexpr auto stop_gradient(E e) {
    if constexpr (Constant<E> || Literal<E> || is_op<E, stop_gradient_op>) return e;
    else return make_node<stop_gradient_op>(e);
}

}  // namespace symdiff
