#pragma once
// Fused evaluation of scalar programs: one loop over the data for all reductions at once.
//
// A training step evaluates the loss and its gradients: for models with scalar parameters these
// are all full reductions (`mean`, `sum`, `mean_to` onto a scalar symbol) of elementwise bodies
// over the same data, e.g. mean((w x - y)^2) and mean(2 (w x - y) x). Instead of one pass per
// reduction (and materialised intermediates), this evaluates every body element by element in a
// single loop, the way one would write it by hand; the compiler shares the common scalar
// subexpressions within the loop body. Used when the whole program qualifies (decided at compile
// time from the expression and binding types) and all bound arrays have the same shape (checked
// at run time); otherwise evaluation takes the general path.
#include <array>
#include <cstddef>
#include <type_traits>

#include <boost/hana/all_of.hpp>
#include <boost/hana/append.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/range.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "../core/traits.hpp"
#include "../ops/reduce_to.hpp"
#include "../ops/reductions.hpp"
#include "cse.hpp"

namespace symdiff::detail::fused {

namespace hana = boost::hana;

// Contiguous row-major containers: their elements can be read by flat index.
template <class V>
struct is_flat_container : std::false_type {};
template <class EC, std::size_t N, class Tag>
struct is_flat_container<xt::xtensor_container<EC, N, xt::layout_type::row_major, Tag>> : std::true_type {};
template <class EC, class SC, class Tag>
struct is_flat_container<xt::xarray_container<EC, xt::layout_type::row_major, SC, Tag>> : std::true_type {};

template <class V>
inline constexpr bool is_scalar_binding = std::is_arithmetic_v<std::remove_cvref_t<V>>;
template <class V>
inline constexpr bool is_flat_binding = is_flat_container<std::remove_cvref_t<V>>::value;

template <class E, class... Bs>
struct is_bound_to_scalar : std::false_type {};
template <fixed_string Name, class... Bs>
struct is_bound_to_scalar<symbol_t<Name>, Bs...>
    : std::bool_constant<(count_bindings<Name, Bs...>() == 1) &&
                         ((Bs::name == Name ? is_scalar_binding<decltype(Bs::value)> : true) && ...)> {};

template <class E, class... Bs>
struct is_bound_to_array : std::false_type {};
template <fixed_string Name, class... Bs>
struct is_bound_to_array<symbol_t<Name>, Bs...>
    : std::bool_constant<(count_bindings<Name, Bs...>() == 1) &&
                         ((Bs::name == Name ? is_flat_binding<decltype(Bs::value)> : true) && ...)> {};

/// An elementwise tree of leaves whose symbols are bound to numbers or flat arrays.
template <class E, class... Bs>
struct pointwise : std::bool_constant<Constant<E> || Literal<E>> {};
template <fixed_string Name, class... Bs>
struct pointwise<symbol_t<Name>, Bs...>
    : std::bool_constant<is_bound_to_scalar<symbol_t<Name>, Bs...>::value ||
                         is_bound_to_array<symbol_t<Name>, Bs...>::value> {};
template <class Op, class... Args, class... Bs>
struct pointwise<node<Op, Args...>, Bs...>
    : std::bool_constant<Op::elementwise && (pointwise<Args, Bs...>::value && ...)> {};

template <class E>
struct is_reduction : std::false_type {};
template <bool M, class A>
struct is_reduction<node<full_reduction_op<M>, A>> : std::true_type {};
template <class A>
struct is_reduction<node<sum_op, A>> : std::true_type {};
template <class A>
struct is_reduction<node<mean_op, A>> : std::true_type {};
template <bool M, class H, class D, class T>
struct is_reduction<node<reduce_to_op<M>, H, D, T>> : std::true_type {};

/// A root made of numbers, scalar-bound symbols and reductions of pointwise bodies.
template <class E, class... Bs>
struct scalar_program : std::bool_constant<Constant<E> || Literal<E>> {};
template <fixed_string Name, class... Bs>
struct scalar_program<symbol_t<Name>, Bs...> : is_bound_to_scalar<symbol_t<Name>, Bs...> {};
template <class Op, class... Args, class... Bs>
struct scalar_program<node<Op, Args...>, Bs...>
    : std::bool_constant<Op::elementwise && (scalar_program<Args, Bs...>::value && ...)> {};
// Reductions are accumulated by type, so they must be stateless (no runtime literal inside).
template <class A, class... Bs>
struct scalar_program<node<sum_op, A>, Bs...>
    : std::bool_constant<pointwise<A, Bs...>::value && is_stateless<node<sum_op, A>>> {};
template <class A, class... Bs>
struct scalar_program<node<mean_op, A>, Bs...>
    : std::bool_constant<pointwise<A, Bs...>::value && is_stateless<node<mean_op, A>>> {};
template <bool M, class H, class D, class T, class... Bs>
struct scalar_program<node<reduce_to_op<M>, H, D, T>, Bs...>
    : std::bool_constant<is_stateless<node<reduce_to_op<M>, H, D, T>> && pointwise<H, Bs...>::value &&
                         pointwise<D, Bs...>::value &&
                         (static_scalar<T> || is_bound_to_scalar<T, Bs...>::value)> {};

/// Does `E` read any array-bound symbol?
template <class E, class... Bs>
struct reads_array : std::false_type {};
template <fixed_string Name, class... Bs>
struct reads_array<symbol_t<Name>, Bs...> : is_bound_to_array<symbol_t<Name>, Bs...> {};
template <class Op, class... Args, class... Bs>
struct reads_array<node<Op, Args...>, Bs...> : std::bool_constant<(reads_array<Args, Bs...>::value || ...)> {};

// The distinct reduction nodes of the roots, found without entering them.
struct collect_fn {
    template <class Seen, class T>
    constexpr auto operator()(Seen seen, T t) const {
        using E = typename T::type;
        if constexpr (is_reduction<E>::value) {
            if constexpr (decltype(hana::contains(seen, t))::value) return seen;
            else return hana::append(seen, t);
        } else if constexpr (is_node<E>::value) {
            return unpack_children(seen, static_cast<const E*>(nullptr));
        } else {
            return seen;
        }
    }
    template <class Seen, class Op, class... Args>
    constexpr auto unpack_children(Seen seen, const node<Op, Args...>*) const {
        return hana::fold_left(hana::tuple_t<Args...>, seen, collect_fn{});
    }
};

template <class E>
constexpr auto body_of(const E& e) {
    return e.template arg<0>();
}
template <class E>
constexpr auto domain_of(const E& e) {
    if constexpr (E::arity == 3) return e.template arg<1>();
    else return e.template arg<0>();
}

/// Leaf values for element-wise evaluation: numbers, or pointers to the arrays' elements.
template <class T, class... Bs>
struct leaves {
    const hana::tuple<Bs...>& bindings;
    std::size_t n = 1;  // the common element count of the bound arrays

