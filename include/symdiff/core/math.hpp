#pragma once
// Elementwise mathematics for operations' `apply`: the same call works on a number (the standard
// library, usable in constant expressions) and on a SIMD batch of numbers (xsimd), which is what
// the evaluation engine passes when it runs a loop over arrays.
#include <array>
#include <cmath>
#include <cstddef>
#include <type_traits>

// GCC 12 with -march=native (AVX-512) reports -W(maybe-)uninitialized on _mm512_undefined_*()
// inside the intrinsics headers wherever xsimd inlines them (GCC bug 105593). The state of these
// two warnings at the intrinsics' own lines decides, so they are silenced for xsimd's headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <xsimd/xsimd.hpp>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace symdiff::math {

/// A SIMD batch (xsimd::batch) rather than a number.
template <class V>
inline constexpr bool is_batch = xsimd::is_batch<std::remove_cvref_t<V>>::value;

#define SYMDIFF_MATH_UNARY(fn)                          \
    template <class V>                                  \
    constexpr V fn(const V& v) {                        \
        if constexpr (is_batch<V>) return xsimd::fn(v); \
        else return static_cast<V>(std::fn(v));         \
    }
SYMDIFF_MATH_UNARY(exp)
SYMDIFF_MATH_UNARY(log)
SYMDIFF_MATH_UNARY(log1p)
SYMDIFF_MATH_UNARY(sqrt)
SYMDIFF_MATH_UNARY(sin)
SYMDIFF_MATH_UNARY(cos)
SYMDIFF_MATH_UNARY(tan)
SYMDIFF_MATH_UNARY(tanh)
#undef SYMDIFF_MATH_UNARY

/// a^b. For batches, std::pow lane by lane: xsimd 8.1's pow returns 0 for a zero base whatever
/// the exponent (IEEE: 0^0 = 1, 0^-1 = inf) and is hundreds of ulp off for large powers. So a loop's
/// SIMD body and its scalar rest give the same bits.
template <class V>
constexpr V pow(const V& a, const V& b) {
    if constexpr (is_batch<V>) {
        using T = typename V::value_type;
        alignas(64) std::array<T, V::size> base, exponent;
        a.store_aligned(base.data());
        b.store_aligned(exponent.data());
        for (std::size_t i = 0; i < V::size; ++i) base[i] = std::pow(base[i], exponent[i]);
        return V::load_aligned(base.data());
    } else {
        return static_cast<V>(std::pow(a, b));
    }
}

template <class V>
constexpr V abs(const V& v) {
    if constexpr (is_batch<V>) return xsimd::abs(v);
    else return v < V(0) ? -v : v == V(0) ? V(0) : v;  // |-0.0| = +0.0, as xsimd and std::fabs give
}

/// `cond ? a : b`, lane by lane for batches. `cond` is the result of a comparison of `V`s.
template <class C, class V>
constexpr V select(const C& cond, const V& a, const V& b) {
    if constexpr (is_batch<V>) return xsimd::select(cond, a, b);
    else return cond ? a : b;
}

/// NaN test, lane by lane for batches.
template <class V>
constexpr auto is_nan(const V& v) {
    if constexpr (is_batch<V>) return xsimd::isnan(v);
    else return v != v;  // NOLINT(misc-redundant-expression): the NaN test, constexpr (std::isnan is not)
}

/// The number `c` as a V (a batch with every lane c).
template <class V, class C>
constexpr V splat(C c) {
    if constexpr (is_batch<V>) return V(static_cast<typename V::value_type>(c));
    else return static_cast<V>(c);
}

}  // namespace symdiff::math
