#pragma once
// derivative, gradient, hessian: the public differentiation API.
#include <type_traits>

#include <boost/hana/tuple.hpp>

#include "../core/symbol.hpp"
#include "../core/traits.hpp"
#include "../ops/axis.hpp"
#include "../ops/for_a_number.hpp"
#include "../ops/reductions.hpp"
#include "forward.hpp"
#include "pointwise.hpp"
#include "reverse.hpp"

namespace symdiff {

namespace detail {
/// An operation that sums all its operands' elements into a number (an einsum without output
/// subscripts declares `full_reduction`).
template <class Op>
constexpr bool is_full_reduction() {
    if constexpr (requires { Op::full_reduction; }) return Op::full_reduction;
    else return false;
}

/// A loss: a full `sum` or `mean` (or another full reduction) at the top level of `E`, i.e.
/// reached from the root through elementwise operations only (`mean(...) + 0.01 * square(b)`,
/// `lam * sum(...)`, `einsum<"i,i->">(r, r) / n`).
template <class E>
struct has_top_reduction : std::false_type {};
template <class A>
struct has_top_reduction<node<sum_op, A>> : std::true_type {};
template <class A>
struct has_top_reduction<node<mean_op, A>> : std::true_type {};
template <class Op, class... Args>
struct has_top_reduction<node<Op, Args...>>
    : std::bool_constant<(Op::elementwise && (has_top_reduction<Args>::value || ...)) || is_full_reduction<Op>()> {};

/// A loss: differentiated in reverse mode, its derivative is a gradient.
template <class E>
inline constexpr bool is_loss = static_scalar<E> || has_top_reduction<E>::value;
}  // namespace detail

/// The derivative of `e` with respect to the symbol `s`, an expression built and simplified at
/// compile time.
///  - If `e` is a loss — a `sum` or `mean` at its top level, such as `mean(square(w * x - y))` or
///    `mean(...) + lam * square(b)` — this is its gradient: an expression with the shape of the
///    value bound to `s` (reverse mode). `e` must evaluate to a scalar.
///  - Otherwise it is the elementwise derivative: d/dx square(x) = 2 * x (forward mode); for a
///    scalar `s` and an array-valued `e`, the derivative of every element. When the elements of
///    `e` depend on other elements of `s` (`log(dot(exp(a), u))`, `square(sum(a, axis<0>))`),
///    this derivative with `s` bound to an array would be a Jacobian: its evaluation then stops
///    with a shape_error naming `gradient_of`, `jacobian_at` and `jvp` (ops/for_a_number.hpp).
/// The derivative with respect to a symbol that `e` does not contain is the exact constant 0.
template <Expression E, class S>
constexpr auto derivative(const E& e, S s) {
    static_assert(Symbol<S>,
                  "derivative(e, s): s must be a symbol such as symdiff::symbol<\"x\">; "
                  "one cannot differentiate with respect to an expression or a number");
    if constexpr (!Symbol<S>) return zero;
    else if constexpr (detail::is_loss<E>) return detail::reverse_derivative(e, s);
    else if constexpr (detail::diagonal_in<E, S>::value) return detail::forward_derivative(e, s);
    else return for_a_number_op<1>::make(detail::forward_derivative(e, s), s);
}

/// (several symbols: a compile error that says what to write instead)
template <Expression E, class S1, class S2, class... S>
constexpr auto derivative(const E& e, S1, S2, S...) {
    static_assert(detail::misuse<S1, S2, S...>,
                  "derivative(f, w, b): derivative takes one symbol; gradient(f, w, b) gives the derivative with "
                  "respect to each (a tuple), derivative(derivative(f, w), b) the mixed second derivative");
    return e;
}

/// The gradient of the scalar `loss` with respect to `s`, always by reverse mode (what the
/// optimisation driver and the gradient check use).
template <Expression E, class S>
constexpr auto gradient_of(const E& loss, S s) {
    static_assert(Symbol<S>, "gradient_of(loss, s): s must be a symbol such as symdiff::symbol<\"x\">");
    return detail::reverse_derivative(loss, s);
}

/// The directional derivative of `f` with respect to `s` along `v` (JAX's jvp, the Jacobian of
/// f times v): d/dε f(s + ε v) at ε = 0, by forward mode. `v` is a symbol bound to the direction,
/// or any expression, of the shape of the value bound to `s`, or one that broadcasts to it (`1_c`:
/// every element moves together); else the evaluation throws shape_error. `f` may be
/// array-valued; the result has f's shape, zeros where f does not depend on s (f linear in s: a
/// Hessian-vector product of 0). Costs about one evaluation of f more.
template <Expression F, class S, Expression V>
constexpr auto jvp(const F& f, S s, V v) {
    static_assert(Symbol<S>, "jvp(f, s, v): s must be a symbol such as symdiff::symbol<\"x\">");
    using D = decltype(detail::forward_derivative(f, s, broadcast_to(v, s)));
    // (the exact 0 would evaluate to the number 0; f is read for its shape only)
    if constexpr (std::is_same_v<D, zero_t>) return make_node<broadcast_to_op>(zero, f);
    else return detail::forward_derivative(f, s, broadcast_to(v, s));
}

/// (a number as the direction: a compile error that says what to write instead)
template <Expression F, class S, class V>
requires std::is_arithmetic_v<V>
constexpr auto jvp(const F& f, S, V) {
    static_assert(detail::misuse<V>,
                  "jvp(f, s, 1.0): the direction is an expression: a symbol bound to the direction's values "
                  "(jvp(f, s, v), with v = V among the bindings), or an exact constant such as 1_c");
    return f;
}

/// The Hessian of the scalar `loss` with respect to `s` times `v`, without forming the Hessian:
/// forward mode over the reverse-mode gradient, jvp(gradient_of(loss, s), s, v). `v` has the
/// shape of `s`'s value (or broadcasts to it); so has the result. `loss` must evaluate to a
/// number (for an array, this is the Hessian of its sum). Costs a small multiple of one gradient.
template <Expression E, class S, Expression V>
constexpr auto hvp(const E& loss, S s, V v) {
    static_assert(Symbol<S>, "hvp(loss, s, v): s must be a symbol such as symdiff::symbol<\"x\">");
    return jvp(detail::reverse_derivative(loss, s), s, v);
}

/// (a number as the direction: a compile error that says what to write instead)
template <Expression E, class S, class V>
requires std::is_arithmetic_v<V>
constexpr auto hvp(const E& loss, S, V) {
    static_assert(detail::misuse<V>,
                  "hvp(loss, s, 1.0): the direction is an expression: a symbol bound to the direction's values "
                  "(hvp(loss, s, v), with v = V among the bindings), or an exact constant such as 1_c");
    return loss;
}

namespace detail {
/// The derivative of the gradient `g` with respect to `s` (forward mode: a second derivative of
/// the loss, or a mixed one). It is an expression of g's shape when each element of g moves with
/// its own element of s only (diff/pointwise.hpp), or when s is a number. Otherwise, with s bound
/// to an array it would be a block of the Hessian: the evaluation then stops before anything
/// else, saying so and naming hessian_at, hvp and hessian_diagonal_at (ops/for_a_number.hpp).
template <class G, class S>
constexpr auto derivative_of_gradient(const G& g, S s) {
    if constexpr (diagonal_in<G, S>::value) return derivative(g, s);
    else return for_a_number_op<2>::make(derivative(g, s), s);  // (even a constant: 0 along 1 is not 0)
}
}  // namespace detail

/// The `N`-th derivative: derivative(derivative(..., s), s). With respect to a symbol bound to
/// an array, a second derivative of a loss is an expression only when the Hessian is diagonal
/// by construction (then it is that diagonal); else `hessian_at`, `hvp` and `hessian_diagonal_at`
/// (eval/hessian.hpp) compute it, and the evaluation of this one says so.
template <int N, Expression E, class S>
constexpr auto derivative(const E& e, S s) {
    static_assert(N >= 0, "derivative<N>: N must not be negative");
    if constexpr (N <= 0) return e;  // (N < 0 has been reported above; stop the recursion)
    else if constexpr (N >= 2 && detail::is_loss<E>)
        return derivative<N - 2>(detail::derivative_of_gradient(derivative(e, s), s), s);
    else return derivative<N - 1>(derivative(e, s), s);
}

/// The derivatives with respect to each symbol, as a `hana::tuple` (evaluate it in one call:
/// shared subexpressions are computed once).
template <Expression E, class... S>
constexpr auto gradient(const E& e, S... s) {
    return boost::hana::make_tuple(derivative(e, s)...);
}

/// The matrix of second derivatives for scalar symbols, as a `hana::tuple` of rows.
namespace detail {
/// One row of the Hessian: d/ds (de/dsi) for each s.
template <Expression E, class Si, class... S>
constexpr auto hessian_row(const E& e, Si si, S... s) {
    const auto d = derivative(e, si);
    if constexpr (is_loss<E>) return boost::hana::make_tuple(derivative_of_gradient(d, s)...);
    else return boost::hana::make_tuple(derivative(d, s)...);
}
}  // namespace detail

template <Expression E, class... S>
constexpr auto hessian(const E& e, S... s) {
    return boost::hana::make_tuple(detail::hessian_row(e, s, s...)...);
}

}  // namespace symdiff
