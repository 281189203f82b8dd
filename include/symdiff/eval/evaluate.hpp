#pragma once
// evaluate: the value of an expression (or of a hana::tuple of expressions, sharing their common
// subexpressions) for given symbol values. Numbers come back as numbers, arrays as xt::xarray.
//
//   evaluate(f, x = 2.0, y = Y)
//   auto [l, dw] = evaluate(std::tuple(loss, derivative(loss, w)), w = 0.5, x = X);
//   auto v = evaluate(hana::make_tuple(loss, dw), w = 0.5, x = X);   // hana::at_c<1>(v)
//
// Each call lowers the expressions into one program (at compile time), plans it for the bound
// shapes and runs it once (engine.hpp). An expression of numbers only is evaluated by scalar code
// that is a constant expression when its inputs are: static_assert(evaluate(f, x = 3.0) == 6.0).
#include <tuple>
#include <type_traits>

#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include "../core/traits.hpp"
#include "bindings.hpp"
#include "engine.hpp"

namespace symdiff {

namespace detail {
template <class T>
struct is_hana_tuple : std::false_type {};
template <class... T>
struct is_hana_tuple<boost::hana::tuple<T...>> : std::true_type {};
template <class T>
struct is_std_tuple : std::false_type {};
template <class... T>
struct is_std_tuple<std::tuple<T...>> : std::true_type {};

template <class Engine, std::size_t... R>
auto take_all(Engine& e, std::index_sequence<R...>) {
    return boost::hana::make_tuple(e.template take<R>()...);
}

template <class T, class Roots, class B, std::size_t... R>
constexpr auto number_trees(const Roots& roots, const B& bindings, std::index_sequence<R...>) {
    return boost::hana::make_tuple(number_tree<T>(std::get<R>(roots), bindings)...);
}

/// Runs the engine of the roots once; a hana::tuple of values.
template <class... E, class... Bs>
auto run_roots(const std::tuple<const E&...>& roots, const boost::hana::tuple<Bs...>& bindings) {
    engine<program_of<E...>, value_type_of<Bs...>, no_rows, Bs...> e(roots);
    e.run(bindings);
    return take_all(e, std::index_sequence_for<E...>{});
}

/// Evaluates the roots (a std::tuple of references to expressions); a hana::tuple of values.
/// Numbers only, in a constant expression: a recursive walk (the engine is not a literal type).
template <class... E, class... Bs>
constexpr auto evaluate_roots(const std::tuple<const E&...>& roots, const boost::hana::tuple<Bs...>& bindings) {
    using T = value_type_of<Bs...>;
    if constexpr (scheduled<program_of<E...>, no_rows, Bs...>::all_numbers) {
        if (std::is_constant_evaluated()) return number_trees<T>(roots, bindings, std::index_sequence_for<E...>{});
    }
    return run_roots(roots, bindings);
}
template <class Bindings, class... E, std::size_t... R>
auto evaluate_tuple(const boost::hana::tuple<E...>& es, const Bindings& bindings, std::index_sequence<R...>) {
    return evaluate_roots(std::tuple<const E&...>(boost::hana::at_c<R>(es)...), bindings);
}
template <class Bindings, class... E, std::size_t... R>
constexpr auto evaluate_std_tuple(const std::tuple<E...>& es, const Bindings& bindings, std::index_sequence<R...>) {
    return boost::hana::unpack(
        evaluate_roots(std::tuple<const std::remove_cvref_t<E>&...>(std::get<R>(es)...), bindings),
        [](auto&&... v) { return std::tuple<std::remove_cvref_t<decltype(v)>...>(std::move(v)...); });
}
}  // namespace detail

/// The value of `e` with each symbol bound: `evaluate(f, x = 2.0, y = Y)`.
template <Expression E, Binding... Bs>
constexpr auto evaluate(const E& e, Bs&&... bs) {
    detail::check_bindings<std::remove_cvref_t<Bs>...>();
    const auto bindings = boost::hana::make_tuple(bs...);
    return boost::hana::at_c<0>(detail::evaluate_roots(std::tuple<const E&>(e), bindings));
}

/// The values of several expressions in one pass: subexpressions they share are computed once.
/// Returns a std::tuple of values, in order: `auto [l, da] = evaluate(std::tuple(loss, d), ...)`
/// (also for std::tie(loss, d), which copies nothing).
template <class... E, Binding... Bs>
constexpr auto evaluate(const std::tuple<E...>& es, Bs&&... bs) {
    static_assert((Expression<E> && ...), "evaluate: every element of the tuple must be a symdiff expression");
    detail::check_bindings<std::remove_cvref_t<Bs>...>();
    const auto bindings = boost::hana::make_tuple(bs...);
    return detail::evaluate_std_tuple(es, bindings, std::index_sequence_for<E...>{});
}

/// The same for a hana::tuple of expressions; returns a hana::tuple of values:
/// `auto v = evaluate(hana::make_tuple(loss, d), ...); hana::at_c<1>(v)`.
template <class... E, Binding... Bs>
constexpr auto evaluate(const boost::hana::tuple<E...>& es, Bs&&... bs) {
    static_assert((Expression<E> && ...), "evaluate: every element of the tuple must be a symdiff expression");
    detail::check_bindings<std::remove_cvref_t<Bs>...>();
    const auto bindings = boost::hana::make_tuple(bs...);
    return detail::evaluate_tuple(es, bindings, std::index_sequence_for<E...>{});
}

/// Anything else as the first argument: a compile error in words instead of a list of candidates.
template <class T, class... Bs>
requires(!Expression<T> && !detail::is_std_tuple<T>::value && !detail::is_hana_tuple<T>::value) void evaluate(const T&,
                                                                                                              Bs&&...) {
    static_assert(detail::misuse<T>,
                  "evaluate(e, x = ...): the first argument must be a symdiff expression, or a std::tuple or "
                  "boost::hana::tuple of expressions evaluated together: evaluate(std::tuple(loss, d), w = W)");
}

}  // namespace symdiff
