#pragma once
// Axes for the operations that work along one axis (sum(e, axis<1>), log_softmax(e), ...), and
// the shape-only helpers their derivatives use:
//   axis<A>                 a compile-time axis; negative counts from the end (axis<-1> = last)
//   axis_length<A>(e)       the extent of e along axis A, as a scalar (printed as n)
//   element_count(e)        the number of elements of e, as a scalar (printed as n)
//   broadcast_to(h, like)   h broadcast (NumPy rules) to the shape of `like`
// The operand of axis_length / element_count and `like` are read only for their shape.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/broadcast.hpp"
#include "../core/notation.hpp"
#include "../core/operation.hpp"
#include "../core/shape.hpp"
#include "../core/symbol.hpp"
#include "../core/traits.hpp"
#include "../detail/values.hpp"

namespace symdiff {

/// A compile-time axis: `sum(e, axis<1>)`; negative values count from the end.
template <int A>
struct axis_t {
    static constexpr int value = A;
};
template <int A>
inline constexpr axis_t<A> axis{};

namespace detail {

/// The text "axis=A" (A in decimal, with its sign).
struct axis_text {
    char text[16]{};
    std::size_t size = 0;
};
constexpr axis_text axis_text_of(int a) {
    axis_text t;
    for (const char c : axis_label_prefix) t.text[t.size++] = c;
    if (a < 0) t.text[t.size++] = '-';
    auto u = static_cast<unsigned>(a < 0 ? -static_cast<long long>(a) : a);
    char reversed[12]{};
    std::size_t k = 0;
    do reversed[k++] = static_cast<char>('0' + u % 10);
    while ((u /= 10) != 0);
    while (k > 0) t.text[t.size++] = reversed[--k];
    return t;
}
template <int A>
inline constexpr axis_text axis_text_v = axis_text_of(A);

/// An operation's axis as printed (axis_label_prefix): a symbol named "axis=1", as the last operand
/// of the node that print_as writes in place of the operation's node, for printing only.
template <int A>
constexpr auto axis_label() {
    constexpr auto& t = axis_text_v<A>;
    return symbol<fixed_string<t.size + 1>(std::string_view(t.text, t.size))>;
}
/// An axis index in [0, rank), or shape_error.
inline std::size_t normalize_axis(int a, std::size_t rank) {
    const long r = static_cast<long>(rank);
    const long i = a < 0 ? r + a : a;
    if (i < 0 || i >= r)
        throw shape_error("axis " + std::to_string(a) + " is out of range for an operand of rank " +
                          std::to_string(rank));
    return static_cast<std::size_t>(i);
}

/// A row-major array viewed as (outer, len, inner) around one axis: element (o, j, i) is at
/// (o * len + j) * inner + i.
struct axis_split {
    std::size_t outer = 1, len = 1, inner = 1;
    std::size_t at(std::size_t o, std::size_t j, std::size_t i) const { return (o * len + j) * inner + i; }
};

/// The sums of the columns of a row-major block of `rows` x `width` numbers (x[r * width + j]),
/// each added row after row in accumulator_t<T>: double for float data, as every sum over data
/// (summed in float, a column of 10^6 floats near 100 has a mean only 1e-5 exact). A few columns
/// at a time, in an accumulator on the stack: nothing is allocated. `store(j, sum)` takes column
/// j's sum.
template <class T, class Store>
void column_sums(const T* x, std::size_t rows, std::size_t width, Store&& store) {
    using A = accumulator_t<T>;
    constexpr std::size_t C = 64;
    std::array<A, C> acc;
    for (std::size_t j0 = 0; j0 < width; j0 += C) {
        const std::size_t c = std::min(C, width - j0);
        std::fill_n(acc.begin(), c, A(0));
        for (std::size_t r = 0; r < rows; ++r)
            for (std::size_t j = 0; j < c; ++j) acc[j] += x[r * width + j0 + j];
        for (std::size_t j = 0; j < c; ++j) store(j0 + j, acc[j]);
    }
}

inline axis_split split_at(const std::size_t* dims, std::size_t rank, std::size_t a) {
    axis_split r;
    for (std::size_t k = 0; k < a; ++k) r.outer *= dims[k];
    r.len = dims[a];
    for (std::size_t k = a + 1; k < rank; ++k) r.inner *= dims[k];
    return r;
}

/// How an operation along axis A treats data whose axis 0 holds rows (the operand marked by
/// `rows`): along another axis, row r of the value depends on row r only (local); along the rows
/// themselves it needs every row (whole).
template <int A>
constexpr rows_behaviour along_axis_rows(bool rows) {
    if (!rows) return {rows_rule::none, 0u};
    return A == 0 ? rows_behaviour{} : rows_behaviour{rows_rule::local, 1u};
}
/// The run-time check of that: for an operand of shape s, axis A is not the rows axis (a vector
/// has only axis 0, so -1 is the rows axis there).
template <int A>
bool along_axis_is_local(const shape_type& s) {
    return s.size() > 1 && normalize_axis(A, s.size()) != 0;
}

/// The operand of an axis operation must be an array (a number has shape ()).
inline void require_array(const shape_type& s) {
    if (s.empty()) throw shape_error("the operand is a scalar; this operation needs an array");
}

}  // namespace detail

/// The extent along axis A of its operand (read for its shape only).
template <int A>
struct axis_length_op : constant_structural_op {
    static constexpr std::string_view name = "axis_length";
    static constexpr std::string_view latex = "\\operatorname{axis\\_length}";
    static constexpr auto notation = style::function;
    static constexpr int along_axis = A;  // written as the last argument in messages
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 1;
    template <class E>
    static constexpr bool is_scalar = true;
    static constexpr bool value_arg(std::size_t) { return false; }
    static constexpr bool number_result(bool) { return true; }
    static constexpr rows_behaviour rows(bool) { return {rows_rule::none, 0u}; }  // the shape is known before the rows

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        (void)detail::normalize_axis(A, s.size());
        return {};
    }
    template <class N, class T>
    static void compute(const N&, T& out, array_ref<const T> e) {
        out = static_cast<T>(e.dims[detail::normalize_axis(A, e.rank)]);
    }
    template <class N>
    static constexpr auto print_as(const N&) {
        return symbol<"n">;
    }
};

