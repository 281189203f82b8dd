#pragma once
// `0.5 * x`, `x + 1`, `pow(x, 1.5)`, `max(x, 0.0)`, `less(x, 1.0)`, `where(c, x, 0.0)`: a plain number next to an
// expression becomes a runtime literal (write `2_c` instead for a constant that folds and stays exact through
// differentiation). The operators and functions are constrained to symdiff expressions, so they never capture xtensor's
// or the standard library's arithmetic.
#include "../core/constant.hpp"
#include "../core/traits.hpp"
#include "add.hpp"
#include "compare.hpp"
#include "divide.hpp"
#include "min_max.hpp"
#include "pow.hpp"
#include "subtract.hpp"
#include "where.hpp"

namespace symdiff {

template <class T>
concept Number = std::is_arithmetic_v<std::remove_cvref_t<T>> && !std::is_same_v<std::remove_cvref_t<T>, bool>;

template <Number N, Expression E>
constexpr auto operator+(N n, E e) {
    return add(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto operator+(E e, N n) {
    return add(e, literal<N>{n});
}
template <Number N, Expression E>
constexpr auto operator-(N n, E e) {
    return subtract(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto operator-(E e, N n) {
    return subtract(e, literal<N>{n});
}
template <Number N, Expression E>
constexpr auto operator*(N n, E e) {
    return multiply(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto operator*(E e, N n) {
    return multiply(literal<N>{n}, e);
}
template <Number N, Expression E>
constexpr auto operator/(N n, E e) {
    return divide(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto operator/(E e, N n) {
    return divide(e, literal<N>{n});
}

template <Number N, Expression E>
constexpr auto pow(N n, E e) {
    return pow(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto pow(E e, N n) {
    return pow(e, literal<N>{n});
}
template <Number N, Expression E>
constexpr auto min(N n, E e) {
    return min(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto min(E e, N n) {
    static_assert(!std::is_integral_v<N>,
                  "min(e, 1): as in NumPy and PyTorch this reads as an axis, which is part of the expression's "
                  "type: write min(e, axis<1>); for the elementwise minimum with a number write min(e, 1.0)");
    return min(e, literal<N>{n});
}
template <Number N, Expression E>
constexpr auto max(N n, E e) {
    return max(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto max(E e, N n) {
    static_assert(!std::is_integral_v<N>,
                  "max(e, 1): as in NumPy and PyTorch this reads as an axis, which is part of the expression's "
                  "type: write max(e, axis<1>); for the elementwise maximum with a number write max(e, 1.0)");
    return max(e, literal<N>{n});
}

template <Number N, Expression E>
constexpr auto less(N n, E e) {
    return less(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto less(E e, N n) {
    return less(e, literal<N>{n});
}
template <Number N, Expression E>
constexpr auto less_equal(N n, E e) {
    return less_equal(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto less_equal(E e, N n) {
    return less_equal(e, literal<N>{n});
}

namespace detail {
template <class V>
concept number_or_expression = Number<V> || Expression<V>;

template <class V>
constexpr auto as_operand(V v) {
    if constexpr (Expression<V>) return v;
    else return literal<V>{v};
}
}  // namespace detail

/// `where(x < 1, x, 0.0)`: either branch may be a plain number.
template <Expression C, detail::number_or_expression A, detail::number_or_expression B>
requires(Number<A> || Number<B>) constexpr auto where(C c, A a, B b) {
    return where(c, detail::as_operand(a), detail::as_operand(b));
}

template <Expression A, Expression B>
constexpr auto operator*(A a, B b) {
    return multiply(a, b);
}

// An array next to an expression (`w * X`, X an xtensor array): xtensor's operators would take the
// expression in as a scalar and build an xtensor expression, which fails far away, at derivative
// or evaluate, naming xt::xfunction. These overloads (more constrained than xtensor's) stop at
// the operator instead and say what to write. An array is recognised by xtensor's
// `expression_tag`, without including xtensor here.
namespace detail {
template <class X>
concept array_operand = requires {
    typename std::remove_cvref_t<X>::expression_tag;
}
&&!Expression<std::remove_cvref_t<X>>;
template <class E>
concept expression_operand = Expression<std::remove_cvref_t<E>>;
}  // namespace detail

template <detail::expression_operand E, detail::array_operand X>
constexpr auto operator+(E&& e, X&&) {
    static_assert(
        detail::misuse<X>,
        "e + X with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}
template <detail::array_operand X, detail::expression_operand E>
constexpr auto operator+(X&&, E&& e) {
    static_assert(
        detail::misuse<X>,
        "X + e with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}
template <detail::expression_operand E, detail::array_operand X>
constexpr auto operator-(E&& e, X&&) {
    static_assert(
        detail::misuse<X>,
        "e - X with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}
template <detail::array_operand X, detail::expression_operand E>
constexpr auto operator-(X&&, E&& e) {
    static_assert(
        detail::misuse<X>,
        "X - e with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}
template <detail::expression_operand E, detail::array_operand X>
constexpr auto operator*(E&& e, X&&) {
    static_assert(
        detail::misuse<X>,
        "e * X with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}
template <detail::array_operand X, detail::expression_operand E>
constexpr auto operator*(X&&, E&& e) {
    static_assert(
        detail::misuse<X>,
        "X * e with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}
template <detail::expression_operand E, detail::array_operand X>
constexpr auto operator/(E&& e, X&&) {
    static_assert(
        detail::misuse<X>,
        "e / X with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}
template <detail::array_operand X, detail::expression_operand E>
constexpr auto operator/(X&&, E&& e) {
    static_assert(
        detail::misuse<X>,
        "X / e with X an array: an array cannot be part of a symdiff expression: give it a symbol (constexpr auto x = "
        "symbol<\"x\">) and bind the array when evaluating or training: evaluate(e, x = X), data(x = X)");
    return e;
}

}  // namespace symdiff
