#pragma once
// The Expression concept and the one generic node type.
//
// An expression is one of
//   - a leaf: a symbol (`symbol_t<"x">`), an exact rational constant (`constant<N, D>`) or a
//     runtime literal (`literal<T>`), or
//   - a node `node<Op, Args...>`: an operation tag plus its operand expressions, stored by value.
// Every node's type spells out the whole tree, so derivatives and simplifications are computed
// by the compiler. Nodes of symbols and exact constants are empty types: equal types mean equal
// expressions, which is what common-subexpression elimination relies on.
#include <type_traits>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

namespace symdiff {

namespace detail {
template <class T>
struct is_expression : std::false_type {};
}  // namespace detail

/// Any symdiff expression: symbol, constant, literal or operation node.
template <class T>
concept Expression = detail::is_expression<std::remove_cvref_t<T>>::value;

/// An operation node: `Op` names the operation (and carries its rules), `Args` are the operands.
template <class Op, class... Args>
struct node {
    using op = Op;
    static constexpr std::size_t arity = sizeof...(Args);
    boost::hana::tuple<Args...> args;

    constexpr node() = default;
    constexpr explicit node(Args... a) : args(a...) {}

    template <std::size_t I>
    constexpr const auto& arg() const {
        return boost::hana::at_c<I>(args);
    }
};

namespace detail {
template <class Op, class... Args>
struct is_expression<node<Op, Args...>> : std::true_type {};

template <class T>
struct is_node : std::false_type {};
template <class Op, class... Args>
struct is_node<node<Op, Args...>> : std::true_type {};
}  // namespace detail

template <class T>
concept Node = detail::is_node<std::remove_cvref_t<T>>::value;

/// Builds `node<Op, Args...>` without simplification (the public builders simplify first).
template <class Op, Expression... Args>
constexpr auto make_node(Args... args) {
    return node<Op, Args...>(args...);
}

}  // namespace symdiff
