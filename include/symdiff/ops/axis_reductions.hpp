#pragma once
// Reductions along one axis, keeping it with extent 1 (NumPy's keepdims=True), so the result
// broadcasts against the operand:
//   sum(e, axis<A>)    reverse: e receives the adjoint, broadcast back along A
//                      forward: sum(de broadcast to e, axis<A>)
//   mean(e, axis<A>)   reverse: e receives adjoint / n (n = extent of A)
//   max(e, axis<A>)    reverse: the adjoint goes to the first maximum of each line (argmax_mask),
//                      the others receive 0 (ties: the first, as numpy.argmax)
//                      forward: sum(de * argmax_mask(e), axis<A>)
//   min(e, axis<A>)    the same with the first minimum (argmin_mask)
//   argmax_mask(e, axis<A>), argmin_mask(e, axis<A>)
//                      1 at the first maximum (minimum) of each line along A, 0 elsewhere;
//                      derivative 0
// A NaN in a line makes its maximum and minimum NaN, and the mask marks the first NaN (PyTorch).
// A negative axis counts from the end: axis<-1> is the last one.
#include <algorithm>
#include <cmath>
#include <concepts>
#include <limits>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/traits.hpp"
#include "../detail/values.hpp"
#include "axis.hpp"
#include "divide.hpp"
#include "multiply.hpp"

