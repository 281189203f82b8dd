#pragma once
// Product.   (a b)'a = b,  (a b)'b = a
#include "../core/notation.hpp"
#include "../core/traits.hpp"
#include "../detail/values.hpp"
#include "fwd.hpp"
#include "negate.hpp"

namespace symdiff {

struct multiply_op : elementwise_op {
    static constexpr std::string_view name = " * ";
    static constexpr std::string_view latex = " \\cdot ";
    static constexpr auto notation = style::infix;
    static constexpr int precedence = precedence::product;
    static constexpr std::size_t arity = 2;
    static constexpr bool is_product = true;  // sum(c v) = c sum(v): the engine sums v

    template <class V>
    static constexpr V apply(const V& a, const V& b) {
        return a * b;
    }
    template <std::size_t I, class N>
    static constexpr auto partial(const N& n) {
        return n.template arg<1 - I>();
    }
};

namespace detail {
// A term `c * t` with an exact coefficient `c`; any other expression is `1 * t`.
template <class E>
struct is_scaled : std::false_type {};
template <class C, class T>
struct is_scaled<node<multiply_op, C, T>> : std::bool_constant<Constant<C>> {};

template <class E>
constexpr auto coefficient(E e) {
    if constexpr (is_scaled<E>::value) return e.template arg<0>();
    else return one;
}
template <class E>
constexpr auto term(E e) {
    if constexpr (is_scaled<E>::value) return e.template arg<1>();
    else return e;
}
template <class E>
using term_t = decltype(term(std::declval<E>()));
}  // namespace detail

template <Expression A, Expression B>
constexpr auto multiply(A a, B b) {
    if constexpr (std::is_same_v<A, zero_t> || std::is_same_v<B, zero_t>) {
        return zero;
    } else if constexpr (std::is_same_v<A, one_t>) {
        return b;
    } else if constexpr (std::is_same_v<B, one_t>) {
        return a;
    } else if constexpr (Constant<A> && Constant<B>) {
        return detail::const_mul(a, b);
    } else if constexpr (Constant<B>) {
        return multiply(b, a);  // coefficients go first: 2 * x
    } else if constexpr (std::is_same_v<A, constant<-1>>) {
        return negate(b);
    } else if constexpr (Constant<A> && !std::is_same_v<decltype(detail::coefficient(b)), one_t>) {
        return multiply(detail::const_mul(a, detail::coefficient(b)), detail::term(b));  // c1 (c2 x)
    } else if constexpr (is_op<A, negate_op> && is_op<B, negate_op>) {
        return multiply(a.template arg<0>(), b.template arg<0>());
    } else if constexpr (Constant<A> && is_op<B, negate_op>) {
        return multiply(detail::const_neg(a), b.template arg<0>());
    } else if constexpr (!Constant<A> && detail::is_scaled<A>::value) {
        return multiply(a.template arg<0>(), multiply(a.template arg<1>(), b));  // (c x) y = c (x y)
    } else if constexpr (!Constant<A> && detail::is_scaled<B>::value) {
        return multiply(b.template arg<0>(), multiply(a, b.template arg<1>()));  // x (c y) = c (x y)
    } else if constexpr (std::is_same_v<A, B> && is_stateless<A>) {
        return square(a);  // x x = x^2
    } else {
        return node<multiply_op, A, B>{a, b};  // (as in add)
    }
}

}  // namespace symdiff
