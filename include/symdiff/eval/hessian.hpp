#pragma once
// jacobian_at and hessian_at: derivatives of first and second order with respect to tensor
// parameters, evaluated as arrays in PyTorch's layout (torch.autograd.functional.jacobian and
// hessian):
//
//   xt::xarray<double> J = jacobian_at(f, a, x = X, a = A);              // shape(f) + shape(a)
//   xt::xarray<double> H = hessian_at(loss, a, x = X, y = Y, a = A);     // shape(a) + shape(a)
//   xt::xarray<double> B = hessian_at(loss, a, b, x = X, a = A, b = B0); // shape(a) + shape(b)
//
// so that H[i..., j...] = d^2 loss / d a[i...] d a[j...]; a number has shape (). Column j (the
// entries [..., j...]) is the directional derivative along the j-th unit vector: jvp(f, a, e_j),
// and for a Hessian hvp(loss, a, e_j) (diff/derivative.hpp), forward mode over the reverse-mode
// gradient. One compiled program runs once per element of the parameter, each run a small
// multiple of one gradient; no expression with #a^2 entries is built.
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/tuple.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbuilder.hpp>

#include "../core/shape.hpp"
#include "../core/symbol.hpp"
#include "../diff/derivative.hpp"
#include "bindings.hpp"
#include "compile.hpp"

namespace symdiff {

namespace detail {

/// The symbol that carries the unit direction of each column.
inline constexpr auto column_direction = symbol<"jacobian_at:direction">;

/// The shape of a bound value: () for a number.
template <class V>
std::vector<std::size_t> value_shape(const V& v) {
    if constexpr (std::is_arithmetic_v<V>) return {};
    else return std::vector<std::size_t>(v.shape().begin(), v.shape().end());
}

/// d g / d s evaluated column by column: `g_along` is g's directional derivative along
/// column_direction (an expression); the result has shape shape(g) + shape(s). When g is a
/// gradient, `G` names the symbol whose shape it has (so that an exact 0 still has that shape).
template <fixed_string Name, fixed_string G, class D, class... Bs>
xt::xarray<double> columns_at(const char* who, const D& g_along, Bs&&... bindings) {
    auto product = compile(g_along);
    const auto all = boost::hana::make_tuple(bindings...);
    const auto& value = lookup<Name>(all);
    using V = std::remove_cvref_t<decltype(value)>;
    const std::vector<std::size_t> s_shape = value_shape(value);
    const std::size_t p = count_of(s_shape);
    // one column per element of s; the first tells the shape of g
    std::vector<double> entries;
    std::vector<std::size_t> g_shape;
    std::size_t m = 0;
    const auto column = [&](std::size_t j, const auto& direction) {
        const auto results = product(column_direction = direction, bindings...);  // refers into `product`
        const auto& c = std::get<0>(results);
        using C = std::remove_cvref_t<decltype(c)>;
        if (j == 0) {
            if constexpr (G.size() > 0 && std::is_arithmetic_v<C>) g_shape = value_shape(lookup<G>(all));
            else g_shape = value_shape(c);
            m = count_of(g_shape);
            entries.assign(m * p, 0.0);
        }
        if constexpr (std::is_arithmetic_v<C>) {
            // a number: g is a number, or the exact 0 (g does not depend on s), the same everywhere
            for (std::size_t i = 0; i < m; ++i) entries[i * p + j] = static_cast<double>(c);
        } else {
            if (c.size() != m)
                throw shape_error(std::string(who) + ": the derivative along element " + std::to_string(j) + " has " +
                                  std::to_string(c.size()) + " elements, along element 0 " + std::to_string(m));
            for (std::size_t i = 0; i < m; ++i) entries[i * p + j] = static_cast<double>(c.flat(i));
        }
    };
    if constexpr (std::is_arithmetic_v<V>) {
        column(0, V(1));
    } else {
        using T = typename V::value_type;
        xt::xarray<T> unit = xt::zeros<T>(s_shape);
        for (std::size_t j = 0; j < p; ++j) {
            unit.flat(j) = T(1);
            column(j, unit);
            unit.flat(j) = T(0);
        }
    }
    std::vector<std::size_t> shape = g_shape;
    shape.insert(shape.end(), s_shape.begin(), s_shape.end());
    xt::xarray<double> out = xt::xarray<double>::from_shape(shape);
    std::copy(entries.begin(), entries.end(), out.begin());
    return out;
}

}  // namespace detail

/// The Jacobian of `f` with respect to `s` at the given bindings (which bind `s`): shape(f) +
/// shape(s), J[i..., j...] = d f[i...] / d s[j...].
template <Expression F, fixed_string Name, Binding... Bs>
xt::xarray<double> jacobian_at(const F& f, symbol_t<Name> s, Bs&&... bindings) {
    return detail::columns_at<Name, "">("jacobian_at", jvp(f, s, detail::column_direction),
                                        std::forward<Bs>(bindings)...);
}

/// The Hessian of the scalar `loss` with respect to `s` at the given bindings: shape(s) + shape(s).
template <Expression E, fixed_string Name, Binding... Bs>
xt::xarray<double> hessian_at(const E& loss, symbol_t<Name> s, Bs&&... bindings) {
    return detail::columns_at<Name, Name>("hessian_at", hvp(loss, s, detail::column_direction),
                                          std::forward<Bs>(bindings)...);
}

/// The block of mixed second derivatives d^2 loss / d a d b: shape(a) + shape(b),
/// B[i..., j...] = d^2 loss / d a[i...] d b[j...] (the gradient with respect to a, differentiated
/// along each element of b).
template <Expression E, fixed_string A, fixed_string B, Binding... Bs>
xt::xarray<double> hessian_at(const E& loss, symbol_t<A> a, symbol_t<B> b, Bs&&... bindings) {
    return detail::columns_at<B, A>("hessian_at", jvp(gradient_of(loss, a), b, detail::column_direction),
                                    std::forward<Bs>(bindings)...);
}

}  // namespace symdiff
