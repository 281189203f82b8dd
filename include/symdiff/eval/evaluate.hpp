#pragma once
// evaluate: the value of an expression (or of a hana::tuple of expressions, sharing one cache)
// for given symbol values. Scalars come back as numbers, arrays as xtensor containers.
#include <boost/hana/tuple.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/unpack.hpp>

#include "eval.hpp"
#include "fused.hpp"

namespace symdiff {

namespace detail {
template <class T>
struct is_hana_tuple : std::false_type {};
template <class... T>
struct is_hana_tuple<boost::hana::tuple<T...>> : std::true_type {};

template <class... Bs>
constexpr void check_bindings() {
    // Each name once: a symbol bound twice is ambiguous.
    (
        [] {
            if constexpr (count_bindings<Bs::name, Bs...>() > 1) static_assert(errors::symbol_bound_twice<Bs::name>::value);
        }(),
        ...);
}
}  // namespace detail

/// The value of `e` with each symbol bound: `evaluate(f, x = 2.0, y = Y)`.
template <Expression E, Binding... Bs>
constexpr auto evaluate(const E& e, Bs&&... bs) {
    detail::check_bindings<std::remove_cvref_t<Bs>...>();
    using T = detail::value_type_of<std::remove_cvref_t<Bs>...>;
    const auto bindings = boost::hana::make_tuple(bs...);
    return detail::with_context<T, boost::hana::tuple<boost::hana::type<E>>>(
        bindings, [&](auto& ctx) { return detail::materialize<T>(detail::eval(e, ctx)); });
}

/// The values of several expressions in one pass: subexpressions they share are computed once.
/// Returns a hana::tuple of values, in order: `auto [l, da] = evaluate(hana::make_tuple(loss, d), ...)`.
template <class... E, Binding... Bs>
constexpr auto evaluate(const boost::hana::tuple<E...>& es, Bs&&... bs) {
    static_assert((Expression<E> && ...), "evaluate: every element of the tuple must be a symdiff expression");
    detail::check_bindings<std::remove_cvref_t<Bs>...>();
    using T = detail::value_type_of<std::remove_cvref_t<Bs>...>;
    const auto bindings = boost::hana::make_tuple(bs...);
    const auto general = [&] {
        return detail::with_context<T, boost::hana::tuple<boost::hana::type<E>...>>(bindings, [&](auto& ctx) {
            return boost::hana::transform(es, [&](const auto& e) { return detail::materialize<T>(detail::eval(e, ctx)); });
        });
    };
    if constexpr (detail::fused::eligible<boost::hana::tuple<boost::hana::type<E>...>, std::remove_cvref_t<Bs>...>) {
        if (!std::is_constant_evaluated()) {
            bool ok = false;
            auto fused = detail::fused::evaluate_roots<T>(es, bindings, ok);
            if (ok) return fused;
        }
    }
    return general();
}

}  // namespace symdiff
