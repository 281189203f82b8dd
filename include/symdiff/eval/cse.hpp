#pragma once
// Type-level common-subexpression elimination.
//
// Identical subtrees have identical types. Before evaluating, we walk the expression(s) as a DAG
// (each distinct node type once) and count how many distinct parents refer to each node type.
// A node referred to twice or more is evaluated once per evaluate call and its value cached.
// Only stateless nodes qualify: a node holding a runtime literal is identified by its value too.
// Operands that an operation reads only for their shape (the domain of a gradient reduction)
// do not count as uses: they are never evaluated in full.
#include <cstddef>
#include <type_traits>

#include <boost/hana/append.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/filter.hpp>
#include <boost/hana/flatten.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/size.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/type.hpp>

#include "../core/expression.hpp"
#include "../core/traits.hpp"

namespace symdiff::detail {

namespace hana = boost::hana;

template <class Op>
constexpr bool is_value_arg(std::size_t i) {
    if constexpr (requires { Op::value_arg(std::size_t{}); }) return Op::value_arg(i);
    else return (void)i, true;
}

/// The operands of `E` whose values (not just shapes) evaluation needs, as a tuple of types.
template <class E>
struct value_children {
    using type = hana::tuple<>;
};
template <class Op, class... Args>
struct value_children<node<Op, Args...>> {
    template <std::size_t... I>
    static constexpr auto pick(std::index_sequence<I...>) {
        return hana::flatten(hana::make_tuple(select<I, Args>()...));
    }
    template <std::size_t I, class A>
    static constexpr auto select() {
        if constexpr (is_value_arg<Op>(I)) return hana::make_tuple(hana::type_c<A>);
        else return hana::make_tuple();
    }
    using type = decltype(pick(std::index_sequence_for<Args...>{}));
};

struct visit_fn {
    template <class Seen, class T>
    constexpr auto operator()(Seen seen, T t) const {
        using E = typename T::type;
        if constexpr (decltype(hana::contains(seen, t))::value) {
            return seen;
        } else {
            auto after_children = hana::fold_left(typename value_children<E>::type{}, seen, visit_fn{});
            return hana::append(after_children, t);
        }
    }
};

/// Every distinct node type reachable through value operands, children before parents.
template <class Roots>
constexpr auto distinct_nodes(Roots roots) {
    return hana::fold_left(roots, hana::make_tuple(), visit_fn{});
}

template <class T, class Types>
constexpr std::size_t occurrences(Types types) {
    return hana::fold_left(types, std::size_t{0}, [](std::size_t n, auto u) {
        return n + (std::is_same_v<typename decltype(u)::type, T> ? 1 : 0);
    });
}

/// Number of references to `T` from distinct parents, plus one per root equal to `T`.
template <class T, class All, class Roots>
constexpr std::size_t reference_count(All all, Roots roots) {
    return hana::fold_left(all, occurrences<T>(roots), [](std::size_t n, auto p) {
        return n + occurrences<T>(typename value_children<typename decltype(p)::type>::type{});
    });
}

/// The node types to evaluate once and cache, for the given root types (a hana tuple of types).
template <class Roots>
constexpr auto shared_nodes(Roots) {
    constexpr auto all = distinct_nodes(Roots{});
    return hana::filter(all, [](auto t) {
        using E = typename decltype(t)::type;
        if constexpr (is_node<E>::value && is_stateless<E>)
            return hana::bool_c<(reference_count<E>(decltype(all){}, Roots{}) >= 2)>;
        else
            return hana::false_c;
    });
}

template <class T, class Types>
constexpr std::size_t index_of() {
    std::size_t i = 0, found = hana::size(Types{});
    hana::for_each(Types{}, [&](auto u) {
        if (std::is_same_v<typename decltype(u)::type, T> && found == hana::size(Types{})) found = i;
        ++i;
    });
    return found;
}

}  // namespace symdiff::detail
