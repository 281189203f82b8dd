#pragma once
// for_a_number<Order>(d, s): the value of d, a derivative with respect to the symbol s that is an
// expression of its shape only when s is bound to a number. When the elements of what is
// differentiated depend on other elements of s (through a product, a reduction, a reshape:
// diff/pointwise.hpp), forward mode with s bound to an array differentiates along the direction
// of all ones: a sum over a row of the Jacobian (Order 1: `derivative(f, a)` of an `f` that is
// not a loss) or of the Hessian (Order 2: `derivative<2>(loss, a)`, `hessian(loss, a, b)`), not
// what was asked for. This node says so, in words, before any other shape is computed
// (`precondition`), and names what computes it. Printed as d.
//   reverse: d's adjoint is g's                     forward: for_a_number<Order>(dd, s)
#include <algorithm>
#include <string>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"

namespace symdiff {

/// Order 1 guards a first derivative, 2 a derivative of a gradient.
template <int Order>
struct for_a_number_op : structural_op {
    static_assert(Order == 1 || Order == 2);
    static constexpr std::string_view name = "for_a_number";
    static constexpr std::string_view latex = "\\operatorname{for\\_a\\_number}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 2;
    static constexpr bool precondition = true;  // checked before the other nodes' shapes

    template <class D, class S>
    static constexpr bool is_scalar = static_scalar<D>;
    static constexpr bool number_result(bool d, bool) { return d; }
    static constexpr bool value_arg(std::size_t i) { return i == 0; }

    template <class N>
    static shape_type shape(const N& n, const shape_type& d, const shape_type& s) {
        if (detail::count_of(s) != 1) {
            const std::string name(std::remove_cvref_t<decltype(n.template arg<1>())>::name.view());
            if constexpr (Order == 1)
                throw shape_error("the derivative with respect to " + name + ", bound to an array of shape " +
                                  shape_to_string(s) + ", is a Jacobian, not an expression of the shape of " + name +
                                  ": the elements of what is differentiated depend on other elements of " + name +
                                  " (through a product, a reduction or a reshape), and it is not a loss (a sum or "
                                  "mean at its top, differentiated in reverse mode). Use gradient_of(f, " +
                                  name + ") for the gradient of a number-valued f, jacobian_at(f, " + name +
                                  ", ...) for the Jacobian, or jvp(f, " + name +
                                  ", v) for its product with a direction");
            else
                throw shape_error("a second derivative with respect to " + name + ", bound to an array of shape " +
                                  shape_to_string(s) +
                                  ", is a block of the Hessian, not an expression of the gradient's "
                                  "shape: the gradient's elements depend on other elements of " +
                                  name + " (through a product, a reduction or a reshape). Use hessian_at(loss, " +
                                  name + ", ...) for the Hessian, hvp(loss, " + name +
                                  ", v) for its products with a vector, "
                                  "or hessian_diagonal_at(loss, " +
                                  name + ", ...) for its diagonal");
        }
        return d;
    }
    template <class N, class Out, class D, class S>
    static constexpr void compute(const N&, Out&& out, const D& d, const S&) {
        if constexpr (std::is_arithmetic_v<D>) out = d;
        else std::copy(d.data, d.data + d.size(), out.data);
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 0) return make_adjoint<reduction::exact>(g, n.template arg<0>());
        else return no_adjoint{};
    }
    template <class N, class DD, class DS>
    static constexpr auto tangent(const N& n, DD dd, DS) {
        return make(dd, n.template arg<1>());
    }

    // (a constant d is wrapped too: it is the derivative along 1, which may vanish where other
    // directions do not, as for s - transpose(s))
    // (a derivative already guarded keeps the guard of the higher order: the second derivative of
    // a gradient's guarded derivative is a Hessian block)
    template <class D, class S>
    static constexpr auto make(D d, S s) {
        if constexpr (is_op<D, for_a_number_op<2>> || (Order == 1 && is_op<D, for_a_number_op<1>>)) return d;
        else if constexpr (is_op<D, for_a_number_op<1>>) return make_node<for_a_number_op>(d.template arg<0>(), s);
        else return make_node<for_a_number_op>(d, s);
    }

    template <class N>
    static constexpr auto print_as(const N& n) {
        return n.template arg<0>();
    }
};

}  // namespace symdiff
