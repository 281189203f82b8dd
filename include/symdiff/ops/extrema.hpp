#pragma once
// The largest and the smallest element of an array, as a number:
//   max(e), min(e)   reverse: the adjoint goes to the first maximum (minimum) of e in row-major
//                    order, argmax_mask(e); the other elements receive 0
//                    forward: sum(de * argmax_mask(e))
//   argmax_mask(e), argmin_mask(e)   1 at that element, 0 elsewhere; derivative 0
// A NaN makes the result NaN and the mask marks the first NaN (PyTorch). An empty array has no
// maximum: shape_error. Log-sum-exp from primitives: m + log(sum(exp(x - m))) with
// m = stop_gradient(max(x)).

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/shape.hpp"
#include "axis_reductions.hpp"
#include "multiply.hpp"
#include "reductions.hpp"

namespace symdiff {

/// 1 at the first maximum (minimum) of all elements, 0 elsewhere.
template <axis_reduction K>
struct first_extremum_mask_op : constant_structural_op {
    static_assert(K == axis_reduction::max || K == axis_reduction::min);
    static constexpr std::string_view name = K == axis_reduction::max ? "argmax_mask" : "argmin_mask";
    static constexpr std::string_view latex =
        K == axis_reduction::max ? "\\operatorname{argmax\\_mask}" : "\\operatorname{argmin\\_mask}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 1;
    static constexpr bool number_result(bool a) { return a; }

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        return s;
    }
    template <class N, class T>
    static constexpr void compute(const N&, T& out, T) {
        out = T(1);  // a number is its own maximum
    }
    template <class N, class T>
    static void compute(const N&, array_ref<T> out, array_ref<const T> e) {
        const std::size_t n = e.size();  // all elements as one line, in row-major order
        detail::extremum_mask_along<K>(e.data, &n, 1, 0, out.data);
    }
};

/// The maximum (minimum) of all elements, a number.
template <axis_reduction K>
struct extremum_op : structural_op {
    static_assert(K == axis_reduction::max || K == axis_reduction::min);
    static constexpr std::string_view name = K == axis_reduction::max ? "max" : "min";
    static constexpr std::string_view latex = K == axis_reduction::max ? "\\max" : "\\min";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 1;
    template <class E>
    static constexpr bool is_scalar = true;
    static constexpr bool number_result(bool) { return true; }

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        if (detail::count_of(s) == 0)
            throw shape_error(std::string("an array of shape ") + shape_to_string(s) + " has no " +
                              (K == axis_reduction::max ? "maximum" : "minimum"));
        return {};
    }
    template <class N, class T>
    static constexpr void compute(const N&, T& out, T e) {
        out = e;
    }
    template <class N, class T>
    static void compute(const N&, T& out, array_ref<const T> e) {
        const std::size_t n = e.size();  // all elements as one line (not empty: see shape)
        detail::reduce_along<K>(e.data, &n, 1, 0, &out);
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        const auto e = n.template arg<0>();
        return make_adjoint<reduction::exact>(multiply(g, make_node<first_extremum_mask_op<K>>(e)), e);
    }
    template <class N, class D>
    static constexpr auto tangent(const N& n, D d) {
        return sum(multiply(d, make_node<first_extremum_mask_op<K>>(n.template arg<0>())));
    }
};

/// The largest element of `e`, a number (a number is its own maximum).
template <Expression E>
constexpr auto max(E e) {
    if constexpr (static_scalar<E>) return e;
    else return make_node<extremum_op<axis_reduction::max>>(e);
}

/// The smallest element of `e`, a number.
template <Expression E>
constexpr auto min(E e) {
    if constexpr (static_scalar<E>) return e;
    else return make_node<extremum_op<axis_reduction::min>>(e);
}

/// 1 at the first largest element of `e` (row-major order), 0 elsewhere.
template <Expression E>
constexpr auto argmax_mask(E e) {
    return make_node<first_extremum_mask_op<axis_reduction::max>>(e);
}

/// 1 at the first smallest element of `e`, 0 elsewhere.
template <Expression E>
constexpr auto argmin_mask(E e) {
    return make_node<first_extremum_mask_op<axis_reduction::min>>(e);
}

}  // namespace symdiff
