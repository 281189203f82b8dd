#pragma once
// Rectified linear unit max(a, 0).   relu'(a) = step(a)   (0 at a = 0, as in PyTorch)
#include "../core/math.hpp"
#include "sign.hpp"

namespace symdiff {

struct relu_op : elementwise_op {
    static constexpr std::string_view name = "relu";
    static constexpr std::string_view latex = "\\operatorname{relu}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    // NaN stays NaN, as in PyTorch
    template <class V>
    static constexpr V apply(const V& a) {
        return math::select(a > math::splat<V>(0), a, math::select(math::is_nan(a), a, math::splat<V>(0)));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return step(n.template arg<0>());
    }
};

template <Expression A>
constexpr auto relu(A a) {
    if constexpr (Constant<A>) return constant<(A::num > 0 ? A::num : 0), A::den>{};
    else return make_node<relu_op>(a);
}

}  // namespace symdiff
