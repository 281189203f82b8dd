#pragma once
// The Operation concept: what an operation tag must provide so that the differentiators, the
// printers and the evaluation engine can use it without knowing which operation it is.
//
// An operation is an empty struct (`struct exp_op : elementwise_op { ... }`) used as the `Op` of
// `node<Op, Args...>`. It derives from `elementwise_op` or `structural_op`, which says what kind
// it is (`constant_structural_op`: a structural one whose derivative is 0, with pullback and
// tangent given), and declares the members below. Adding an operation is one header under ops/.
//
// Every operation (minimal complete definition):
//   arity                      number of operands (1 to 4)
//   name                       its spelling in to_string and in messages ("exp", " + ")
//   notation, precedence       how it is written (core/notation.hpp)
//   latex                      its spelling in to_latex, when the LaTeX notation writes one
//                              (`writes_spelling`: not for powers, fractions, roots, bars)
//   optional: latex_notation, exponent, print_as(node) -> expression shown instead,
//             along_axis (int): the axis it works along, written as a last argument in messages,
//             subscripts (string_view): written as a first argument in text, `einsum("ij->j", a)`,
//             and as a subscript of the name in LaTeX,
//             full_reduction (bool): the value sums every element into a number (a loss for
//             `derivative`, as sum and mean are),
//             gathers_onto (size_t i > 0): the value has the shape of operand i, and its element j
//             sums operand 0 over the elements that broadcast onto j (gradient reductions; what
//             proves a Hessian diagonal, diff/diagonal.hpp)
//
// Elementwise operations (`elementwise_op`): the value at each element depends only on the
// operands' values at that element, with NumPy broadcasting.
//   apply(v...)                the value, for numbers and for SIMD batches of numbers alike
//                              (`a + b`, `math::exp(a)`); constexpr for numbers
//   partial<I>(node)           d node / d operand I, as an expression   (forward and reverse mode)
//   optional: keeps_exact(i)   operand i is passed to apply as its exact type `constant<N, D>`
//                              when it is one (pow turns an integer exponent into products)
//   optional: partials_are_one (bool)  every partial<I> is the exact 1 (a sum): the
//                              differentiators pass derivatives through without asking, which
//                              saves an instantiation per node of a long sum
//   optional: is_product (bool)  apply(a, b) is a times b: the engine sums c * v, with c a
//                              number, as c times the sum of v (one multiplication per sum,
//                              not one per element)
//
// Structural operations (`structural_op`): everything else (reductions, products, shapes).
//   pullback<I>(node, g)       reverse mode: the adjoint handed to operand I, an `adjoint<...>`
//                              (core/adjoint.hpp), or `no_adjoint{}` for shape-only operands
//   tangent(node, d...)        forward mode: d node from the operands' derivatives d...
//   shape(node, s...)          the result's shape from the operands' shapes (a number has shape
//                              `()`); throws shape_error saying what is wrong (the engine puts the
//                              node's text in front)
//   number_result(bool...)     is the value a number, given which operands are numbers?
//   The `node` that shape, sink_scale, compute and rows_local receive holds the node's leaves
//   (literals, exact constants, symbols); an operand that is itself a node may be an empty
//   placeholder there: read operands through the shapes and values handed to the hook.
//   and one way to compute the value:
//     sink_scale(node, s...)   the value is sink_scale * (sum of operand 0's elements), a number:
//                              the engine fuses the sum into the loop that computes operand 0
//     compute(node, out, in...)  writes the value: `out` is `T&` for a number result, else an
//                              `array_ref<T>` already shaped; each `in` is a `T` (number) or an
//                              `array_ref<const T>`; operands that are not value_arg come with
//                              their shape only (data == nullptr). constexpr when all are numbers.
//   optional: value_arg(i)     false: operand i is read for its shape only (default: true)
//   optional: is_scalar<A...>  the value is a number whatever the bindings (default: false)
//   optional: rows(bool...)    how the operation treats data whose leading axis holds one row per
//                              example, when the operands marked true hold such rows (the engine
//                              then runs it block of rows by block of rows): a rows_behaviour,
//                              default whole (it needs all the rows at once)
//   optional: rows_local(node, s...)  run-time check that a `local` behaviour holds for these
//                              shapes (softmax along axis -1 of a vector runs along the rows)
//   optional: precondition     true: `shape` checks what is bound to its symbol operands and runs
//                              before every other node's (its other operands' shapes may be stale
//                              then), so that a misuse is reported in words first
//
// tests/static/test_operations.cpp checks every operation against this concept.
#include <concepts>
#include <cstddef>
#include <string_view>
#include <type_traits>
#include <vector>

#include "adjoint.hpp"
#include "array_ref.hpp"
#include "constant.hpp"
#include "expression.hpp"
#include "notation.hpp"
#include "symbol.hpp"

