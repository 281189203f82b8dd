#pragma once
// u log a, with the value 0 wherever u = 0 and a is not NaN (torch.xlogy, scipy.special.xlogy):
// the derivative of a power with respect to its exponent,   (a^b)'b = a^b log a = xlogy(a^b, a),
// which is 0 at a = 0 for b > 0 (as in PyTorch), not 0 * log 0 = 0 * -inf = NaN.
//   (u log a)'u = log a,   (u log a)'a = u / a.
// Printed as u * log(a).
#include "../core/math.hpp"
#include "../core/notation.hpp"
#include "divide.hpp"
#include "log.hpp"
#include "multiply.hpp"

namespace symdiff {

struct xlogy_op : elementwise_op {
    static constexpr std::string_view name = "xlogy";
    static constexpr std::string_view latex = "\\operatorname{xlogy}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 2;

    template <class V>
    static constexpr V apply(const V& u, const V& a) {
        const V product = u * math::log(a);
        // (u = 0 and a NaN: NaN, as torch.xlogy)
        return math::select(u == math::splat<V>(0), math::select(math::is_nan(a), a, math::splat<V>(0)), product);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        const auto u = n.template arg<0>();
        const auto a = n.template arg<1>();
        if constexpr (I == 0) return log(a);
        else return divide(u, a);
    }
    template <class N>
    static constexpr auto print_as(const N& n) {
        return multiply(n.template arg<0>(), log(n.template arg<1>()));
    }
};

/// u log a, and 0 where u = 0 (torch.xlogy).
template <Expression U, Expression A>
constexpr auto xlogy(U u, A a) {
    if constexpr (std::is_same_v<U, zero_t>) return zero;
    else if constexpr (Constant<U>) return multiply(u, log(a));  // (an exact u != 0: nothing to guard)
    else return make_node<xlogy_op>(u, a);
}

}  // namespace symdiff
