#pragma once
// Lower-triangular matrices from the vector of their entries, and back (TensorFlow Probability's
// fill_triangular and fill_triangular_inverse), over the last axis, batched over the others:
//   fill_triangular(v)          (..., m) -> (..., d, d), m = d (d + 1) / 2:
//                               L[i][j] = v[i (i + 1) / 2 + j] for j <= i (row by row), 0 above
//   fill_triangular_inverse(L)  (..., d, d) -> (..., m): the entries on and below the diagonal
// The two are linear and each is the other's adjoint (the upper triangle receives nothing):
//   reverse: v̄ = fill_triangular_inverse(L̄)      L̄ -> fill_triangular(v̄)
//   forward: d fill_triangular(v) = fill_triangular(dv), and the same for the inverse.
// fill_triangular_inverse(fill_triangular(v)) is v.
#include <cstddef>
#include <string>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"
#include "axis.hpp"

namespace symdiff {

struct fill_triangular_op;
struct fill_triangular_inverse_op;

template <Expression V>
constexpr auto fill_triangular(V v);
template <Expression L>
constexpr auto fill_triangular_inverse(L l);

namespace detail {

/// d with d (d + 1) / 2 == m, or shape_error.
inline std::size_t triangle_side(std::size_t m, const shape_type& s) {
    std::size_t d = 0;
    while (d * (d + 1) / 2 < m) ++d;
    if (d * (d + 1) / 2 != m)
        throw shape_error("the last axis of " + shape_to_string(s) + " has " + std::to_string(m) +
                          " entries, not a triangular number d (d + 1) / 2");
    return d;
}

/// Between `batch` vectors of d (d + 1) / 2 entries and `batch` d x d matrices: Fill, vector
/// entry i (i + 1) / 2 + j to matrix entry (i, j) for j <= i, zeros above the diagonal; else the
/// other way.
template <bool Fill, class T>
void move_lower(const T* from, std::size_t batch, std::size_t d, T* to) {
    const std::size_t m = d * (d + 1) / 2;
    const std::size_t from_step = Fill ? m : d * d, to_step = Fill ? d * d : m;
    for (std::size_t b = 0; b < batch; ++b, from += from_step, to += to_step)
        for (std::size_t i = 0; i < d; ++i) {
            for (std::size_t j = 0; j <= i; ++j) {
                if constexpr (Fill) to[i * d + j] = from[i * (i + 1) / 2 + j];
                else to[i * (i + 1) / 2 + j] = from[i * d + j];
            }
            if constexpr (Fill)
                for (std::size_t j = i + 1; j < d; ++j) to[i * d + j] = T(0);
        }
}

/// Both operations keep the leading axes: with rows, each row is one batch entry (local) when
/// the rows axis is not one of the axes they transform. Each is linear and the other's adjoint.
template <bool Fill>
struct triangular_base : structural_op {
    static constexpr int precedence = precedence::atom;
    static constexpr auto notation = style::function;
    static constexpr std::size_t arity = 1;
    static constexpr bool number_result(bool) { return false; }
    static constexpr rows_behaviour rows(bool r) {
        return r ? rows_behaviour{rows_rule::local, 1u} : rows_behaviour{rows_rule::none, 0u};
    }
    template <class N>
    static bool rows_local(const N&, const shape_type& s) {
        return s.size() > (Fill ? 1u : 2u);  // the axes it transforms: the last one (Fill) or two
    }
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        return make_adjoint<reduction::exact>(build<!Fill>(shaped_like(g, n)), n.template arg<0>());
    }
    template <class N, class D>
    static constexpr auto tangent(const N& n, D d) {
        return build<Fill>(shaped_like(d, n.template arg<0>()));
    }

private:
    template <bool F, class X>
    static constexpr auto build(X x) {
        if constexpr (F) return fill_triangular(x);
        else return fill_triangular_inverse(x);
    }
};

}  // namespace detail

struct fill_triangular_op : detail::triangular_base<true> {
    static constexpr std::string_view name = "fill_triangular";
    static constexpr std::string_view latex = "\\operatorname{fill\\_triangular}";

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        if (s.empty()) throw shape_error("fill_triangular needs an array of entries, got a number");
        const std::size_t d = detail::triangle_side(s.back(), s);
        shape_type r(s.begin(), s.end() - 1);
        r.push_back(d);
        r.push_back(d);
        return r;
    }
    template <class N, class T>
    static void compute(const N&, array_ref<T> out, array_ref<const T> v) {
        const std::size_t d = out.dims[out.rank - 1];
        detail::move_lower<true>(v.data, out.size() / (d * d == 0 ? 1 : d * d), d, out.data);
    }
};

struct fill_triangular_inverse_op : detail::triangular_base<false> {
    static constexpr std::string_view name = "fill_triangular_inverse";
    static constexpr std::string_view latex = "\\operatorname{fill\\_triangular}^{-1}";

    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        if (s.size() < 2 || s[s.size() - 1] != s[s.size() - 2])
            throw shape_error("fill_triangular_inverse needs square matrices (..., d, d), got shape " +
                              shape_to_string(s));
        const std::size_t d = s.back();
        shape_type r(s.begin(), s.end() - 2);
        r.push_back(d * (d + 1) / 2);
        return r;
    }
    template <class N, class T>
    static void compute(const N&, array_ref<T> out, array_ref<const T> l) {
        const std::size_t d = l.dims[l.rank - 1];
        detail::move_lower<false>(l.data, l.size() / (d * d == 0 ? 1 : d * d), d, out.data);
    }
};

/// The lower-triangular matrices whose entries on and below the diagonal are `v`'s last axis,
/// row by row: (..., d (d + 1) / 2) -> (..., d, d).
template <Expression V>
constexpr auto fill_triangular(V v) {
    static_assert(!static_scalar<V> || std::is_same_v<V, zero_t>,
                  "fill_triangular(v): v must be an array of entries, not a number");
    if constexpr (std::is_same_v<V, zero_t>) return zero;
    else return make_node<fill_triangular_op>(v);
}

/// The entries on and below the diagonal of the matrices `l`, row by row: (..., d, d) ->
/// (..., d (d + 1) / 2).
template <Expression L>
constexpr auto fill_triangular_inverse(L l) {
    static_assert(!static_scalar<L> || std::is_same_v<L, zero_t>,
                  "fill_triangular_inverse(l): l must be an array of matrices, not a number");
    if constexpr (std::is_same_v<L, zero_t>) return zero;
    else if constexpr (is_op<L, fill_triangular_op>) return l.template arg<0>();
    else return make_node<fill_triangular_inverse_op>(l);
}

}  // namespace symdiff
