#pragma once
// Which elements of a symbol an expression's elements move with, read from the expression's type
// and what its operations declare (core/operation.hpp), never from values:
// `diagonal_in<E, S>` holds when element p of E depends, to first order, on element pi(p) of S
// only, pi being how NumPy broadcasting lines S up with E.
//   E does not depend on s, or its derivative is 0 in every direction (masks, stop_gradient)  yes
//   E is s                                                                    yes
//   elementwise f(a, b, ...): dE = f'a da + f'b db + ...   yes if every operand whose partial is
//                             not 0 is (the partials' values may depend on s in any way)
//   a gradient reduction onto s (`gathers_onto`): g_j = sum of h_p over the p that broadcast
//                             onto j; dg_j/ds_q = sum of dh_p/ds_q, 0 unless q = pi(p) = j   yes if h is
//   anything else that depends on s (products, reductions, reshapes)          no
// Then the elementwise derivative (forward mode with every element of s moving together) is
// meaningful whatever the shape of s: it is the diagonal of the Jacobian.
#include <type_traits>
#include <utility>

#include "../core/symbol.hpp"
#include "../core/traits.hpp"
#include "../ops/axis.hpp"
#include "forward.hpp"

namespace symdiff {

namespace detail {

template <class E, class S>
struct diagonal_in;

/// Operand J of the elementwise node N moves with s only at its own elements (or not at all).
template <class N, class S, std::size_t J>
constexpr bool elementwise_operand_diagonal() {
    using A = std::remove_cvref_t<decltype(std::declval<const N&>().template arg<J>())>;
    using P = std::remove_cvref_t<decltype(N::op::template partial<J>(std::declval<const N&>()))>;
    return std::is_same_v<P, zero_t> || diagonal_in<A, S>::value;
}

/// The operand that a gradient reduction sums onto, when the operation declares one.
template <class Op>
constexpr std::size_t gathers_onto() {
    if constexpr (requires { Op::gathers_onto; }) return Op::gathers_onto;
    else return 0;  // operand 0 is what is summed: never the target
}

/// A direction of s that no simplification sees through (the seed 1 would let s - transpose(s)
/// cancel: its derivative along 1 is 0, not in other directions).
inline constexpr auto any_direction = symbol<"pointwise:direction">;

/// E's derivative with respect to S is 0 in every direction.
template <class E, class S>
inline constexpr bool moves_with_nothing =
    std::is_same_v<decltype(forward_derivative(std::declval<const E&>(), S{}, broadcast_to(any_direction, S{}))),
                   zero_t>;

template <class N, class S, std::size_t... J>
constexpr bool node_diagonal_in(std::index_sequence<J...>) {
    using Op = typename N::op;
    if constexpr (Op::elementwise) {
        return (elementwise_operand_diagonal<N, S, J>() && ...);
    } else if constexpr (moves_with_nothing<N, S>) {
        return true;  // a structural node whose derivative vanishes (a mask, a count)
    } else if constexpr (constexpr std::size_t t = gathers_onto<Op>(); t != 0) {
        using Target = std::remove_cvref_t<decltype(std::declval<const N&>().template arg<t>())>;
        using H = std::remove_cvref_t<decltype(std::declval<const N&>().template arg<0>())>;
        if constexpr (std::is_same_v<Target, S>) return diagonal_in<H, S>::value;
        else return false;
    } else {
        return false;
    }
}

/// Does element p of E depend, to first order, on element pi(p) of S only? (see above)
template <class E, class S>
struct diagonal_in : std::bool_constant<std::is_same_v<E, S> || !depends_on<E, S>> {};
template <class Op, class... A, class S>
requires(depends_on<node<Op, A...>, S>) struct diagonal_in<node<Op, A...>, S>
    : std::bool_constant<node_diagonal_in<node<Op, A...>, S>(std::index_sequence_for<A...>{})> {
};

}  // namespace detail

}  // namespace symdiff
