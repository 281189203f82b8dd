#pragma once
// Indicators 1{a < b} and 1{a <= b} (1 or 0). They route the derivative of min and max;
// being piecewise constant, their own derivative is 0.
#include "../detail/elementwise_functor.hpp"
#include "multiply.hpp"

namespace symdiff {

namespace detail {
struct less_fn {
    template <class T, class U>
        requires std::is_arithmetic_v<T> && std::is_arithmetic_v<U>
    constexpr std::common_type_t<T, U> operator()(T a, U b) const {
        return a < b ? 1 : 0;
    }
};
struct less_equal_fn {
    template <class T, class U>
        requires std::is_arithmetic_v<T> && std::is_arithmetic_v<U>
    constexpr std::common_type_t<T, U> operator()(T a, U b) const {
        return a <= b ? 1 : 0;
    }
};
}  // namespace detail

struct less_op : elementwise_op {
    static constexpr std::string_view name = "less";
    static constexpr std::string_view latex = "\\mathbb{1}_<";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr auto apply(auto&& a, auto&& b) {
        return detail::map_elementwise(detail::less_fn{}, SYMDIFF_FWD(a), SYMDIFF_FWD(b));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return zero;
    }
};

struct less_equal_op : elementwise_op {
    static constexpr std::string_view name = "less_equal";
    static constexpr std::string_view latex = "\\mathbb{1}_\\le";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr auto apply(auto&& a, auto&& b) {
        return detail::map_elementwise(detail::less_equal_fn{}, SYMDIFF_FWD(a), SYMDIFF_FWD(b));
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return zero;
    }
};

template <Expression A, Expression B>
constexpr auto less(A a, B b) {
    return make_node<less_op>(a, b);
}
template <Expression A, Expression B>
constexpr auto less_equal(A a, B b) {
    return make_node<less_equal_op>(a, b);
}

}  // namespace symdiff
