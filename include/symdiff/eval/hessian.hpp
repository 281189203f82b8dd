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
//
//   xt::xarray<double> h = hessian_diagonal_at(loss, a, x = X, a = A);  // shape(a): H[j, j]
//
// runs once when the Hessian is diagonal by construction (diff/diagonal.hpp: H 1), else once per
// element of `a`, keeping entry j of column j.
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/tuple.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xbuilder.hpp>

#include "../core/shape.hpp"
#include "../core/symbol.hpp"
#include "../diff/derivative.hpp"
#include "../diff/diagonal.hpp"
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

/// How a failure names the column along the parameter's element j: "who: the derivative along
/// element j" (built only when it is thrown).
inline std::string along_element(const char* who, std::size_t j) {
    std::string s = who;
    s += ": the derivative along element ";
    s += std::to_string(j);
    return s;
}

/// `v` (a number or an array) broadcast to `shape`, as doubles. A failure names `who` and, for a
/// column, the element `column` it runs along.
inline constexpr std::size_t no_column = static_cast<std::size_t>(-1);
template <class V>
xt::xarray<double> broadcast_value(const V& v, const std::vector<std::size_t>& shape, const char* who,
                                   std::size_t column = no_column) {
    if constexpr (std::is_arithmetic_v<V>) {
        xt::xarray<double> out = xt::xarray<double>::from_shape(shape);
        out.fill(static_cast<double>(v));
        return out;
    } else {
        const std::vector<std::size_t> from = value_shape(v);
        if (!broadcasts_to(from, shape))  // (the message is built only for a failure)
            require_broadcastable_to(from, shape, column == no_column ? std::string(who) : along_element(who, column));
        return xt::broadcast(v, shape);
    }
}

/// Runs `g_along` (g's directional derivative along column_direction, an expression) once along
/// each unit vector e_j of the value bound to the symbol `Name`, and hands `f(j, result)` each
/// result (a number or an array, valid during the call). One compiled program serves every run;
/// `Rows` (rows_of) names the symbols it reads in blocks of rows.
template <fixed_string Name, class Rows, class D, class F, class... Bs>
void along_unit_vectors(Rows rows_symbols, const D& g_along, F&& f, Bs&&... bindings) {
    auto product = compile(rows_symbols, g_along);
    const auto all = boost::hana::make_tuple(bindings...);
    const auto& value = lookup<Name>(all);
    using V = std::remove_cvref_t<decltype(value)>;
    const auto run = [&](std::size_t j, const auto& direction) {
        const auto results = product(column_direction = direction, bindings...);  // refers into `product`
        f(j, std::get<0>(results));
    };
    if constexpr (std::is_arithmetic_v<V>) {
        run(0, V(1));
    } else {
        using T = typename V::value_type;
        xt::xarray<T> unit = xt::zeros<T>(value_shape(value));
        for (std::size_t j = 0; j < unit.size(); ++j) {
            unit.flat(j) = T(1);
            run(j, unit);
            unit.flat(j) = T(0);
        }
    }
}

/// d g / d s evaluated column by column (`g_along` as above, `g_shape` the shape of g): the
/// result has shape g_shape + shape(s). A column that is a number (g does not depend on s: the
/// exact 0) or smaller than g (forward mode keeps broadcasting: d(x a + b)/db is 1, not ones) is
/// broadcast to g_shape.
template <fixed_string Name, class Rows, class D, class... Bs>
xt::xarray<double> columns_at(const char* who, Rows rows_symbols, const std::vector<std::size_t>& g_shape,
                              const D& g_along, Bs&&... bindings) {
    const std::vector<std::size_t> s_shape = value_shape(lookup<Name>(boost::hana::make_tuple(bindings...)));
    const std::size_t p = count_of(s_shape), m = count_of(g_shape);
    std::vector<std::size_t> shape = g_shape;
    shape.insert(shape.end(), s_shape.begin(), s_shape.end());
    xt::xarray<double> out = xt::zeros<double>(shape);
    along_unit_vectors<Name>(
        rows_symbols, g_along,
        [&](std::size_t j, const auto& column) {
            const xt::xarray<double> full = broadcast_value(column, g_shape, who, j);
            for (std::size_t i = 0; i < m; ++i) out.flat(i * p + j) = full.flat(i);
        },
        bindings...);
    return out;
}

/// Entry j of column j, for each j: the diagonal of d g / d s when g has the shape of s.
template <fixed_string Name, class Rows, class D, class... Bs>
xt::xarray<double> diagonal_of_columns(Rows rows_symbols, const std::vector<std::size_t>& s_shape, const D& g_along,
                                       Bs&&... bindings) {
    xt::xarray<double> out = xt::zeros<double>(s_shape);
    along_unit_vectors<Name>(
        rows_symbols, g_along,
        [&](std::size_t j, const auto& column) {
            // the element of g's derivative along e_j that lines up with element j
            out.flat(j) = broadcast_value(column, s_shape, "hessian_diagonal_at", j).flat(j);
        },
        bindings...);
    return out;
}

/// The shape of `loss`'s value, which must be a number (else the "Hessian" would be that of its sum).
template <class E, class... Bs>
void require_number(const char* who, const E& loss, const Bs&... bindings) {
    auto value = compile(loss);
    const auto results = value(bindings...);
    using L = std::remove_cvref_t<decltype(std::get<0>(results))>;
    if constexpr (!std::is_arithmetic_v<L>) {
        const auto& l = std::get<0>(results);
        if (l.dimension() != 0)
            throw shape_error(std::string(who) + ": the loss is not a number but an array of shape " +
                              shape_to_string(value_shape(l)));
    }
}

}  // namespace detail