namespace symdiff {

enum class axis_reduction { sum, mean, max, min };

template <axis_reduction K, int A>
struct axis_reduce_op;

template <axis_reduction K, int A>
struct extremum_mask_op;
template <int A>
using argmax_mask_op = extremum_mask_op<axis_reduction::max, A>;
template <int A>
using argmin_mask_op = extremum_mask_op<axis_reduction::min, A>;

template <int A, Expression E>
constexpr auto sum(E e, axis_t<A>);
template <int A, Expression E>
constexpr auto mean(E e, axis_t<A>);
template <int A, Expression E>
constexpr auto max(E e, axis_t<A>);
template <int A, Expression E>
constexpr auto min(E e, axis_t<A>);
template <int A, Expression E>
constexpr auto argmax_mask(E e, axis_t<A>);
template <int A, Expression E>
constexpr auto argmin_mask(E e, axis_t<A>);

namespace detail {

/// Does `v` replace `best` as the extremum (max or min) seen so far? A NaN replaces a number.
template <axis_reduction K, class T>
constexpr bool beats(T v, T best) {
    const bool better = K == axis_reduction::max ? v > best : v < best;
    return better || (std::isnan(v) && !std::isnan(best));
}

/// Reduces `x` (shape dims) along axis `a` (keepdims) into `y`.
template <axis_reduction K, class T>
void reduce_along(const T* x, const std::size_t* dims, std::size_t rank, std::size_t a, T* y) {
    const axis_split sp = split_at(dims, rank, a);
    for (std::size_t o = 0; o < sp.outer; ++o) {
        T* yo = y + o * sp.inner;
        if constexpr (K == axis_reduction::max || K == axis_reduction::min) {
            if (sp.len == 0) {  // the identities: max of nothing is -inf, min of nothing +inf
                const T none =
                    K == axis_reduction::max ? -std::numeric_limits<T>::infinity() : std::numeric_limits<T>::infinity();
                for (std::size_t i = 0; i < sp.inner; ++i) yo[i] = none;
                continue;
            }
            for (std::size_t i = 0; i < sp.inner; ++i) yo[i] = x[sp.at(o, 0, i)];
            for (std::size_t j = 1; j < sp.len; ++j)
                for (std::size_t i = 0; i < sp.inner; ++i) {
                    const T v = x[sp.at(o, j, i)];
                    if (beats<K>(v, yo[i])) yo[i] = v;
                }
        } else {
            // (line o is a block of len rows of inner numbers: the sums of its columns)
            using A = accumulator_t<T>;
            const A inv = A(1) / A(sp.len);
            column_sums(x + sp.at(o, 0, 0), sp.len, sp.inner, [&](std::size_t i, A sum) {
                yo[i] = static_cast<T>(K == axis_reduction::mean ? sum * inv : sum);
            });
        }
    }
}

/// 1 at the first maximum (minimum) of each line along axis `a`, else 0.
template <axis_reduction K, class T>
void extremum_mask_along(const T* x, const std::size_t* dims, std::size_t rank, std::size_t a, T* y) {
    const axis_split sp = split_at(dims, rank, a);
    std::fill(y, y + sp.outer * sp.len * sp.inner, T(0));
    if (sp.len == 0) return;
    for (std::size_t o = 0; o < sp.outer; ++o)
        for (std::size_t i = 0; i < sp.inner; ++i) {
            std::size_t best = 0;
            for (std::size_t j = 1; j < sp.len; ++j)
                if (beats<K>(x[sp.at(o, j, i)], x[sp.at(o, best, i)])) best = j;
            y[sp.at(o, best, i)] = T(1);
        }
}

/// The operand's shape with axis A set to 1 (keepdims), or shape_error.
template <int A>
shape_type keep_axis(shape_type s) {
    require_array(s);
    s[normalize_axis(A, s.size())] = 1;
    return s;
}

}  // namespace detail

template <axis_reduction K, int A>
struct axis_reduce_op : structural_op {
    static constexpr std::string_view name = K == axis_reduction::sum    ? "sum"
                                             : K == axis_reduction::mean ? "mean"
                                             : K == axis_reduction::max  ? "max"
                                                                         : "min";
    static constexpr std::string_view latex = K == axis_reduction::sum    ? "\\operatorname{sum}"
                                              : K == axis_reduction::mean ? "\\operatorname{mean}"
                                              : K == axis_reduction::max  ? "\\max"
                                                                          : "\\min";
    static constexpr auto notation = style::function;
    static constexpr int along_axis = A;  // written as the last argument in messages
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;
    static constexpr bool number_result(bool) { return false; }
    // along axis 0 a sum adds up over blocks of rows; along any other axis, row by row
    static constexpr rows_behaviour rows(bool r) {
        if (r && A == 0 && K == axis_reduction::sum) return {rows_rule::reduce, 1u};
        return detail::along_axis_rows<A>(r);
    }
    template <class N>
    static bool rows_local(const N&, const shape_type& s) {
        return detail::along_axis_is_local<A>(s);
    }

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        shape_type r = detail::keep_axis<A>(s);
        if constexpr (K == axis_reduction::max || K == axis_reduction::min) {
            // (as NumPy: a line with no elements has no maximum; no line at all is an empty result)
            if (s[detail::normalize_axis(A, s.size())] == 0 && detail::count_of(r) > 0)
                throw shape_error("an array of shape " + shape_to_string(s) + " has no " +
                                  (K == axis_reduction::max ? "maximum" : "minimum") + " along axis " +
                                  std::to_string(A));
        }
        return r;
    }
    template <class N, class T>
    static void compute(const N&, array_ref<T> out, array_ref<const T> e) {
        detail::reduce_along<K>(e.data, e.dims, e.rank, detail::normalize_axis(A, e.rank), out.data);
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        const auto e = n.template arg<0>();
        if constexpr (K == axis_reduction::sum) return make_adjoint<reduction::sum>(g, e);
        else if constexpr (K == axis_reduction::mean)
            return make_adjoint<reduction::sum>(divide(g, axis_length<A>(e)), e);
        else return make_adjoint<reduction::exact>(multiply(g, make_node<extremum_mask_op<K, A>>(e)), e);
    }

    template <class N, class D>
    static constexpr auto tangent(const N& n, D d) {
        const auto e = n.template arg<0>();
        if constexpr (K == axis_reduction::sum) return sum(broadcast_to(d, e), axis<A>);
        else if constexpr (K == axis_reduction::mean) return mean(broadcast_to(d, e), axis<A>);
        else return sum(multiply(d, make_node<extremum_mask_op<K, A>>(e)), axis<A>);
    }

    // Printed with its axis: sum(e, 1).
    template <class N>
    static constexpr auto print_as(const N& n) {
        if constexpr (N::arity == 1) return make_node<axis_reduce_op>(n.template arg<0>(), detail::axis_label<A>());
        else return n;
    }
};

