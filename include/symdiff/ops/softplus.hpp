#pragma once
// Softplus log(1 + e^a), computed without overflow.   softplus'(a) = sigmoid(a)
#include <cmath>

#include "../detail/elementwise_functor.hpp"
#include "sigmoid.hpp"

namespace symdiff {

namespace detail {
struct softplus_fn {
    template <class T>
        requires std::is_arithmetic_v<T>
    constexpr T operator()(T v) const {
        // log(1 + e^v) = max(v, 0) + log1p(e^-|v|): e^-|v| <= 1 never overflows.
        return (v > T(0) ? v : T(0)) + std::log1p(std::exp(v > T(0) ? -v : v));
    }
};
}  // namespace detail

struct softplus_op : elementwise_op {
    static constexpr std::string_view name = "softplus";
    static constexpr std::string_view latex = "\\operatorname{softplus}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr auto apply(auto&& a) { return detail::map_elementwise(detail::softplus_fn{}, SYMDIFF_FWD(a)); }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return sigmoid(n.template arg<0>());
    }
};

template <Expression A>
constexpr auto softplus(A a) {
    return make_node<softplus_op>(a);
}

}  // namespace symdiff
