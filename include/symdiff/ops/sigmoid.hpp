#pragma once
// Logistic function 1 / (1 + e^-a).   (sigmoid a)' = sigmoid a (1 - sigmoid a)
#include <cmath>

#include "../detail/elementwise_functor.hpp"
#include "subtract.hpp"

namespace symdiff {

namespace detail {
struct sigmoid_fn {
    template <class T>
        requires std::is_arithmetic_v<T>
    constexpr T operator()(T v) const {
        // Two branches so that exp never overflows: e^-v for v >= 0, e^v otherwise.
        if (v >= T(0)) return T(1) / (T(1) + std::exp(-v));
        const T e = std::exp(v);
        return e / (T(1) + e);
    }
};
}  // namespace detail

struct sigmoid_op : elementwise_op {
    static constexpr std::string_view name = "sigmoid";
    static constexpr std::string_view latex = "\\sigma";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    static constexpr auto apply(auto&& a) { return detail::map_elementwise(detail::sigmoid_fn{}, SYMDIFF_FWD(a)); }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return multiply(n, subtract(one, n));
    }
};

template <Expression A>
constexpr auto sigmoid(A a) {
    return make_node<sigmoid_op>(a);
}

}  // namespace symdiff
