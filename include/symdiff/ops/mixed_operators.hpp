#pragma once
// `0.5 * x`, `x + 1`, `pow(x, 1.5)`, `max(x, 0.0)`: a plain number next to an expression becomes
// a runtime literal (write `2_c` instead for a constant that folds and stays exact through
// differentiation). The operators and functions are constrained to symdiff expressions, so they never capture xtensor's
// or the standard library's arithmetic.
#include "../core/constant.hpp"
#include "add.hpp"
#include "divide.hpp"
#include "min_max.hpp"
#include "pow.hpp"
#include "subtract.hpp"

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
    return min(e, literal<N>{n});
}
template <Number N, Expression E>
constexpr auto max(N n, E e) {
    return max(literal<N>{n}, e);
}
template <Expression E, Number N>
constexpr auto max(E e, N n) {
    return max(e, literal<N>{n});
}

template <Expression A, Expression B>
constexpr auto operator*(A a, B b) {
    return multiply(a, b);
}

}  // namespace symdiff
