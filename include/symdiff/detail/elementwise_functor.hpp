#pragma once
// Elementwise functions that xtensor does not provide (relu, step, ...) are lazy xfunctions
// built from a scalar functor. The functor only accepts arithmetic types, so xtensor does not try
// to call it on SIMD batches.
#include <type_traits>

#include <xtensor/xmath.hpp>

#include "values.hpp"

namespace symdiff::detail {

template <class Fn, class... V>
constexpr auto map_elementwise(Fn fn, V&&... v) {
    if constexpr (all_numbers<V...>) {
        return fn(v...);
    } else {
        return xt::make_lambda_xfunction(std::move(fn), std::forward<V>(v)...);
    }
}

}  // namespace symdiff::detail
