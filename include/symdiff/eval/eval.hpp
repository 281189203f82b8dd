#pragma once
// Evaluating one expression node inside an evaluation context.
//
// Values are numbers for scalars and lazy xtensor expressions otherwise, so a chain of
// elementwise operations fuses into one loop when it is finally reduced or assigned.
// Bound arrays and cached shared subexpressions are passed by const reference (xtensor keeps a
// reference: they outlive the evaluate call); freshly computed values are moved into their parent.
#include <cstddef>
#include <optional>
#include <string>
#include <tuple>
#include <utility>

#include <array>

#include <xtensor/xarray.hpp>
#include <xtensor/xmath.hpp>
#include <xtensor/xtensor.hpp>

#include "../core/constant.hpp"
#include "../core/symbol.hpp"
#include "../core/traits.hpp"
#include "bindings.hpp"
#include "cse.hpp"
#include "shape.hpp"

namespace symdiff {

template <Expression E>
std::string to_string(const E& e);

namespace detail {

/// Everything one evaluate call shares: the bindings and the cache of shared subexpressions.
template <class T, class Bindings, class Shared, class Cache>
struct context {
    using value_type = T;
    using shared = Shared;
    const Bindings& bindings;
    Cache& cache;
};

// The container for a value: xtensor<T, N> when the rank is fixed by the type, else xarray<T>.
// (xt::temporary_type_t is not used: for a view of an xarray mixed with an xtensor it picks a
// fixed rank that is wrong at run time.)
template <class T, class Shape>
struct container_for {
    using type = xt::xarray<T>;
};
template <class T, std::size_t N>
struct container_for<T, std::array<std::size_t, N>> {
    using type = xt::xtensor<T, N>;
};

/// A value stored for later use: a number, or an xtensor container.
template <class T, class V>
constexpr auto materialize(V&& v) {
    if constexpr (is_number<V>) {
        return static_cast<T>(v);
    } else {
        using container = typename container_for<T, typename std::remove_cvref_t<V>::shape_type>::type;
        return container(std::forward<V>(v));
    }
}
template <class T, class V>
using materialized_t = decltype(materialize<T>(std::declval<V>()));

template <class Op, class N, class... V>
constexpr auto apply_checked(const N& n, V&&... v) {
    if constexpr ((!is_number<V> + ... + 0) >= 2) {
        const std::vector<shape_type> shapes{shape_of(v)...};
        bool ok = true;
        shape_type s;
        for (const auto& si : shapes) {
            bool ok_i = true;
            s = broadcast_shapes(s, si, ok_i);
            ok = ok && ok_i;
        }
        if (!ok) {
            std::string list;
            for (const auto& si : shapes) list += (list.empty() ? "" : " and ") + shape_to_string(si);
            throw shape_error(to_string(n) + ": cannot broadcast shapes " + list);
        }
    }
    return Op::apply(std::forward<V>(v)...);
}

template <class E, class Ctx>
constexpr decltype(auto) eval(const E& e, Ctx& ctx);

// Integer arrays (labels, counts) enter arithmetic in the evaluation's floating type, as integer
// numbers do: 7 / 2 is 3.5 whether x and y are bound to numbers or to arrays.
template <class T, class V>
constexpr decltype(auto) in_value_type(V&& v) {
    if constexpr (is_number<V>) {
        return std::forward<V>(v);
    } else if constexpr (std::is_integral_v<typename std::remove_cvref_t<V>::value_type>) {
        return xt::cast<T>(std::forward<V>(v));
    } else {
        return std::forward<V>(v);
    }
}

template <class Op, class... Args, class Ctx, std::size_t... I>
constexpr auto eval_elementwise(const node<Op, Args...>& n, Ctx& ctx, std::index_sequence<I...>) {
    using T = typename Ctx::value_type;
    return apply_checked<Op>(n, in_value_type<T>(eval(n.template arg<I>(), ctx))...);
}

template <class Op, class... Args, class Ctx>
constexpr auto eval_node(const node<Op, Args...>& n, Ctx& ctx) {
    if constexpr (Op::elementwise) return eval_elementwise(n, ctx, std::index_sequence_for<Args...>{});
    else return Op::eval(n, ctx);
}

template <class E, class Ctx>
constexpr decltype(auto) eval(const E& e, Ctx& ctx) {
    using T = typename Ctx::value_type;
    if constexpr (Constant<E>) {
        return E::template as<T>();
    } else if constexpr (Literal<E>) {
        return static_cast<T>(e.value);
    } else if constexpr (Symbol<E>) {
        const auto& v = lookup<E::name>(ctx.bindings);
        if constexpr (is_number<decltype(v)>) return static_cast<T>(v);
        else return (v);
    } else {
        constexpr std::size_t i = index_of<E, typename Ctx::shared>();
        if constexpr (i < std::tuple_size_v<std::remove_cvref_t<decltype(ctx.cache)>>) {
            auto& slot = std::get<i>(ctx.cache);
            if (!slot) slot.emplace(materialize<T>(eval_node(e, ctx)));
            return std::as_const(*slot);
        } else {
            return eval_node(e, ctx);
        }
    }
}

/// The shape of `e`'s value, computed without evaluating elements where possible.
template <class E, class Ctx>
shape_type eval_shape(const E& e, Ctx& ctx) {
    if constexpr (Constant<E> || Literal<E>) {
        return {};
    } else if constexpr (Symbol<E>) {
        return shape_of(lookup<E::name>(ctx.bindings));
    } else {
        using Op = typename E::op;
        constexpr std::size_t i = index_of<E, typename Ctx::shared>();
        if constexpr (i < std::tuple_size_v<std::remove_cvref_t<decltype(ctx.cache)>>) {
            if (const auto& slot = std::get<i>(ctx.cache)) return shape_of(*slot);
        }
        if constexpr (Op::elementwise) {
            return boost::hana::fold_left(e.args, shape_type{}, [&](shape_type s, const auto& a) {
                bool ok = true;
                auto r = broadcast_shapes(s, eval_shape(a, ctx), ok);
                if (!ok) throw shape_error(to_string(e) + ": cannot broadcast shapes " + shape_to_string(s) + " and " +
                                           shape_to_string(eval_shape(a, ctx)));
                return r;
            });
        } else if constexpr (requires { Op::shape(e, ctx); }) {
            return Op::shape(e, ctx);
        } else {
            return shape_of(eval(e, ctx));
        }
    }
}

/// Builds the cache for `Roots` under bindings `Bs` and calls `f(ctx)`.
template <class T, class Roots, class Bindings, class F>
constexpr decltype(auto) with_context(const Bindings& bindings, F&& f) {
    using shared = decltype(shared_nodes(Roots{}));
    using no_cache_ctx = context<T, Bindings, boost::hana::tuple<>, std::tuple<>>;
    auto cache = boost::hana::unpack(shared{}, [](auto... t) {
        return std::tuple<std::optional<
            materialized_t<T, decltype(eval(std::declval<const typename decltype(t)::type&>(),
                                            std::declval<no_cache_ctx&>()))>>...>{};
    });
    context<T, Bindings, shared, decltype(cache)> ctx{bindings, cache};
    return f(ctx);
}

}  // namespace detail
}  // namespace symdiff
