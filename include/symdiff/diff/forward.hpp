#pragma once
// Forward mode: the derivative of an expression with respect to one symbol, node by node.
//   elementwise op:   d f(a, b) = f'a(a, b) da + f'b(a, b) db      (the op's `partial`)
//   structural op:    the op's `tangent` (linear in the operand derivatives)
//   the symbol s:     ds = the seed: 1 (every element moves together: the elementwise
//                     derivative), or a direction v of s's shape (the directional derivative,
//                     J v: jvp, and of a gradient, the Hessian-vector product)
// Used for expressions that are not scalar by construction (the derivative is then elementwise:
// d/dx square(x) = 2 * x), and for every derivative after the first (Hessians).
#include <utility>

#include "../core/traits.hpp"
#include "../ops/add.hpp"
#include "../ops/multiply.hpp"

namespace symdiff::detail {

template <class E, class S, class V = one_t>
constexpr auto forward_derivative(const E& e, S s, V seed = {});

// (Helper functions, not lambdas: a lambda's closure type is named after the enclosing function,
// whose template arguments spell the whole expression, and g++ pays for that name per node.)

/// f'_J(a) dJ for an elementwise node: the J-th term of d f(a, b) = f'a da + f'b db.
template <std::size_t J, class N, class S, class V>
constexpr auto forward_term(const N& n, S s, V seed) {
    using A = std::remove_cvref_t<decltype(n.template arg<J>())>;
    if constexpr (!depends_on<A, S>) {
        return zero;
    } else {
        const auto partial = N::op::template partial<J>(n);
        // (1 * da is da: skipping the product saves an instantiation per node of a long sum)
        if constexpr (std::is_same_v<decltype(partial), const one_t>)
            return forward_derivative(n.template arg<J>(), s, seed);
        else return multiply(partial, forward_derivative(n.template arg<J>(), s, seed));
    }
}

template <class Op, class... Args, class S, class V, std::size_t... I>
constexpr auto forward_node(const node<Op, Args...>& n, S s, V seed, std::index_sequence<I...>) {
    if constexpr (Op::elementwise) {
        return (zero + ... + forward_term<I>(n, s, seed));
    } else {
        return Op::tangent(n, forward_derivative(n.template arg<I>(), s, seed)...);
    }
}

template <class E, class S, class V>
constexpr auto forward_derivative(const E& e, S s, V seed) {
    if constexpr (std::is_same_v<E, S>) {
        return seed;
    } else if constexpr (!depends_on<E, S>) {
        return zero;
    } else {
        return forward_node(e, s, seed, std::make_index_sequence<E::arity>{});
    }
}

}  // namespace symdiff::detail
