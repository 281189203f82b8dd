#pragma once
// The Expression concept and the one generic node type.
//
// An expression is one of
//   - a leaf: a symbol (`symbol_t<"x">`), an exact rational constant (`constant<N, D>`) or a
//     runtime literal (`literal<T>`), or
//   - a node `node<Op, Args...>`: an operation tag plus its operand expressions, stored by value.
// Every node's type spells out the whole tree, so derivatives and simplifications are computed
// by the compiler. Nodes of symbols and exact constants are empty types: equal types mean equal
// expressions, which is what the evaluator's sharing of subexpressions relies on.
//
// Operands are plain data members (`a0`, `a1`, ...), not a tuple: a tuple type is a class
// template with one base per element, and every node of a deep tree would instantiate one. With
// plain members a node costs the compiler one small class; a sum of 200 terms builds in a
// fraction of the time (see docs/compile-times.md). Nodes are aggregates, built with braces: no
// constructor is instantiated per node type (g++ spends its time in such functions' names, which
// spell the whole subtree, on long sums).
#include <cstddef>
#include <type_traits>
#include <utility>

namespace symdiff {

namespace detail {
template <class T>
struct is_expression : std::false_type {};
}  // namespace detail

/// Any symdiff expression: symbol, constant, literal or operation node.
template <class T>
concept Expression = detail::is_expression<std::remove_cvref_t<T>>::value;

/// An operation node: `Op` names the operation (and carries its rules), `Args` are the operands.
/// Arity 1 to 4; `arg<I>()` reads operand I.
template <class Op, class... Args>
struct node;

#define SYMDIFF_NODE_COMMON(N)                                 \
    using op = Op;                                             \
    static constexpr std::size_t arity = N;                    \
    template <std::size_t I>                                   \
    constexpr const auto& arg() const {                        \
        static_assert(I < N, "node::arg<I>: no such operand"); \
        if constexpr (I == 0) return this->a0;                 \
        else if constexpr (I == 1) return this->a1;            \
        else if constexpr (I == 2) return this->a2;            \
        else return this->a3;                                  \
    }

template <class Op, class A0>
struct node<Op, A0> {
    SYMDIFF_NODE_COMMON(1)
    [[no_unique_address]] A0 a0{};
};

template <class Op, class A0, class A1>
struct node<Op, A0, A1> {
    SYMDIFF_NODE_COMMON(2)
    [[no_unique_address]] A0 a0{};
    [[no_unique_address]] A1 a1{};
};

template <class Op, class A0, class A1, class A2>
struct node<Op, A0, A1, A2> {
    SYMDIFF_NODE_COMMON(3)
    [[no_unique_address]] A0 a0{};
    [[no_unique_address]] A1 a1{};
    [[no_unique_address]] A2 a2{};
};

template <class Op, class A0, class A1, class A2, class A3>
struct node<Op, A0, A1, A2, A3> {
    SYMDIFF_NODE_COMMON(4)
    [[no_unique_address]] A0 a0{};
    [[no_unique_address]] A1 a1{};
    [[no_unique_address]] A2 a2{};
    [[no_unique_address]] A3 a3{};
};

#undef SYMDIFF_NODE_COMMON

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
    static_assert(sizeof...(Args) >= 1 && sizeof...(Args) <= 4, "symdiff: a node has 1 to 4 operands");
    return node<Op, Args...>{args...};
}

namespace detail {
template <class N, class F, std::size_t... I>
constexpr void for_each_operand(const N& n, F& f, std::index_sequence<I...>) {
    (f(n.template arg<I>()), ...);
}
}  // namespace detail

/// Calls `f(operand)` for each operand of `n`, in order.
template <class Op, class... Args, class F>
constexpr void for_each_operand(const node<Op, Args...>& n, F&& f) {
    detail::for_each_operand(n, f, std::index_sequence_for<Args...>{});
}

}  // namespace symdiff
