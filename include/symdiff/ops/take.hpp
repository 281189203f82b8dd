#pragma once
// Selecting entries by integer indices along an axis (numpy.take, torch.index_select), and its
// adjoint, adding values back at the indices (numpy.add.at, torch.index_add):
//   take(a, idx, axis<A>)               shape a[:A] + idx + a[A+1:]:
//                                       out[p, j, q] = a[p, idx[j], q]
//   scatter_add(h, idx, like, axis<A>)  shape of `like` (read for its shape only), zeros, then
//                                       out[p, idx[j], q] += h[p, j, q]   (repeated indices add up)
// Indices are data (an integer array bound like labels); a negative index counts from the end;
// one outside the axis or not an integer is a shape_error naming the entry. Nothing flows back
// into the indices.
//   take:         reverse: ā = scatter_add(g, idx, a, A)     forward: take(da, idx, A)
//   scatter_add:  reverse: h̄ = take(g, idx, A)              forward: scatter_add(dh, idx, like, A)
// Both are linear in their first operand and each is the other's adjoint.
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"
#include "axis.hpp"

namespace symdiff {

template <int A>
struct take_op;
template <int A>
struct scatter_add_op;

template <int A = 0, Expression E, Expression I>
constexpr auto take(E a, I idx, axis_t<A> = {});
template <int A = 0, Expression H, Expression I, Expression L>
constexpr auto scatter_add(H h, I idx, L like, axis_t<A> = {});

namespace detail {

/// Index `j` of `idx` as a position on axis `axis` (extent `len`) of the operand, or shape_error
/// (the engine puts the node's text in front: `take(a, i, 0): index 4 at entry 1 is outside ...`).
/// (Indices are never split into blocks of rows: take is local over rows only along the data's rows.)
template <class T>
std::size_t index_at(const T* idx, std::size_t j, std::size_t axis, std::size_t len) {
    const T v = idx[j];
    const auto entry = [&] {
        return "index " + number_to_string(static_cast<double>(v)) + " at entry " + std::to_string(j);
    };
    if (!(v == std::floor(v))) throw shape_error(entry() + " is not an integer");
    if (!(v >= -static_cast<T>(len) && v < static_cast<T>(len)))  // (before the cast: it needs a range)
        throw shape_error(entry() + " is outside axis " + std::to_string(axis) + " of extent " + std::to_string(len));
    require_exact_integer(v, entry);
    const long long i = static_cast<long long>(v), n = static_cast<long long>(len);
    return static_cast<std::size_t>(i < 0 ? i + n : i);
}

/// The shape of take: a[:A] + idx + a[A+1:].
inline shape_type taken_shape(const shape_type& a, const shape_type& idx, std::size_t axis) {
    shape_type r(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(axis));
    r.insert(r.end(), idx.begin(), idx.end());
    r.insert(r.end(), a.begin() + static_cast<std::ptrdiff_t>(axis) + 1, a.end());
    return r;
}

/// Both operations: with rows in the data operand (not the indices), along another axis than the
/// rows, each row of the result comes from that row (local).
template <int A>
struct indexed_base : structural_op {
    static constexpr int along_axis = A;  // written as the last argument in messages
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr bool number_result(auto...) { return false; }
    template <class... B>
    static constexpr rows_behaviour rows(bool data, bool idx, B... like) {
        if (idx || (like || ...)) return {};
        return along_axis_rows<A>(data);
    }
    template <class N, class... S>
    static bool rows_local(const N&, const shape_type& data, const S&...) {
        return along_axis_is_local<A>(data);
    }
};

}  // namespace detail

template <int A>
struct take_op : detail::indexed_base<A> {
    static constexpr std::string_view name = "take";
    static constexpr std::string_view latex = "\\operatorname{take}";
    static constexpr std::size_t arity = 2;

