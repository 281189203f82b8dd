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

#include <boost/hana/flatten.hpp>
#include <boost/hana/for_each.hpp>
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

// The analysis below is plain template metaprogramming over type lists (fold expressions for
// membership and counting) rather than hana algorithms: it runs once per evaluate() call site and
// per root set, and its cost grows with the square of the number of distinct nodes.
template <class... T>
struct type_list {};

template <class... L>
struct concat_lists {
    using type = type_list<>;
};
template <class... A>
struct concat_lists<type_list<A...>> {
    using type = type_list<A...>;
};
template <class... A, class... B, class... Rest>
struct concat_lists<type_list<A...>, type_list<B...>, Rest...> {
    using type = typename concat_lists<type_list<A..., B...>, Rest...>::type;
};

/// The value operands of `E` as a type_list (operands read only for their shape are left out).
template <class E>
struct value_operands {
    using type = type_list<>;
};
template <class Op, class... Args>
struct value_operands<node<Op, Args...>> {
    template <std::size_t... I>
    static auto pick(std::index_sequence<I...>)
        -> typename concat_lists<std::conditional_t<is_value_arg<Op>(I), type_list<Args>, type_list<>>...>::type;
    using type = decltype(pick(std::index_sequence_for<Args...>{}));
};

template <class List, class T>
struct list_contains;
template <class... S, class T>
struct list_contains<type_list<S...>, T> : std::bool_constant<(std::is_same_v<S, T> || ...)> {};

template <class Seen, class List>
struct visit_all;
template <class Seen, class E, bool Known = list_contains<Seen, E>::value>
struct visit {
    using type = Seen;
};
template <class... S, class E>
struct visit<type_list<S...>, E, false> {
    using after_children = typename visit_all<type_list<S...>, typename value_operands<E>::type>::type;
    template <class... A>
    static auto append(type_list<A...>) -> type_list<A..., E>;
    using type = decltype(append(after_children{}));
};
template <class Seen>
struct visit_all<Seen, type_list<>> {
    using type = Seen;
};
template <class Seen, class H, class... T>
struct visit_all<Seen, type_list<H, T...>> {
    using type = typename visit_all<typename visit<Seen, H>::type, type_list<T...>>::type;
};

template <class T, class List>
struct count_in;
template <class T, class... U>
struct count_in<T, type_list<U...>> : std::integral_constant<std::size_t, (std::size_t{std::is_same_v<T, U>} + ... + 0)> {};

/// Number of references to `T` from distinct parents, plus one per root equal to `T`.
template <class T, class All, class Roots>
struct references;
template <class T, class... P, class Roots>
struct references<T, type_list<P...>, Roots>
    : std::integral_constant<std::size_t, count_in<T, Roots>::value +
                                              (count_in<T, typename value_operands<P>::type>::value + ... + 0)> {};

template <class RootTypes>
struct root_list;
template <class... R>
struct root_list<hana::tuple<R...>> {
    using type = type_list<typename R::type...>;
};

template <class All, class Roots>
struct shared_of;
template <class... E, class Roots>
struct shared_of<type_list<E...>, Roots> {
    template <class N>
    using keep = std::bool_constant<is_node<N>::value && is_stateless<N> &&
                                    (references<N, type_list<E...>, Roots>::value >= 2)>;
    using type = decltype(hana::flatten(hana::make_tuple(
        std::conditional_t<keep<E>::value, hana::tuple<hana::type<E>>, hana::tuple<>>{}...)));
};

/// The node types to evaluate once and cache, for the given root types (a hana tuple of types),
/// children before parents.
template <class Roots>
constexpr auto shared_nodes(Roots) {
    using roots = typename root_list<Roots>::type;
    using all = typename visit_all<type_list<>, roots>::type;
    return typename shared_of<all, roots>::type{};
}

template <class T, class Types>
struct index_in {
    static constexpr std::size_t value = [] {
        std::size_t i = 0, found = hana::size(Types{});
        hana::for_each(Types{}, [&](auto u) {
            if (std::is_same_v<typename decltype(u)::type, T> && found == hana::size(Types{})) found = i;
            ++i;
        });
        return found;
    }();
};
template <class T, class... U>
struct index_in<T, hana::tuple<U...>> {
    static constexpr std::size_t value = [] {
        constexpr bool match[] = {std::is_same_v<T, typename U::type>..., true};
        std::size_t i = 0;
        while (!match[i]) ++i;
        return i;
    }();
};

/// The position of `T` in the tuple of types `Types`, or its size when absent.
template <class T, class Types>
constexpr std::size_t index_of() {
    return index_in<T, Types>::value;
}

}  // namespace symdiff::detail
