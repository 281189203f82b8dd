#pragma once
// Sign (-1, 0 or 1) and the Heaviside step (1 where a > 0, else 0). Both are piecewise constant:
// their derivative is 0 wherever it exists.
#include "../core/math.hpp"
#include "multiply.hpp"

namespace symdiff {

struct sign_op : elementwise_op {
    static constexpr std::string_view name = "sign";
    static constexpr std::string_view latex = "\\operatorname{sign}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        const V z = math::splat<V>(0);
        return math::select(a > z, math::splat<V>(1), math::select(a < z, math::splat<V>(-1), z));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return zero;
    }
};

struct step_op : elementwise_op {
    static constexpr std::string_view name = "step";
    static constexpr std::string_view latex = "H";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return math::select(a > math::splat<V>(0), math::splat<V>(1), math::splat<V>(0));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return zero;
    }
};

template <Expression A>
constexpr auto sign(A a) {
    if constexpr (Constant<A>) return constant<(A::num > 0) - (A::num < 0)>{};
    else return make_node<sign_op>(a);
}

template <Expression A>
constexpr auto step(A a) {
    if constexpr (Constant<A>) return constant<(A::num > 0)>{};
    else return make_node<step_op>(a);
}

}  // namespace symdiff