/// The Jacobian of `f` with respect to `s` at the given bindings (which bind `s`): shape(f) +
/// shape(s), J[i..., j...] = d f[i...] / d s[j...]. `rows(x, y)` first among the bindings reads
/// those symbols in blocks of rows, as hessian_at does.
template <Expression F, fixed_string Name, fixed_string... Rows, Binding... Bs>
xt::xarray<double> jacobian_at(const F& f, symbol_t<Name> s, detail::rows_of<Rows...> rows_symbols, Bs&&... bindings) {
    auto value = compile(f);
    const auto results = value(bindings...);
    const std::vector<std::size_t> f_shape = detail::value_shape(std::get<0>(results));
    return detail::columns_at<Name>("jacobian_at", rows_symbols, f_shape, jvp(f, s, detail::column_direction),
                                    bindings...);
}
template <Expression F, fixed_string Name, Binding... Bs>
xt::xarray<double> jacobian_at(const F& f, symbol_t<Name> s, Bs&&... bindings) {
    return jacobian_at(f, s, detail::rows_of<>{}, std::forward<Bs>(bindings)...);
}

/// The Hessian of the scalar `loss` with respect to `s` at the given bindings: shape(s) + shape(s).
/// With `rows(x, y)` first among the bindings (as for compile), each column reads those symbols in
/// blocks of rows, which is faster on large data:  hessian_at(loss, w, rows(x, y), x = X, y = Y, w = W).
template <Expression E, fixed_string Name, fixed_string... Rows, Binding... Bs>
xt::xarray<double> hessian_at(const E& loss, symbol_t<Name> s, detail::rows_of<Rows...> rows_symbols,
                              Bs&&... bindings) {
    detail::require_number("hessian_at", loss, bindings...);
    const auto all = boost::hana::make_tuple(bindings...);
    return detail::columns_at<Name>("hessian_at", rows_symbols, detail::value_shape(detail::lookup<Name>(all)),
                                    hvp(loss, s, detail::column_direction), bindings...);
}
template <Expression E, fixed_string Name, Binding... Bs>
xt::xarray<double> hessian_at(const E& loss, symbol_t<Name> s, Bs&&... bindings) {
    return hessian_at(loss, s, detail::rows_of<>{}, std::forward<Bs>(bindings)...);
}

/// The diagonal of the Hessian of the scalar `loss` with respect to `s`: shape(s),
/// d[j...] = d^2 loss / d s[j...]^2. One run of hvp(loss, s, 1) when `hessian_is_diagonal<E, S>`,
/// else one hvp per element of `s` (the cost of hessian_at without its #s^2 entries). `rows(...)`
/// first among the bindings as for hessian_at.
template <Expression E, fixed_string Name, fixed_string... Rows, Binding... Bs>
xt::xarray<double> hessian_diagonal_at(const E& loss, symbol_t<Name> s, detail::rows_of<Rows...> rows_symbols,
                                       Bs&&... bindings) {
    detail::require_number("hessian_diagonal_at", loss, bindings...);
    const auto all = boost::hana::make_tuple(bindings...);
    const std::vector<std::size_t> shape = detail::value_shape(detail::lookup<Name>(all));
    if constexpr (hessian_is_diagonal<E, symbol_t<Name>>) {
        auto program = compile(rows_symbols, hessian_diagonal(loss, s));
        const auto results = program(bindings...);
        return detail::broadcast_value(std::get<0>(results), shape, "hessian_diagonal_at");
    } else {
        return detail::diagonal_of_columns<Name>(rows_symbols, shape, hvp(loss, s, detail::column_direction),
                                                 bindings...);
    }
}
template <Expression E, fixed_string Name, Binding... Bs>
xt::xarray<double> hessian_diagonal_at(const E& loss, symbol_t<Name> s, Bs&&... bindings) {
    return hessian_diagonal_at(loss, s, detail::rows_of<>{}, std::forward<Bs>(bindings)...);
}

/// The block of mixed second derivatives d^2 loss / d a d b: shape(a) + shape(b),
/// B[i..., j...] = d^2 loss / d a[i...] d b[j...] (the gradient with respect to a, differentiated
/// along each element of b). `rows(...)` first among the bindings as for hessian_at.
template <Expression E, fixed_string A, fixed_string B, fixed_string... Rows, Binding... Bs>
xt::xarray<double> hessian_at(const E& loss, symbol_t<A> a, symbol_t<B> b, detail::rows_of<Rows...> rows_symbols,
                              Bs&&... bindings) {
    detail::require_number("hessian_at", loss, bindings...);
    const auto all = boost::hana::make_tuple(bindings...);
    return detail::columns_at<B>("hessian_at", rows_symbols, detail::value_shape(detail::lookup<A>(all)),
                                 jvp(gradient_of(loss, a), b, detail::column_direction), bindings...);
}
template <Expression E, fixed_string A, fixed_string B, Binding... Bs>
xt::xarray<double> hessian_at(const E& loss, symbol_t<A> a, symbol_t<B> b, Bs&&... bindings) {
    return hessian_at(loss, a, b, detail::rows_of<>{}, std::forward<Bs>(bindings)...);
}

}  // namespace symdiff
