#pragma once
// The same elements in another shape (row-major order, as NumPy):
//   reshape<D...>(a)       shape (D...); one extent may be -1, inferred from the element count
//   reshape_as(h, like)    h in the shape of `like` (read for its shape only)
//   expand_dims(a, axis<A>)  a new axis of extent 1 at A (negative: counted from the end of the result)
// All three are linear and move no element: the adjoint takes the operand's shape back,
//   reverse: ā = reshape_as(g, a)          forward: the same operation of da.
// A count that does not match is a shape_error naming both shapes.
#include <algorithm>
#include <cstddef>
#include <string>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/constant.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"
#include "axis.hpp"

namespace symdiff {

template <long... D>
struct reshape_op;
struct reshape_as_op;
template <int A>
struct expand_dims_op;

template <long... D, Expression E>
constexpr auto reshape(E a);
template <Expression H, Expression L>
constexpr auto reshape_as(H h, L like);
template <int A, Expression E>
constexpr auto expand_dims(E a, axis_t<A>);

namespace detail {

/// The copy every reshape is: the operand's elements in order.
struct same_elements_op : structural_op {
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr bool number_result(auto...) { return false; }
    template <class N, class T, class A, class... L>
    static void compute(const N&, array_ref<T> out, const A& a, const L&...) {
        const array_ref<const T> v = as_array_ref<T>(a);
        std::copy(v.data, v.data + v.size(), out.data);
    }
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 0)
            return make_adjoint<reduction::exact>(reshape_as(shaped_like(g, n), n.template arg<0>()),
                                                  n.template arg<0>());
        else return no_adjoint{};
    }
};

}  // namespace detail

template <long... D>
struct reshape_op : detail::same_elements_op {
    static_assert(((D >= -1) && ...), "reshape<D...>: an extent is -1 (inferred) or at least 0");
    static_assert(((D == -1 ? 1 : 0) + ... + 0) <= 1, "reshape<D...>: at most one extent can be -1");
    static constexpr std::string_view name = "reshape";
    static constexpr std::string_view latex = "\\operatorname{reshape}";
    static constexpr std::size_t arity = 1;

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        const std::size_t count = detail::count_of(s);
        std::size_t known = 1;
        for (const long d : {D...})
            if (d != -1) known *= static_cast<std::size_t>(d);
        shape_type r;
        for (const long d : {D...})
            r.push_back(d == -1 ? (known == 0 ? 0 : count / known) : static_cast<std::size_t>(d));
        constexpr bool infer = ((D == -1) || ...);
        if (detail::count_of(r) != count || (infer && known == 0)) {  // (-1 beside a 0: any extent fits)
            std::string target;
            for (const long d : {D...}) target += (target.empty() ? "(" : ", ") + std::to_string(d);
            throw shape_error("cannot reshape " + shape_to_string(s) + " (" + std::to_string(count) +
                              " elements) into " + target + ")");
        }
        return r;
    }
    template <class N, class Dd>
    static constexpr auto tangent(const N& n, Dd d) {
        return reshape<D...>(detail::shaped_like(d, n.template arg<0>()));
    }
    template <class N>
    static constexpr auto print_as(const N& n) {  // reshape(a, 3, -1)
        if constexpr (N::arity == 1 && sizeof...(D) <= 3)
            return make_node<reshape_op>(n.template arg<0>(), constant<D>{}...);
        else return n;
    }
};

struct reshape_as_op : detail::same_elements_op {
    static constexpr std::string_view name = "reshape_as";
    static constexpr std::string_view latex = "\\operatorname{reshape\\_as}";
    static constexpr std::size_t arity = 2;
    static constexpr bool value_arg(std::size_t i) { return i == 0; }

    template <class N>
    static shape_type shape(const N&, const shape_type& h, const shape_type& like) {
        if (detail::count_of(h) != detail::count_of(like))
            throw shape_error("cannot reshape " + shape_to_string(h) + " into " + shape_to_string(like) +
                              ": the element counts differ");
        return like;
    }
    template <class N, class Dd, class DL>
    static constexpr auto tangent(const N& n, Dd d, DL) {
        return reshape_as(detail::shaped_like(d, n.template arg<0>()), n.template arg<1>());
    }
};

template <int A>
struct expand_dims_op : detail::same_elements_op {
    static constexpr std::string_view name = "expand_dims";
    static constexpr std::string_view latex = "\\operatorname{expand\\_dims}";
    static constexpr std::size_t arity = 1;
    static constexpr int along_axis = A;  // written as the last argument in messages

    template <class N>
    static shape_type shape(const N&, shape_type s) {
        const std::size_t at = detail::normalize_axis(A, s.size() + 1);
        s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), 1);
        return s;
    }
    template <class N, class Dd>
    static constexpr auto tangent(const N& n, Dd d) {
        return expand_dims(detail::shaped_like(d, n.template arg<0>()), axis<A>);
    }
    template <class N>
    static constexpr auto print_as(const N& n) {  // expand_dims(a, 1)
        if constexpr (N::arity == 1) return make_node<expand_dims_op>(n.template arg<0>(), detail::axis_label<A>());
        else return n;
    }
};

/// The elements of `a` in the shape (D...), row-major; one extent may be -1 (inferred).
template <long... D, Expression E>
constexpr auto reshape(E a) {
    static_assert(sizeof...(D) >= 1, "reshape<D...>(a): give the new shape, e.g. reshape<3, -1>(a)");
    if constexpr (std::is_same_v<E, zero_t>) return zero;
    else return make_node<reshape_op<D...>>(a);
}

/// The elements of `h` in the shape of `like` (whose value is not read).
template <Expression H, Expression L>
constexpr auto reshape_as(H h, L like) {
    if constexpr (std::is_same_v<H, zero_t> || std::is_same_v<H, L>) return h;
    else if constexpr (is_op<H, reshape_as_op>) return reshape_as(h.template arg<0>(), like);
    else return make_node<reshape_as_op>(h, like);
}

/// `a` with a new axis of extent 1 at A.
template <int A, Expression E>
constexpr auto expand_dims(E a, axis_t<A>) {
    if constexpr (std::is_same_v<E, zero_t>) return zero;
    else return make_node<expand_dims_op<A>>(a);
}

}  // namespace symdiff