namespace symdiff {

template <class E>
struct is_static_scalar;

/// What a structural operation does with operands that hold rows of data (see `rows` above).
enum class rows_rule : unsigned char {
    none,    ///< the value does not depend on the rows (they are read for their shape only)
    local,   ///< row r of the value depends on row r of the sliced operands only
    reduce,  ///< the value sums over the rows: per-block values add up (the sliced operands)
    whole,   ///< needs every row at once
};
struct rows_behaviour {
    rows_rule rule = rows_rule::whole;
    unsigned sliced = 0;  ///< bit i: operand i is read one block of rows at a time
};

/// Base of elementwise operations: scalar when all operands are.
struct elementwise_op {
    static constexpr bool elementwise = true;
    template <class... Args>
    static constexpr bool is_scalar = (is_static_scalar<Args>::value && ...);
};

/// Base of structural operations (reductions, products, shape changes).
struct structural_op {
    static constexpr bool elementwise = false;
    template <class... Args>
    static constexpr bool is_scalar = false;
    static constexpr bool value_arg(std::size_t) { return true; }
};

/// Base of structural operations whose value is piecewise constant or read from shapes only
/// (masks, counts, one-hot rows): derivative 0, in reverse mode and in forward mode.
struct constant_structural_op : structural_op {
    template <std::size_t I, class N, class G>
    static constexpr no_adjoint pullback(const N&, G) {
        return {};
    }
    template <class N, class... D>
    static constexpr zero_t tangent(const N&, D...) {
        return {};
    }
};

namespace detail {

/// Is partial<J> of the elementwise operation Op the exact 1 by declaration?
template <class Op>
constexpr bool partials_are_one() {
    if constexpr (requires { Op::partials_are_one; }) return Op::partials_are_one;
    else return false;
}

/// A node of `Op` over the symbols `_0`, `_1`, ...: what the concept checks the hooks against.
template <class Op, class Seq = std::make_index_sequence<Op::arity>>
struct probe_node;
template <class Op, std::size_t... I>
struct probe_node<Op, std::index_sequence<I...>> {
    template <std::size_t J>
    using sym = symbol_t<fixed_string<3>({'_', char('0' + J), '\0'})>;
    using type = node<Op, sym<I>...>;
};

template <class Op, std::size_t... I>
constexpr bool has_partials(std::index_sequence<I...>) {
    using N = typename probe_node<Op>::type;
    return (requires(const N& n) {
        { Op::template partial<I>(n) } -> Expression;
    } && ...);
}

}  // namespace detail

/// Printing: every operation says how it is written.
template <class Op>
concept Notated = requires {
    { Op::name } -> std::convertible_to<std::string_view>;
    { Op::notation } -> std::convertible_to<style>;
    { Op::precedence } -> std::convertible_to<int>;
}
&&(!writes_spelling(latex_notation_of<Op>()) || requires {
    { Op::latex } -> std::convertible_to<std::string_view>;
});

/// An elementwise operation: value by `apply` on numbers, derivative by `partial<I>`.
template <class Op>
concept ElementwiseOperation =
    Notated<Op> && std::derived_from<Op, elementwise_op> &&(Op::arity >= 1 && Op::arity <= 4) &&
    detail::has_partials<Op>(std::make_index_sequence<Op::arity>{}) &&[]<std::size_t... I>(std::index_sequence<I...>) {
    return requires {
        { Op::apply((void(I), 1.0)...) } -> std::convertible_to<double>;
    };
}
(std::make_index_sequence<Op::arity>{});

/// A structural operation: shape, number-ness, a way to compute, pullback and tangent.
template <class Op>
concept StructuralOperation = Notated<Op> && std::derived_from<Op, structural_op> &&
    (Op::arity >= 1 && Op::arity <= 4) &&[]<std::size_t... I>(std::index_sequence<I...>) {
    using N = typename detail::probe_node<Op>::type;
    using X = symbol_t<"x">;
    return requires(const N& n, const std::vector<std::size_t>& s) {
        Op::template pullback<0>(n, X{});
        { Op::tangent(n, ((void)I, X{})...) } -> Expression;
        { Op::shape(n, ((void)I, s)...) } -> std::convertible_to<std::vector<std::size_t>>;
        { Op::number_result(((void)I, true)...) } -> std::convertible_to<bool>;
    }
    &&(
        requires(const N& n, const std::vector<std::size_t>& s) { Op::sink_scale(n, ((void)I, s)...); } ||
        requires(const N& n, array_ref<double> out, double& number) {
            Op::compute(n, out, ((void)I, array_ref<const double>{})...);
        } ||
        requires(const N& n, double& number) { Op::compute(n, number, ((void)I, array_ref<const double>{})...); });
}
(std::make_index_sequence<Op::arity>{});

/// Anything that can be the `Op` of a node.
template <class Op>
concept Operation = ElementwiseOperation<Op> || StructuralOperation<Op>;

}  // namespace symdiff
