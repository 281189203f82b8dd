#pragma once
// c a^e, with the value 0 wherever c = 0: the derivative of a power whose exponent is known only
// at run time,   (a^b)'a = b a^(b-1) = scaled_power(b, a, b - 1),
// so that d/dx x^b at x = 0 is 0 for b = 0 (as in PyTorch), not 0 * 0^-1 = 0 * inf = NaN; and
// the third derivative of x^2.0 at 0 is 2 * 1 * 0 * 0^-1 = 0. Closed under differentiation:
//   (c a^e)'c = a^e,   (c a^e)'a = scaled_power(c e, a, e - 1),   (c a^e)'e = xlogy(c a^e, a).
// Printed as c * a^e. With c an exact constant the product is built instead (c = 0 folds away,
// any other c has no 0 * inf to guard).
#include "../core/math.hpp"
#include "../core/notation.hpp"
#include "../core/traits.hpp"
#include "fwd.hpp"
#include "multiply.hpp"
#include "subtract.hpp"
#include "xlogy.hpp"

namespace symdiff {

template <Expression C, Expression A, Expression E>
constexpr auto scaled_power(C c, A a, E e);

struct scaled_power_op : elementwise_op {
    static constexpr std::string_view name = "scaled_power";
    static constexpr std::string_view latex = "\\operatorname{scaled\\_power}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 3;

    template <class V>
    static constexpr V apply(const V& c, const V& a, const V& e) {
        return math::select(c == math::splat<V>(0), math::splat<V>(0), c * math::pow(a, e));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        const auto c = n.template arg<0>();
        const auto a = n.template arg<1>();
        const auto e = n.template arg<2>();
        if constexpr (I == 0) return pow(a, e);
        else if constexpr (I == 1) return scaled_power(multiply(c, e), a, subtract(e, one));
        else return xlogy(n, a);
    }
    template <class N>
    static constexpr auto print_as(const N& n) {
        return multiply(n.template arg<0>(), pow(n.template arg<1>(), n.template arg<2>()));
    }
};

template <Expression C, Expression A, Expression E>
constexpr auto scaled_power(C c, A a, E e) {
    if constexpr (Constant<C>) return multiply(c, pow(a, e));
    else return make_node<scaled_power_op>(c, a, e);
}

}  // namespace symdiff