template <int A, Expression E>
constexpr auto axis_length(E e) {
    return make_node<axis_length_op<A>>(e);
}

/// The number of elements of its operand (read for its shape only).
struct element_count_op : constant_structural_op {
    static constexpr std::string_view name = "element_count";
    static constexpr std::string_view latex = "\\operatorname{count}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 1;
    template <class E>
    static constexpr bool is_scalar = true;
    static constexpr bool value_arg(std::size_t) { return false; }
    static constexpr bool number_result(bool) { return true; }
    static constexpr rows_behaviour rows(bool) { return {rows_rule::none, 0u}; }  // the shape is known before the rows

    template <class N>
    static shape_type shape(const N&, const shape_type&) {
        return {};
    }
    template <class N, class T, class E>
    static constexpr void compute(const N&, T& out, const E& e) {
        if constexpr (std::is_arithmetic_v<E>) out = T(1);
        else out = static_cast<T>(e.size());
    }
    template <class N>
    static constexpr auto print_as(const N&) {
        return symbol<"n">;
    }
};

template <Expression E>
constexpr auto element_count(E e) {
    return make_node<element_count_op>(e);
}

/// `h` broadcast to the shape of `like` (whose value is not read).
///   reverse: h receives the adjoint summed over the broadcast axes      forward: broadcast_to(dh, like)
struct broadcast_to_op : structural_op {
    static constexpr std::string_view name = "broadcast_to";
    static constexpr std::string_view latex = "\\operatorname{broadcast\\_to}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 2;
    static constexpr bool value_arg(std::size_t i) { return i == 0; }
    static constexpr bool number_result(bool h, bool like) { return h && like; }
    static constexpr rows_behaviour rows(bool h, bool like) {
        return {like ? rows_rule::local : rows_rule::none, h ? 1u : 0u};
    }

    template <class N>
    static shape_type shape(const N&, const shape_type& h, const shape_type& like) {
        detail::require_broadcastable_to(h, like, "broadcast_to");
        return like;
    }
    template <class N, class Out, class H, class L>
    static constexpr void compute(const N&, Out&& out, const H& h, const L&) {
        if constexpr (std::is_arithmetic_v<std::remove_cvref_t<Out>>) {
            out = h;
        } else if constexpr (std::is_arithmetic_v<H>) {
            std::fill(out.data, out.data + out.size(), h);
        } else {
            detail::expand(h.data, shape_type(h.dims, h.dims + h.rank), out.data,
                           shape_type(out.dims, out.dims + out.rank));
        }
    }
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 0) return make_adjoint<reduction::sum>(g, n.template arg<1>());
        else return no_adjoint{};
    }
    template <class N, class DH, class DL>
    static constexpr auto tangent(const N& n, DH dh, DL) {
        return make(dh, n.template arg<1>());
    }
    template <class N>
    static constexpr auto print_as(const N& n) {
        return n.template arg<0>();
    }
    template <class H, class L>
    static constexpr auto make(H h, L like) {
        if constexpr (std::is_same_v<H, L> || std::is_same_v<H, zero_t>) return h;
        else return make_node<broadcast_to_op>(h, like);
    }
};

template <Expression H, Expression L>
constexpr auto broadcast_to(H h, L like) {
    return broadcast_to_op::make(h, like);
}

namespace detail {
/// An exact number standing for an array of equal elements (a seed `one`, an adjoint) given the
/// shape of `like`, for operations that read their operand's shape (einsum, fill_triangular).
template <class V, class Like>
constexpr auto shaped_like(V v, Like like) {
    if constexpr (static_scalar<V> && !std::is_same_v<V, zero_t>) return broadcast_to(v, like);
    else return v;
}
}  // namespace detail

}  // namespace symdiff
