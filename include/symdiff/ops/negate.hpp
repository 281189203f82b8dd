#pragma once
// Unary minus.   d(-a) = -da
#include "../core/notation.hpp"
#include "../core/traits.hpp"
#include "../detail/values.hpp"
#include "fwd.hpp"

namespace symdiff {

struct negate_op : elementwise_op {
    static constexpr std::string_view name = "-";
    static constexpr std::string_view latex = "-";
    static constexpr auto notation = style::prefix;
    static constexpr int precedence = precedence::unary;
    static constexpr std::size_t arity = 1;

    template <class V>
    static constexpr V apply(const V& a) {
        return -a;
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return constant<-1>{};  // (-a)'a = -1
    }
};

namespace detail {
template <class E>
struct is_scaled;  // c * x with an exact c (multiply.hpp)
}  // namespace detail

template <Expression A>
constexpr auto negate(A a) {
    if constexpr (Constant<A>) {
        return detail::const_neg(a);
    } else if constexpr (is_op<A, negate_op>) {
        return a.template arg<0>();  // -(-a) = a
    } else if constexpr (detail::is_scaled<A>::value) {
        return multiply(detail::const_neg(a.template arg<0>()), a.template arg<1>());  // -(c x) = (-c) x
    } else {
        return make_node<negate_op>(a);
    }
}

template <Expression A>
constexpr auto operator-(A a) {
    return negate(a);
}

}  // namespace symdiff
