#pragma once
// Rectified linear unit max(a, 0).   relu'(a) = step(a)   (0 at a = 0, as in PyTorch)
#include "../detail/elementwise_functor.hpp"
#include "sign.hpp"

namespace symdiff {

namespace detail {
struct relu_fn {
    template <class T>
        requires std::is_arithmetic_v<T>
    constexpr T operator()(T v) const {
        return v > T(0) || v != v ? v : T(0);  // NaN stays NaN, as in PyTorch
    }
};
}  // namespace detail

struct relu_op : elementwise_op {
    static constexpr std::string_view name = "relu";
    static constexpr std::string_view latex = "\\operatorname{relu}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr auto apply(auto&& a) { return detail::map_elementwise(detail::relu_fn{}, SYMDIFF_FWD(a)); }
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
