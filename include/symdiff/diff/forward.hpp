#pragma once
// Forward mode: the derivative of an expression with respect to one symbol, node by node.
//   elementwise op:   d f(a, b) = f'a(a, b) da + f'b(a, b) db      (the op's `partial`)
//   structural op:    the op's `tangent` (linear in the operand derivatives)
// Used for expressions that are not scalar by construction (the derivative is then elementwise:
// d/dx square(x) = 2 * x), and for every derivative after the first (Hessians).
#include <utility>

#include "../core/traits.hpp"
#include "../ops/add.hpp"
#include "../ops/multiply.hpp"

namespace symdiff::detail {

template <class E, class S>
constexpr auto forward_derivative(const E& e, S s);

template <class Op, class... Args, class S, std::size_t... I>
constexpr auto forward_node(const node<Op, Args...>& n, S s, std::index_sequence<I...>) {
    if constexpr (Op::elementwise) {
        auto term = [&]<std::size_t J>(std::integral_constant<std::size_t, J>) {
            using A = std::remove_cvref_t<decltype(n.template arg<J>())>;
            if constexpr (!depends_on<A, S>) return zero;
            else return multiply(Op::template partial<J>(n), forward_derivative(n.template arg<J>(), s));
        };
        return (zero + ... + term(std::integral_constant<std::size_t, I>{}));
    } else {
        return Op::tangent(n, forward_derivative(n.template arg<I>(), s)...);
    }
}

template <class E, class S>
constexpr auto forward_derivative(const E& e, S s) {
    if constexpr (std::is_same_v<E, S>) {
        return one;
    } else if constexpr (!depends_on<E, S>) {
        return zero;
    } else {
        return forward_node(e, s, std::make_index_sequence<E::arity>{});
    }
}

}  // namespace symdiff::detail
