#pragma once
// Exact compile-time rationals (`2_c`, `1_c / 3_c`) and runtime literals (`0.5 * x`).
//
// Exact constants are empty types, so they fold at compile time and keep derivatives exact:
// the derivative of `pow(x, 3_c)` is `3 * x^2`, not `3.0000000001 * x^2`.
#include <cstdint>
#include <numeric>
#include <type_traits>

#include "expression.hpp"

namespace symdiff {

/// The exact rational `Num / Den`, always stored in lowest terms with `Den > 0`.
template <std::intmax_t Num, std::intmax_t Den = 1>
struct constant {
    static_assert(Den > 0, "symdiff::constant: the denominator must be positive (normalise first)");
    static_assert(std::gcd(Num, Den) == 1 || Num == 0, "symdiff::constant: store in lowest terms");
    static constexpr std::intmax_t num = Num;
    static constexpr std::intmax_t den = Den;

    template <class T>
    static constexpr T as() {
        return static_cast<T>(Num) / static_cast<T>(Den);
    }
};

using zero_t = constant<0>;
using one_t = constant<1>;
inline constexpr zero_t zero{};
inline constexpr one_t one{};

/// A runtime number inside an expression (`0.5 * x`): its value is data, not part of the type.
template <class T>
struct literal {
    static_assert(std::is_arithmetic_v<T>, "symdiff::literal holds a number");
    T value;
};

namespace detail {
template <std::intmax_t N, std::intmax_t D>
struct is_expression<constant<N, D>> : std::true_type {};
template <class T>
struct is_expression<literal<T>> : std::true_type {};

template <class T>
struct is_constant : std::false_type {};
template <std::intmax_t N, std::intmax_t D>
struct is_constant<constant<N, D>> : std::true_type {};

constexpr std::intmax_t abs_value(std::intmax_t v) { return v < 0 ? -v : v; }

/// `N / D` reduced: the one place constants are normalised.
template <std::intmax_t N, std::intmax_t D>
constexpr auto make_rational() {
    static_assert(D != 0, "symdiff: division by the exact constant 0");
    constexpr std::intmax_t g = std::gcd(abs_value(N), abs_value(D));
    constexpr std::intmax_t sign = D < 0 ? -1 : 1;
    if constexpr (N == 0) {
        return constant<0, 1>{};
    } else {
        return constant<sign * N / g, sign * D / g>{};
    }
}

// Overflow-checked arithmetic: an exact constant that overflows is a compile error, not a wrap.
constexpr std::intmax_t checked_mul(std::intmax_t a, std::intmax_t b) {
    std::intmax_t r{};
    if (__builtin_mul_overflow(a, b, &r)) throw "symdiff: exact constant overflows intmax_t";
    return r;
}
constexpr std::intmax_t checked_add(std::intmax_t a, std::intmax_t b) {
    std::intmax_t r{};
    if (__builtin_add_overflow(a, b, &r)) throw "symdiff: exact constant overflows intmax_t";
    return r;
}
}  // namespace detail

namespace detail {
template <class T>
struct is_negative_constant : std::false_type {};
template <std::intmax_t N, std::intmax_t D>
struct is_negative_constant<constant<N, D>> : std::bool_constant<(N < 0)> {};
}  // namespace detail

/// An exact rational constant.
template <class T>
concept Constant = detail::is_constant<std::remove_cvref_t<T>>::value;

namespace detail {
template <class T>
struct is_literal : std::false_type {};
template <class T>
struct is_literal<literal<T>> : std::true_type {};
}  // namespace detail

/// A runtime number leaf.
template <class T>
concept Literal = detail::is_literal<std::remove_cvref_t<T>>::value;

template <class A, class B>
constexpr bool same_constant = Constant<A>&& Constant<B>&& std::is_same_v<A, B>;

// Exact constant arithmetic (used by the simplifier).
namespace detail {
template <Constant A, Constant B>
constexpr auto const_add(A, B) {
    constexpr auto n = checked_add(checked_mul(A::num, B::den), checked_mul(B::num, A::den));
    constexpr auto d = checked_mul(A::den, B::den);
    return make_rational<n, d>();
}
template <Constant A, Constant B>
constexpr auto const_mul(A, B) {
    constexpr std::intmax_t g1 = std::gcd(abs_value(A::num), B::den);
    constexpr std::intmax_t g2 = std::gcd(abs_value(B::num), A::den);
    constexpr auto n = checked_mul(A::num / (g1 ? g1 : 1), B::num / (g2 ? g2 : 1));
    constexpr auto d = checked_mul(A::den / (g2 ? g2 : 1), B::den / (g1 ? g1 : 1));
    return make_rational<n, d>();
}
template <Constant A>
constexpr auto const_neg(A) {
    return constant<-A::num, A::den>{};
}
template <Constant A>
constexpr auto const_inv(A) {
    return make_rational<A::den, A::num>();
}
template <Constant A, std::intmax_t K>
constexpr auto const_pow(A) {
    if constexpr (K == 0) {
        return one;
    } else if constexpr (K < 0) {
        return const_pow<decltype(const_inv(A{})), -K>(const_inv(A{}));
    } else {
        return const_mul(A{}, const_pow<A, K - 1>(A{}));
    }
}
}  // namespace detail

namespace literals {
/// `2_c` is the exact integer constant 2.
template <char... Digits>
constexpr auto operator""_c() {
    constexpr std::intmax_t value = [] {
        std::intmax_t v = 0;
        for (char c : {Digits...}) {
            if (c == '\'') continue;
            if (c < '0' || c > '9') throw "symdiff: _c takes a decimal integer, e.g. 2_c";
            v = detail::checked_add(detail::checked_mul(v, 10), c - '0');
        }
        return v;
    }();
    return constant<value, 1>{};
}
}  // namespace literals

/// `exact<3>` or `exact<1, 3>`: an exact constant without the literal suffix.
template <std::intmax_t N, std::intmax_t D = 1>
inline constexpr auto exact = detail::make_rational<N, D>();

}  // namespace symdiff
