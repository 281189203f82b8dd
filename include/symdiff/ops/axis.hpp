#pragma once
// Axes for the operations that work along one axis (sum(e, axis<1>), log_softmax(e), ...), and
// the shape-only helpers their derivatives use:
//   axis<A>                 a compile-time axis; negative counts from the end (axis<-1> = last)
//   axis_length<A>(e)       the extent of e along axis A, as a scalar (printed as n)
//   element_count(e)        the number of elements of e, as a scalar (printed as n)
//   broadcast_to(h, like)   h broadcast (NumPy rules) to the shape of `like`
// The operand of axis_length / element_count and `like` are read only for their shape.
#include <cstddef>
#include <string>
#include <type_traits>

#include <xtensor/xarray.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xtensor.hpp>

#include "../core/symbol.hpp"
#include "../diff/adjoint.hpp"
#include "../eval/eval.hpp"
#include "../print/notation.hpp"

namespace symdiff {

/// A compile-time axis: `sum(e, axis<1>)`; negative values count from the end.
template <int A>
struct axis_t {
    static constexpr int value = A;
};
template <int A>
inline constexpr axis_t<A> axis{};

namespace detail {

/// An axis index in [0, rank), or shape_error.
inline std::size_t normalize_axis(int a, std::size_t rank, const std::string& what) {
    const long r = static_cast<long>(rank);
    const long i = a < 0 ? r + a : a;
    if (i < 0 || i >= r)
        throw shape_error(what + ": axis " + std::to_string(a) + " is out of range for an operand of rank " +
                          std::to_string(rank));
    return static_cast<std::size_t>(i);
}

/// A row-major array viewed as (outer, len, inner) around one axis: element (o, j, i) is at
/// (o * len + j) * inner + i.
struct axis_split {
    std::size_t outer = 1, len = 1, inner = 1;
    std::size_t at(std::size_t o, std::size_t j, std::size_t i) const { return (o * len + j) * inner + i; }
};

inline axis_split split_at(const shape_type& s, std::size_t a) {
    axis_split r;
    for (std::size_t k = 0; k < a; ++k) r.outer *= s[k];
    r.len = s[a];
    for (std::size_t k = a + 1; k < s.size(); ++k) r.inner *= s[k];
    return r;
}

template <class V>
struct is_row_major_container : std::false_type {};
template <class EC, std::size_t N, class Tag>
struct is_row_major_container<xt::xtensor_container<EC, N, xt::layout_type::row_major, Tag>> : std::true_type {};
template <class EC, class SC, class Tag>
struct is_row_major_container<xt::xarray_container<EC, xt::layout_type::row_major, SC, Tag>> : std::true_type {};

/// The value as a contiguous row-major container of T: bound or cached arrays are used in place,
/// anything else (lazy expressions, other element types) is evaluated into an xarray.
template <class T, class V>
decltype(auto) contiguous(V&& v) {
    using D = std::remove_cvref_t<V>;
    if constexpr (std::is_lvalue_reference_v<V> && is_row_major_container<D>::value &&
                  std::is_same_v<typename D::value_type, T>)
        return (v);
    else
        return xt::xarray<T>(std::forward<V>(v));
}

/// An operand that must be an array (not a number) for an axis operation.
template <class V>
void require_array(const V&, const std::string& what) {
    if constexpr (is_number<V>) throw shape_error(what + ": the operand is a scalar; this operation needs an array");
}

}  // namespace detail

/// The extent along axis A of its operand (read for its shape only).
template <int A>
struct axis_length_op : structural_op {
    static constexpr std::string_view name = "axis_length";
    static constexpr std::string_view latex = "\\operatorname{axis\\_length}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    template <class E>
    static constexpr bool is_scalar = true;
    static constexpr bool value_arg(std::size_t) { return false; }

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        using T = typename Ctx::value_type;
        const shape_type s = detail::eval_shape(n.template arg<0>(), ctx);
        return static_cast<T>(s[detail::normalize_axis(A, s.size(), to_string(n))]);
    }
    template <class N, class Ctx>
    static shape_type shape(const N&, Ctx&) {
        return {};
    }
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N&, G) {
        return no_adjoint{};
    }
    template <class N, class D>
    static constexpr auto tangent(const N&, D) {
        return zero;
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
struct element_count_op : structural_op {
    static constexpr std::string_view name = "element_count";
    static constexpr std::string_view latex = "\\operatorname{count}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    template <class E>
    static constexpr bool is_scalar = true;
    static constexpr bool value_arg(std::size_t) { return false; }

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        using T = typename Ctx::value_type;
        return static_cast<T>(detail::count_of(detail::eval_shape(n.template arg<0>(), ctx)));
    }
    template <class N, class Ctx>
    static shape_type shape(const N&, Ctx&) {
        return {};
    }
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N&, G) {
        return no_adjoint{};
    }
    template <class N, class D>
    static constexpr auto tangent(const N&, D) {
        return zero;
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
    static constexpr bool value_arg(std::size_t i) { return i == 0; }

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        using T = typename Ctx::value_type;
        const shape_type target = detail::eval_shape(n.template arg<1>(), ctx);
        auto&& h = detail::eval(n.template arg<0>(), ctx);
        if constexpr (detail::is_number<decltype(h)>) {
            xt::xarray<T> out = xt::xarray<T>::from_shape(target);
            out.fill(static_cast<T>(h));
            return out;
        } else {
            detail::require_broadcastable_to(detail::shape_of(h), target, to_string(n));
            return xt::xarray<T>(xt::broadcast(std::forward<decltype(h)>(h), target));
        }
    }
    template <class N, class Ctx>
    static shape_type shape(const N& n, Ctx& ctx) {
        return detail::eval_shape(n.template arg<1>(), ctx);
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

}  // namespace symdiff
