#pragma once
// where(c, a, b): a where c is nonzero ("true"), b elsewhere, elementwise with broadcasting
// (NumPy's where, PyTorch's torch.where). Conditions come from comparisons (less, less_equal,
// step, ...) or any expression. Piecewise, like max:
//   d where(c, a, b) = where(c, 1, 0) da + where(c, 0, 1) db      (c: derivative 0)
// As in PyTorch and JAX, the branch not taken still enters the derivative multiplied by 0: where
// its derivative is infinite or NaN (sqrt(x) at x <= 0), so is the gradient; make the operand of
// that branch safe too (where(c, sqrt(where(c, x, 1)), 0)).
#include "../core/math.hpp"
#include "../core/traits.hpp"
#include "multiply.hpp"

namespace symdiff {

template <Expression C, Expression A, Expression B>
constexpr auto where(C c, A a, B b);

struct where_op : elementwise_op {
    static constexpr std::string_view name = "where";
    static constexpr std::string_view latex = "\\operatorname{where}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 3;

    template <class V>
    static constexpr V apply(const V& c, const V& a, const V& b) {
        // (c == 0 picks b: a NaN condition counts as true, as in NumPy, at every SIMD width;
        // xsimd 8's != is an ordered comparison on AVX-512, false for NaN)
        return math::select(c == math::splat<V>(0), b, a);
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        if constexpr (I == 0) return zero;
        else if constexpr (I == 1) return where(n.template arg<0>(), one, zero);
        else return where(n.template arg<0>(), zero, one);
    }
};

/// `a` where `c` is nonzero, `b` elsewhere.
template <Expression C, Expression A, Expression B>
constexpr auto where(C c, A a, B b) {
    if constexpr (Constant<C>) {
        if constexpr (C::num != 0) return a;
        else return b;
    } else if constexpr (std::is_same_v<A, B> && is_stateless<A>) {
        return a;
    } else {
        return make_node<where_op>(c, a, b);
    }
}

}  // namespace symdiff