    template <fixed_string Name>
    T at(std::size_t i) const {
        const auto& v = lookup<Name>(bindings);
        if constexpr (is_scalar_binding<decltype(v)>) return static_cast<T>(v);
        else return static_cast<T>(v.data()[i]);
    }
};

template <class T, class E, class L>
inline T element(const E& e, const L& leaves, std::size_t i) {
    if constexpr (Constant<E>) {
        return E::template as<T>();
    } else if constexpr (Literal<E>) {
        return static_cast<T>(e.value);
    } else if constexpr (Symbol<E>) {
        return leaves.template at<E::name>(i);
    } else {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return static_cast<T>(E::op::apply(element<T>(e.template arg<I>(), leaves, i)...));
        }(std::make_index_sequence<E::arity>{});
    }
}

/// Roots evaluated with the reductions' values already known.
template <class T, class E, class Reductions, class L, std::size_t K>
inline T finish(const E& e, const std::array<T, K>& values, const L& leaves) {
    if constexpr (is_reduction<E>::value) {
        return values[index_of<E, Reductions>()];
    } else if constexpr (!is_node<E>::value) {
        return element<T>(e, leaves, 0);
    } else {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return static_cast<T>(E::op::apply(finish<T, std::remove_cvref_t<decltype(e.template arg<I>())>, Reductions>(
                e.template arg<I>(), values, leaves)...));
        }(std::make_index_sequence<E::arity>{});
    }
}