    template <class N>
    static shape_type shape(const N&, const shape_type& a, const shape_type& idx) {
        detail::require_array(a);
        return detail::taken_shape(a, idx, detail::normalize_axis(A, a.size()));
    }
    template <class N, class T, class I>
    static void compute(const N&, array_ref<T> out, array_ref<const T> a, const I& idx) {
        const std::size_t ax = detail::normalize_axis(A, a.rank);
        const detail::axis_split sp = detail::split_at(a.dims, a.rank, ax);
        const array_ref<const T> indices = as_array_ref<T>(idx);
        const T* ix = indices.data;
        const std::size_t J = indices.size();
        for (std::size_t j = 0; j < J; ++j) {
            const std::size_t src = detail::index_at(ix, j, ax, sp.len);
            for (std::size_t o = 0; o < sp.outer; ++o) {
                const T* from = a.data + sp.at(o, src, 0);
                T* to = out.data + (o * J + j) * sp.inner;
                for (std::size_t i = 0; i < sp.inner; ++i) to[i] = from[i];
            }
        }
    }
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 0)
            return make_adjoint<reduction::exact>(
                scatter_add(detail::shaped_like(g, n), n.template arg<1>(), n.template arg<0>(), axis<A>),
                n.template arg<0>());
        else return no_adjoint{};
    }
    template <class N, class D, class DI>
    static constexpr auto tangent(const N& n, D d, DI) {
        return take(detail::shaped_like(d, n.template arg<0>()), n.template arg<1>(), axis<A>);
    }
    template <class N>
    static constexpr auto print_as(const N& n) {  // take(a, idx, 1)
        if constexpr (N::arity == 2)
            return make_node<take_op>(n.template arg<0>(), n.template arg<1>(), detail::axis_label<A>());
        else return n;
    }
};

template <int A>
struct scatter_add_op : detail::indexed_base<A> {
    static constexpr std::string_view name = "scatter_add";
    static constexpr std::string_view latex = "\\operatorname{scatter\\_add}";
    static constexpr std::size_t arity = 3;
    static constexpr bool value_arg(std::size_t i) { return i < 2; }

    template <class N>
    static shape_type shape(const N&, const shape_type& h, const shape_type& idx, const shape_type& like) {
        detail::require_array(like);
        const shape_type expected = detail::taken_shape(like, idx, detail::normalize_axis(A, like.size()));
        if (h != expected)
            throw shape_error("the values have shape " + shape_to_string(h) + "; indices of shape " +
                              shape_to_string(idx) + " into " + shape_to_string(like) + " need " +
                              shape_to_string(expected));
        return like;
    }
    template <class N, class T, class H, class I, class L>
    static void compute(const N&, array_ref<T> out, const H& h, const I& idx, const L&) {
        const std::size_t ax = detail::normalize_axis(A, out.rank);
        const detail::axis_split sp = detail::split_at(out.dims, out.rank, ax);
        std::fill(out.data, out.data + out.size(), T(0));
        const array_ref<const T> indices = as_array_ref<T>(idx);
        const T* ix = indices.data;
        const std::size_t J = indices.size();
        const T* hv = as_array_ref<T>(h).data;
        for (std::size_t j = 0; j < J; ++j) {
            const std::size_t dst = detail::index_at(ix, j, ax, sp.len);
            for (std::size_t o = 0; o < sp.outer; ++o) {
                const T* from = hv + (o * J + j) * sp.inner;
                T* to = out.data + sp.at(o, dst, 0);
                for (std::size_t i = 0; i < sp.inner; ++i) to[i] += from[i];
            }
        }
    }
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 0)
            return make_adjoint<reduction::exact>(take(detail::shaped_like(g, n), n.template arg<1>(), axis<A>),
                                                  n.template arg<0>());
        else return no_adjoint{};
    }
    template <class N, class D, class DI, class DL>
    static constexpr auto tangent(const N& n, D d, DI, DL) {
        return scatter_add(detail::shaped_like(d, n.template arg<0>()), n.template arg<1>(), n.template arg<2>(),
                           axis<A>);
    }
    template <class N>
    static constexpr auto print_as(const N& n) {  // scatter_add(h, idx, like, 1)
        if constexpr (N::arity == 3)
            return make_node<scatter_add_op>(n.template arg<0>(), n.template arg<1>(), n.template arg<2>(),
                                             detail::axis_label<A>());
        else return n;
    }
};

/// The entries of `a` at the integer indices `idx` along axis A (numpy.take).
template <int A, Expression E, Expression I>
constexpr auto take(E a, I idx, axis_t<A>) {
    static_assert(!static_scalar<E> || std::is_same_v<E, zero_t>, "take(a, idx): a must be an array, not a number");
    if constexpr (std::is_same_v<E, zero_t>) return zero;
    else return make_node<take_op<A>>(a, idx);
}

/// Zeros of the shape of `like`, with `h` added at the indices `idx` along axis A (numpy.add.at).
template <int A, Expression H, Expression I, Expression L>
constexpr auto scatter_add(H h, I idx, L like, axis_t<A>) {
    if constexpr (std::is_same_v<H, zero_t>) return zero;
    else return make_node<scatter_add_op<A>>(h, idx, like);
}

}  // namespace symdiff
