#pragma once
// for_a_number(d, s): the value of d, a derivative with respect to the symbol s that is an
// expression of its shape only when s is bound to a number. A second derivative of a loss,
// `derivative<2>(loss, a)` or `hessian(loss, a, b)`, differentiates the gradient in forward mode;
// when the gradient's elements depend on other elements of a (through a product, a reduction, a
// reshape: diff/pointwise.hpp), then with a bound to an array the second derivative is a block of
// the Hessian, and the forward-mode formula would fail on a shape deep inside, or compute
// something else. This node says so, in words, before any other shape is computed
// (`precondition`). Printed as d.
//   reverse: d's adjoint is g's                     forward: for_a_number(dd, s)
#include <algorithm>
#include <string>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"

namespace symdiff {

struct for_a_number_op : structural_op {
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
            throw shape_error("a second derivative with respect to " + name + ", bound to an array of shape " +
                              shape_to_string(s) +
                              ", is a block of the Hessian, not an expression of the gradient's "
                              "shape: the gradient's elements depend on other elements of " +
                              name + " (through a product, a reduction or a reshape). Use hessian_at(loss, " + name +
                              ", ...) for the Hessian, hvp(loss, " + name +
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
    template <class D, class S>
    static constexpr auto make(D d, S s) {
        if constexpr (is_op<D, for_a_number_op>) return d;
        else return make_node<for_a_number_op>(d, s);
    }

    template <class N>
    static constexpr auto print_as(const N& n) {
        return n.template arg<0>();
    }
};

}  // namespace symdiff