template <class... Bs>
constexpr bool has_arrays = (is_flat_binding<decltype(Bs::value)> || ...);

/// The common element count of the bound arrays (1 when there are none), or 0 when their shapes
/// differ (they would broadcast: the general path handles that).
template <class... Bs>
std::size_t common_count(const hana::tuple<Bs...>& bindings) {
    // No allocation here: this runs once per training step, sometimes on 4 elements.
    constexpr std::size_t max_rank = 8;
    std::array<std::size_t, max_rank> first{};
    std::size_t rank = 0;
    bool seen = false, same = true;
    hana::for_each(bindings, [&](const auto& b) {
        if constexpr (is_flat_binding<decltype(b.value)>) {
            const auto& s = b.value.shape();
            if (s.size() > max_rank) {
                same = false;
            } else if (!seen) {
                rank = s.size();
                std::copy(s.begin(), s.end(), first.begin());
                seen = true;
            } else if (s.size() != rank || !std::equal(s.begin(), s.end(), first.begin())) {
                same = false;
            }
        }
    });
    if (!same) return 0;
    std::size_t n = 1;
    for (std::size_t k = 0; k < rank; ++k) n *= first[k];
    return n;
}

/// True when the program qualifies for the fused loop (types only).
template <class Roots, class... Bs>
inline constexpr bool eligible = [] {
    return hana::all_of(Roots{}, [](auto t) {
        return hana::bool_c<scalar_program<typename decltype(t)::type, Bs...>::value>;
    });
}();

/// Evaluates the roots (a hana tuple of expressions) in one loop; `ok` is false when the arrays'
/// shapes differ, in which case nothing was computed.
template <class T, class... E, class... Bs>
auto evaluate_roots(const hana::tuple<E...>& roots, const hana::tuple<Bs...>& bindings, bool& ok) {
    using reductions = decltype(hana::fold_left(hana::tuple_t<E...>, hana::make_tuple(), collect_fn{}));
    constexpr std::size_t K = decltype(hana::size(reductions{}))::value;
    std::array<T, K> acc{};
    const std::size_t n = common_count(bindings);
    ok = n > 0;
    leaves<T, Bs...> L{bindings, n};
    const auto finish_all = [&] {
        return hana::transform(roots, [&](const auto& e) { return finish<T, std::remove_cvref_t<decltype(e)>, reductions>(e, acc, L); });
    };
    if (!ok) return finish_all();
    // Reductions whose bodies read arrays: accumulate in one pass.
    for (std::size_t i = 0; i < n; ++i) {
        hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<K>), [&](auto k) {
            using R = typename decltype(+hana::at(reductions{}, k))::type;
            using H = std::remove_cvref_t<decltype(body_of(std::declval<R>()))>;
            if constexpr (reads_array<H, Bs...>::value) acc[k] += element<T>(body_of(R{}), L, i);
        });
    }
    hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<K>), [&](auto k) {
        using R = typename decltype(+hana::at(reductions{}, k))::type;
        using H = std::remove_cvref_t<decltype(body_of(std::declval<R>()))>;
        using D = std::remove_cvref_t<decltype(domain_of(std::declval<R>()))>;
        const T count_d = reads_array<D, Bs...>::value ? T(n) : T(1);
        // A body without arrays is broadcast over the domain: it repeats count(domain) times.
        if constexpr (!reads_array<H, Bs...>::value) acc[k] = element<T>(body_of(R{}), L, 0) * count_d;
        constexpr bool mean = is_op<R, mean_op> || is_op<R, reduce_to_op<true>>;
        if constexpr (mean) acc[k] /= count_d;
    });
    return finish_all();
}

}  // namespace symdiff::detail::fused