template <axis_reduction K, int A>
struct extremum_mask_op : constant_structural_op {
    static_assert(K == axis_reduction::max || K == axis_reduction::min);
    static constexpr std::string_view name = K == axis_reduction::max ? "argmax_mask" : "argmin_mask";
    static constexpr std::string_view latex =
        K == axis_reduction::max ? "\\operatorname{argmax\\_mask}" : "\\operatorname{argmin\\_mask}";
    static constexpr auto notation = style::function;
    static constexpr int along_axis = A;  // written as the last argument in messages
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;
    static constexpr bool number_result(bool) { return false; }
    static constexpr rows_behaviour rows(bool r) { return detail::along_axis_rows<A>(r); }
    template <class N>
    static bool rows_local(const N&, const shape_type& s) {
        return detail::along_axis_is_local<A>(s);
    }

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        (void)detail::keep_axis<A>(s);
        return s;
    }
    template <class N, class T>
    static void compute(const N&, array_ref<T> out, array_ref<const T> e) {
        detail::extremum_mask_along<K>(e.data, e.dims, e.rank, detail::normalize_axis(A, e.rank), out.data);
    }
    template <class N>
    static constexpr auto print_as(const N& n) {
        if constexpr (N::arity == 1) return make_node<extremum_mask_op>(n.template arg<0>(), detail::axis_label<A>());
        else return n;
    }
};

/// The sum along axis A, keeping that axis with extent 1: sum(X, axis<1>) of an n x k matrix is n x 1.
template <int A, Expression E>
constexpr auto sum(E e, axis_t<A>) {
    if constexpr (std::is_same_v<E, zero_t>) {
        return zero;
    } else {
        static_assert(!static_scalar<E>, "sum(e, axis<A>): e is a scalar, it has no axes");
        return make_node<axis_reduce_op<axis_reduction::sum, A>>(e);
    }
}

/// (an axis given as an integer: a compile error that says to write axis<1>)
template <Expression E, std::integral I>
constexpr auto sum(E e, I) {
    static_assert(detail::misuse<I>, "sum(e, 1): an axis is part of the expression's type: write sum(e, axis<1>)");
    return e;
}

/// The mean along axis A, keeping that axis with extent 1.
template <int A, Expression E>
constexpr auto mean(E e, axis_t<A>) {
    static_assert(!static_scalar<E>, "mean(e, axis<A>): e is a scalar, it has no axes");
    return make_node<axis_reduce_op<axis_reduction::mean, A>>(e);
}

template <Expression E, std::integral I>
constexpr auto mean(E e, I) {
    static_assert(detail::misuse<I>, "mean(e, 0): an axis is part of the expression's type: write mean(e, axis<0>)");
    return e;
}

/// The maximum along axis A, keeping that axis with extent 1.
template <int A, Expression E>
constexpr auto max(E e, axis_t<A>) {
    static_assert(!static_scalar<E>, "max(e, axis<A>): e is a scalar, it has no axes");
    return make_node<axis_reduce_op<axis_reduction::max, A>>(e);
}

/// The minimum along axis A, keeping that axis with extent 1 (k-means: the distance to the nearest
/// centre is min(d, axis<1>)).
template <int A, Expression E>
constexpr auto min(E e, axis_t<A>) {
    static_assert(!static_scalar<E>, "min(e, axis<A>): e is a scalar, it has no axes");
    return make_node<axis_reduce_op<axis_reduction::min, A>>(e);
}

/// 1 at the first maximum of each line along axis A, 0 elsewhere (piecewise constant: derivative 0).
template <int A, Expression E>
constexpr auto argmax_mask(E e, axis_t<A>) {
    return make_node<argmax_mask_op<A>>(e);
}

/// 1 at the first minimum of each line along axis A, 0 elsewhere.
template <int A, Expression E>
constexpr auto argmin_mask(E e, axis_t<A>) {
    return make_node<argmin_mask_op<A>>(e);
}

}  // namespace symdiff
