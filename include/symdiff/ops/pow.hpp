#pragma once
// Power a^b.   (a^b)'a = b a^(b-1),   (a^b)'b = a^b log a
// With an exact exponent the derivative stays exact: pow(x, 3_c)' = 3 * x^2. With a runtime
// exponent b a^(b-1) is a scaled_power (ops/scaled_power.hpp): 0 where b = 0, also at a = 0.
// With respect to the exponent, a^b log a is an xlogy (ops/xlogy.hpp): 0 at a = 0 for b > 0.
#include "../core/math.hpp"

#include "log.hpp"
#include "scaled_power.hpp"
#include "sqrt.hpp"
#include "square.hpp"
#include "subtract.hpp"
#include "xlogy.hpp"

namespace symdiff {

struct pow_op : elementwise_op {
    static constexpr std::string_view name = "pow";
    static constexpr auto notation = style::power;
    static constexpr int precedence = precedence::power;

    static constexpr std::size_t arity = 2;

    // An exact exponent reaches apply as its type: integer powers become products.
    static constexpr bool keeps_exact(std::size_t i) { return i == 1; }

    template <class V, class B>
    static constexpr V apply(const V& a, const B& b) {
        if constexpr (Constant<B>) {
            if constexpr (B::den == 1 && B::num >= -64 && B::num <= 64) {
                const V p = power<(B::num < 0 ? -B::num : B::num)>(a);
                if constexpr (B::num < 0) return math::splat<V>(1) / p;
                else return p;
            } else {
                return math::pow(a, math::splat<V>(B::template as<double>()));
            }
        } else {
            return math::pow(a, b);
        }
    }
    /// a^K by repeated squaring: K = 5 is a^4 a, three products.
    template <std::intmax_t K, class V>
    static constexpr V power(const V& a) {
        if constexpr (K == 0) return math::splat<V>(1);
        else if constexpr (K == 1) return a;
        else if constexpr (K % 2 == 0) {
            const V h = power<K / 2>(a);
            return h * h;
        } else {
            return power<K - 1>(a) * a;
        }
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        const auto a = n.template arg<0>();
        const auto b = n.template arg<1>();
        if constexpr (I == 0) return scaled_power(b, a, subtract(b, one));
        else return xlogy(n, a);  // a^b log a, 0 at a = 0 (ops/xlogy.hpp)
    }
};

namespace detail {
// Both exact and the exponent an integer: the power folds to an exact constant. (A separate
// function: `Constant<A> && Constant<B> && B::den == 1` would name B::den for any B.)
template <class A, class B>
constexpr bool exact_integer_power() {
    if constexpr (Constant<A> && Constant<B>) return B::den == 1;
    else return false;
}
}  // namespace detail

template <Expression A, Expression B>
constexpr auto pow(A a, B b) {
    if constexpr (std::is_same_v<B, zero_t>) {
        return one;
    } else if constexpr (std::is_same_v<B, one_t>) {
        return a;
    } else if constexpr (std::is_same_v<B, constant<2>>) {
        return square(a);
    } else if constexpr (std::is_same_v<B, constant<1, 2>>) {
        return sqrt(a);
    } else if constexpr (detail::exact_integer_power<A, B>()) {
        return detail::const_pow<A, B::num>(a);
    } else if constexpr (std::is_same_v<A, one_t>) {
        return one;
    } else {
        return make_node<pow_op>(a, b);
    }
}

}  // namespace symdiff
