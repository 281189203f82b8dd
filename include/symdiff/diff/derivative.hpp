#pragma once
// derivative, gradient, hessian: the public differentiation API.
#include <boost/hana/tuple.hpp>

#include "../core/symbol.hpp"
#include "forward.hpp"
#include "reverse.hpp"

namespace symdiff {

/// The derivative of `e` with respect to the symbol `s`, an expression built and simplified at
/// compile time.
///  - If `e` is a scalar by construction (a `sum`, a `mean`, or arithmetic of those), this is its
///    gradient: an expression with the shape of the value bound to `s` (reverse mode).
///  - Otherwise it is the elementwise derivative: d/dx square(x) = 2 * x (forward mode).
/// The derivative with respect to a symbol that `e` does not contain is the exact constant 0.
template <Expression E, class S>
constexpr auto derivative(const E& e, S s) {
    static_assert(Symbol<S>,
                  "derivative(e, s): s must be a symbol such as symdiff::symbol<\"x\">; "
                  "one cannot differentiate with respect to an expression or a number");
    if constexpr (!Symbol<S>) return zero;
    else if constexpr (static_scalar<E>) return detail::reverse_derivative(e, s);
    else return detail::forward_derivative(e, s);
}

/// The `N`-th derivative: derivative(derivative(..., s), s).
template <int N, Expression E, class S>
constexpr auto derivative(const E& e, S s) {
    static_assert(N >= 0, "derivative<N>: N must not be negative");
    if constexpr (N == 0) return e;
    else return derivative<N - 1>(derivative(e, s), s);
}

/// The derivatives with respect to each symbol, as a `hana::tuple` (evaluate it in one call:
/// shared subexpressions are computed once).
template <Expression E, class... S>
constexpr auto gradient(const E& e, S... s) {
    return boost::hana::make_tuple(derivative(e, s)...);
}

/// The matrix of second derivatives for scalar symbols, as a `hana::tuple` of rows.
template <Expression E, class... S>
constexpr auto hessian(const E& e, S... s) {
    const auto row = [&](auto si) { return boost::hana::make_tuple(derivative(derivative(e, si), s)...); };
    return boost::hana::make_tuple(row(s)...);
}

}  // namespace symdiff
