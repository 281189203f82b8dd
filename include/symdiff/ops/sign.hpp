#pragma once
// Sign (-1, 0 or 1) and the Heaviside step (1 where a > 0, else 0). Both are piecewise constant:
// their derivative is 0 wherever it exists.
#include "../detail/elementwise_functor.hpp"
#include "multiply.hpp"

namespace symdiff {

namespace detail {
struct sign_fn {
    template <class T>
        requires std::is_arithmetic_v<T>
    constexpr T operator()(T v) const {
        return v > T(0) ? T(1) : (v < T(0) ? T(-1) : T(0));
    }
};
struct step_fn {
    template <class T>
        requires std::is_arithmetic_v<T>
    constexpr T operator()(T v) const {
        return v > T(0) ? T(1) : T(0);
    }
};
}  // namespace detail

struct sign_op : elementwise_op {
    static constexpr std::string_view name = "sign";
    static constexpr std::string_view latex = "\\operatorname{sign}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr auto apply(auto&& a) { return detail::map_elementwise(detail::sign_fn{}, SYMDIFF_FWD(a)); }
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

    static constexpr auto apply(auto&& a) { return detail::map_elementwise(detail::step_fn{}, SYMDIFF_FWD(a)); }
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
