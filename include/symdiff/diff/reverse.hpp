#pragma once
// Reverse mode (symbolic reverse accumulation): the gradient of a scalar expression with respect
// to a symbol of any shape, as an expression.
//
// The adjoint `g` flows from the root to the leaves. Through elementwise operations it is
// multiplied by the local partial derivative; its nominal shape stays that of the enclosing
// region's domain. Where it meets the symbol (or a structural node such as a matrix product), it
// is reduced onto that node's shape by `sum_to` / `mean_to`, then structural nodes hand their
// operands new adjoints (`pullback`). Contributions of several occurrences are added.
#include <utility>

#include "../core/adjoint.hpp"
#include "../core/traits.hpp"
#include "../ops/add.hpp"
#include "../ops/multiply.hpp"
#include "../ops/reduce_to.hpp"

namespace symdiff::detail {

/// The adjoint `g` of nominal shape `d`, reduced onto the shape of `target`.
template <reduction K, class G, class D, class Target>
constexpr auto reduce_adjoint(G g, D d, Target target) {
    if constexpr (K == reduction::exact && std::is_same_v<D, Target>) return g;
    else if constexpr (static_scalar<D>) return g;  // a scalar domain: everything in it is scalar
    else return reduce_to_op<K == reduction::mean>::make(g, d, target);
}

template <reduction K, class E, class S, class G, class D>
constexpr auto pull(const E& e, S s, G g, D d);

template <class E, class S, class G, class D, reduction K>
constexpr auto pull_spec(const E& e, S s, const adjoint<G, D, K>& spec);

// (Helper functions, not lambdas: a lambda's closure type is named after the enclosing function,
// whose template arguments spell the whole expression, and g++ pays for that name per node.)

/// Elementwise node: operand J receives g times the local partial derivative.
template <reduction K, std::size_t J, class N, class S, class G, class D>
constexpr auto pull_elementwise(const N& n, S s, G g, D d) {
    using A = std::remove_cvref_t<decltype(n.template arg<J>())>;
    if constexpr (!depends_on<A, S>) {
        return zero;
    } else if constexpr (partials_are_one<typename N::op>()) {
        return pull<K>(n.template arg<J>(), s, g, d);
    } else {
        const auto partial = N::op::template partial<J>(n);
        // (g * 1 is g: skipping the product saves an instantiation per node of a long sum)
        if constexpr (std::is_same_v<decltype(partial), const one_t>) return pull<K>(n.template arg<J>(), s, g, d);
        else return pull<K>(n.template arg<J>(), s, multiply(g, partial), d);
    }
}

/// Structural node: operand J receives what the operation's pullback hands it.
template <std::size_t J, class N, class S, class Own>
constexpr auto pull_structural(const N& n, S s, const Own& own) {
    using A = std::remove_cvref_t<decltype(n.template arg<J>())>;
    if constexpr (!depends_on<A, S>) {
        return zero;
    } else {
        const auto spec = N::op::template pullback<J>(n, own);
        if constexpr (std::is_same_v<decltype(spec), const no_adjoint>) return zero;
        else return pull_spec(n.template arg<J>(), s, spec);
    }
}

template <class Op, class... Args, class S, class Own, std::size_t... I>
constexpr auto pull_structural_node(const node<Op, Args...>& n, S s, const Own& own, std::index_sequence<I...>) {
    return (zero + ... + pull_structural<I>(n, s, own));
}

template <class E, class S, class G, class D, reduction K>
constexpr auto pull_spec(const E& e, S s, const adjoint<G, D, K>& spec) {
    return pull<K>(e, s, spec.g, spec.domain);
}

template <reduction K, class E, class S, class G, class D>
constexpr auto pull(const E& e, S s, G g, D d) {
    if constexpr (std::is_same_v<E, S>) {
        return reduce_adjoint<K>(g, d, e);
    } else if constexpr (!depends_on<E, S>) {
        return zero;
    } else if constexpr (!E::op::elementwise) {
        // this node's adjoint, of its exact shape, handed to its operands
        return pull_structural_node(e, s, reduce_adjoint<K>(g, d, e), std::make_index_sequence<E::arity>{});
    } else if constexpr (E::arity == 1) {  // (no fold over the operands: see forward_derivative)
        return pull_elementwise<K, 0>(e, s, g, d);
    } else if constexpr (E::arity == 2) {
        return add(pull_elementwise<K, 0>(e, s, g, d), pull_elementwise<K, 1>(e, s, g, d));
    } else if constexpr (E::arity == 3) {
        return add(add(pull_elementwise<K, 0>(e, s, g, d), pull_elementwise<K, 1>(e, s, g, d)),
                   pull_elementwise<K, 2>(e, s, g, d));
    } else {
        return add(add(add(pull_elementwise<K, 0>(e, s, g, d), pull_elementwise<K, 1>(e, s, g, d)),
                       pull_elementwise<K, 2>(e, s, g, d)),
                   pull_elementwise<K, 3>(e, s, g, d));
    }
}

/// The gradient of the scalar expression `e` with respect to `s`. The root's domain is a scalar
/// (the constant 0 stands for "shape ()"): a loss is a number.
template <class E, class S>
constexpr auto reverse_derivative(const E& e, S s) {
    return pull<reduction::exact>(e, s, one, zero);
}

}  // namespace symdiff::detail
