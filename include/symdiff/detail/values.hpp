#pragma once
// What evaluation passes around: plain numbers for scalars, xtensor expressions otherwise.
#include <cmath>
#include <type_traits>
#include <utility>

#include <xtensor/xexpression.hpp>

#define SYMDIFF_FWD(x) std::forward<decltype(x)>(x)

namespace symdiff::detail {

/// The type sums are accumulated in: double for float data, so a mean over 60,000 floats keeps
/// float's precision instead of losing digits to rounding in the running sum.
template <class T>
using accumulator_t = std::conditional_t<std::is_floating_point_v<T> && (sizeof(T) < sizeof(double)), double, T>;

template <class V>
inline constexpr bool is_number = std::is_arithmetic_v<std::remove_cvref_t<V>>;

template <class... V>
inline constexpr bool all_numbers = (is_number<V> && ...);

/// Applies `scalar_fn` when every operand is a number, `array_fn` (an xtensor function) otherwise.
template <class ScalarFn, class ArrayFn, class... V>
constexpr auto apply_elementwise(ScalarFn scalar_fn, ArrayFn array_fn, V&&... v) {
    if constexpr (all_numbers<V...>) {
        return scalar_fn(v...);
    } else {
        return array_fn(std::forward<V>(v)...);
    }
}

}  // namespace symdiff::detail
