#pragma once
// Compile-time questions about expression types, answered by recursion over the node type.
#include <type_traits>

#include "constant.hpp"
#include "expression.hpp"
#include "operation.hpp"
#include "symbol.hpp"

namespace symdiff {

/// Does expression `E` contain the subexpression `S` (a symbol, usually)?
template <class E, class S>
struct contains : std::is_same<E, S> {};
template <class Op, class... Args, class S>
struct contains<node<Op, Args...>, S>
    : std::bool_constant<std::is_same_v<node<Op, Args...>, S> || (contains<Args, S>::value || ...)> {};

template <class E, class S>
inline constexpr bool depends_on = contains<std::remove_cvref_t<E>, std::remove_cvref_t<S>>::value;

namespace detail {
/// False for every argument list: the condition of the static_assert in an overload that exists
/// only to catch a misuse (`sum(x, 1)`, `derivative(f, w, b)`, ...) and say in words what to write.
/// It depends on the overload's template arguments, so it fires only when that overload is chosen.
template <class...>
inline constexpr bool misuse = false;
}  // namespace detail

/// True when the type alone identifies the value (no runtime literal inside): such subtrees can be
/// shared by type during evaluation.
template <class E>
struct stateless : std::true_type {};
template <class T>
struct stateless<literal<T>> : std::false_type {};
template <class Op, class... Args>
struct stateless<node<Op, Args...>> : std::bool_constant<(stateless<Args>::value && ...)> {};

template <class E>
inline constexpr bool is_stateless = stateless<std::remove_cvref_t<E>>::value;

namespace detail {
template <class T, class... Ts>
inline constexpr bool is_one_of = (std::is_same_v<T, Ts> || ...);

template <class N>
struct node_op {};
template <class Op, class... Args>
struct node_op<node<Op, Args...>> {
    using type = Op;
};
}  // namespace detail

/// `is_op<E, add_op>`: is `E` a node of operation `Op`?
template <class E, class Op>
inline constexpr bool is_op = false;
template <class Op, class... Args>
inline constexpr bool is_op<node<Op, Args...>, Op> = true;

/// Is the value of `E` a scalar whatever the bindings (constants, full reductions, and elementwise
/// operations of those)? Such a root is differentiated in reverse mode into a gradient.
template <class E>
struct is_static_scalar : std::false_type {};
template <std::intmax_t N, std::intmax_t D>
struct is_static_scalar<constant<N, D>> : std::true_type {};
template <class T>
struct is_static_scalar<literal<T>> : std::true_type {};
template <class Op, class... Args>
struct is_static_scalar<node<Op, Args...>> : std::bool_constant<Op::template is_scalar<Args...>> {};

template <class E>
inline constexpr bool static_scalar = is_static_scalar<std::remove_cvref_t<E>>::value;

}  // namespace symdiff
