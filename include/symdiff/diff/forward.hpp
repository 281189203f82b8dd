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
    } else if constexpr (partials_are_one<typename N::op>()) {
        return forward_derivative(n.template arg<J>(), s, seed);
    } else {
        const auto partial = N::op::template partial<J>(n);
        // (1 * da is da: skipping the product saves an instantiation per node of a long sum)
        if constexpr (std::is_same_v<decltype(partial), const one_t>)
            return forward_derivative(n.template arg<J>(), s, seed);
        else return multiply(partial, forward_derivative(n.template arg<J>(), s, seed));
    }
}

template <class Op, class... Args, class S, class V, std::size_t... I>
constexpr auto forward_structural(const node<Op, Args...>& n, S s, V seed, std::index_sequence<I...>) {
    return Op::tangent(n, forward_derivative(n.template arg<I>(), s, seed)...);
}

// The terms of an elementwise node are added without a fold: `(zero + ... + t)` would
// instantiate add(0, t0) per node, another function named after the whole subtree.
template <class E, class S, class V>
constexpr auto forward_derivative(const E& e, S s, V seed) {
    if constexpr (std::is_same_v<E, S>) {
        return seed;
    } else if constexpr (!depends_on<E, S>) {
        return zero;
    } else if constexpr (!E::op::elementwise) {
        return forward_structural(e, s, seed, std::make_index_sequence<E::arity>{});
    } else if constexpr (E::arity == 1) {
        return forward_term<0>(e, s, seed);
    } else if constexpr (E::arity == 2) {
        return add(forward_term<0>(e, s, seed), forward_term<1>(e, s, seed));
    } else if constexpr (E::arity == 3) {
        return add(add(forward_term<0>(e, s, seed), forward_term<1>(e, s, seed)), forward_term<2>(e, s, seed));
    } else {
        return add(add(add(forward_term<0>(e, s, seed), forward_term<1>(e, s, seed)), forward_term<2>(e, s, seed)),
                   forward_term<3>(e, s, seed));
    }
}

}  // namespace symdiff::detail
