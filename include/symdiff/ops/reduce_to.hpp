#pragma once
// Gradient reductions: `sum_to(h, d, t)` broadcasts `h` over the shape of `d` and sums it onto the
// shape of `t`; `mean_to` divides that by the element count of `d`. The reverse-mode
// differentiator ends every path with one of these, so a gradient always has its symbol's shape.
// Only the shapes of `d` and `t` are read, never their values.
//   onto a number:  a sink, (#d / #h) * (sum of h's elements) [/ #d]  (h repeats evenly over d)
//   onto an array:  the sum over the axes of d that t lacks or has with extent 1
//
// Printed as a person would write it. Where `d` has the shape of `t` by construction (`t` itself,
// or elementwise operations of it and numbers), nothing is summed: `h` (sum) or `h / n` (mean);
// the same for a product's operand. Onto a symbol reached through other data, or a scalar: the
// `sum(h)` or `mean(h)` of the seeds' formulas (a scalar parameter's gradient).
#include <algorithm>
#include <array>
#include <numeric>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/broadcast.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../detail/values.hpp"
#include "add.hpp"
#include "axis.hpp"
#include "divide.hpp"

namespace symdiff {

struct sum_op;
struct mean_op;

namespace detail {
/// The axes of `domain` summed to reach `target` (throws when `domain` cannot reduce onto it).
inline void check_reducible(const shape_type& domain, const shape_type& target) {
    bool ok = target.size() <= domain.size();
    const std::size_t lead = ok ? domain.size() - target.size() : 0;
    for (std::size_t i = lead; ok && i < domain.size(); ++i)
        ok = target[i - lead] == 1 || target[i - lead] == domain[i];
    if (!ok) throw shape_error("cannot reduce shape " + shape_to_string(domain) + " onto " + shape_to_string(target));
}
}  // namespace detail

namespace detail {
/// Does D have the shape of T whatever the bindings: T itself, or an elementwise operation whose
/// operands are such or numbers by construction (with at least one of the former)?
template <class D, class T>
struct same_shape_as : std::is_same<D, T> {};
template <class Op, class... A, class T>
requires(!std::is_same_v<node<Op, A...>, T> && Op::elementwise) struct same_shape_as<node<Op, A...>, T>
    : std::bool_constant<((same_shape_as<A, T>::value || static_scalar<A>)&&...) &&
                         (same_shape_as<A, T>::value || ...)> {
};
}  // namespace detail

template <bool Mean>
struct reduce_to_op : structural_op {
    static constexpr std::string_view name = Mean ? "mean_to" : "sum_to";
    static constexpr std::string_view latex = Mean ? "\\operatorname{mean\\_to}" : "\\operatorname{sum\\_to}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 3;
    static constexpr bool linear_in_first = true;
    static constexpr std::size_t gathers_onto = 2;  // out[j] sums h over the domain elements that broadcast onto j

    template <class H, class D, class T>
    static constexpr bool is_scalar = static_scalar<T>;
    static constexpr bool value_arg(std::size_t i) { return i == 0; }
    static constexpr bool number_result(bool, bool, bool target) { return target; }
    // onto rows (the gradient of data): row by row; onto anything else: a sum over the rows
    static constexpr rows_behaviour rows(bool h, bool, bool target) {
        if (target) return {rows_rule::local, h ? 1u : 0u};
        return {h ? rows_rule::reduce : rows_rule::none, 1u};
    }

    template <class N>
    static shape_type shape(const N&, const shape_type& h, const shape_type& d, const shape_type& t) {
        detail::require_broadcastable_to(h, d, "the adjoint");
        if (!t.empty()) detail::check_reducible(d, t);
        return t;
    }
    // Onto a number: sum(broadcast h) = sum(h) * (#d / #h), broadcasting repeats evenly.
    // (an empty h broadcasts to an empty domain: its sum is 0 whatever the factor)
    template <class N>
    static constexpr double sink_scale(const N&, const shape_type& h, const shape_type& d, const shape_type&) {
        const double nd = static_cast<double>(detail::count_of(d)), nh = static_cast<double>(detail::count_of(h));
        const double repeat = nh == 0 ? 1.0 : nd / nh;
        return Mean ? repeat / nd : repeat;
    }
    // Onto an array: out[t] = sum of h over the domain elements that reduce onto t. `out` has the
    // target's shape, or one block of its rows; `d` is the whole domain (a mean divides by all of
    // it), walked over the block of rows that h or the target is, when one is.
    template <class N, class T, class H>
    static void compute(const N&, array_ref<T> out, const H& h, array_ref<const T> d, array_ref<const T>) {
        const T scale = Mean ? T(1) / T(d.size()) : T(1);
        // the domain walked: all of d, or the block of rows that h or the target is (a block of
        // one row is one row, not an extent 1 that broadcasts: the engine says which it is)
        std::size_t lead = d.rank ? d.dims[0] : 1;
        const auto block_of = [&](const auto& a) {
            if (a.whole_rows != 0 && a.rank == d.rank && a.rank > 0) lead = a.dims[0];
        };
        if constexpr (!std::is_arithmetic_v<H>) block_of(h);
        block_of(out);
        const std::size_t walked = d.rank ? d.size() / (d.dims[0] ? d.dims[0] : 1) * lead : 1;
        if constexpr (std::is_arithmetic_v<H>) {
            // a uniform adjoint: every target element receives #walked / #target copies of h
            const T each = h * T(walked) / T(std::max<std::size_t>(1, out.size())) * scale;
            std::fill(out.data, out.data + out.size(), each);
        } else {
            const std::size_t w = out.size();
            const T repeat = h.size() == 0 ? T(1) : T(walked) / T(h.size());  // h broadcast over the walk
            if (h.rank == out.rank && std::equal(h.dims, h.dims + h.rank, out.dims)) {
                // nothing to sum: h already has the target's shape (a gradient reaching rows of data)
                for (std::size_t i = 0; i < w; ++i) out.data[i] = h.data[i] * (repeat * scale);
            } else if (w > 0 && h.rank >= out.rank &&
                       std::equal(out.dims, out.dims + out.rank, h.dims + (h.rank - out.rank))) {
                // a sum over the leading axes: the columns of h read as rows of w numbers
                detail::column_sums(h.data, h.size() / w, w, [&](std::size_t j, detail::accumulator_t<T> sum) {
                    out.data[j] = static_cast<T>(sum) * (repeat * scale);
                });
            } else {
                shape_type walk(d.dims, d.dims + d.rank);
                if (!walk.empty()) walk[0] = lead;
                const shape_type hs(h.dims, h.dims + h.rank), ts(out.dims, out.dims + out.rank);
                std::fill(out.data, out.data + w, T(0));
                detail::for_each_broadcast<2>(walk, {&hs, &ts}, [&](const std::array<std::size_t, 2>& off) {
                    out.data[off[1]] += h.data[off[0]];
                });
                for (std::size_t j = 0; j < w; ++j) out.data[j] *= scale;
            }
        }
    }

    // Written with the shapes known: the axes of d that t lacks or has with extent 1 are summed;
    // where h has such an axis it is a sum over h's axis, where h lacks it (or has extent 1) h
    // repeats, a factor. A mean divides by #d; onto a number that is mean(h).
    static reduction_notation notation_onto(const shape_type& h, const shape_type& d, const shape_type& t) {
        reduction_notation r;
        if (t.size() > d.size() || h.size() > d.size() || detail::count_of(d) == 0) return r;  // (as h)
        const std::size_t lead = d.size() - t.size(), h_lead = d.size() - h.size();
        std::size_t summed = 1;  // the elements of h summed onto each element of t
        for (std::size_t i = 0; i < d.size(); ++i) {
            if (i >= lead && t[i - lead] == d[i]) continue;  // kept (or of extent 1)
            if (i < h_lead || h[i - h_lead] == 1) {
                r.factor *= d[i];
            } else {
                r.axes.push_back(i - h_lead);
                summed *= d[i];
            }
        }
        r.all = !r.axes.empty() && summed == detail::count_of(h);
        if (Mean) r.divisor = detail::count_of(d);
        const std::size_t g = std::gcd(r.factor, r.divisor);
        if (g > 1) r.factor /= g, r.divisor /= g;
        if (Mean && r.all && r.factor == 1 && r.divisor == summed) r.mean = true, r.divisor = 1;
        return r;
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 0) return make_adjoint < Mean ? reduction::mean : reduction::sum > (g, n.template arg<1>());
        else return no_adjoint{};
    }

    template <class N, class DH, class DD, class DT>
    static constexpr auto tangent(const N& n, DH dh, DD, DT) {
        return make(dh, n.template arg<1>(), n.template arg<2>());
    }

    template <class H, class D, class T>
    static constexpr auto make(H h, D d, T t) {
        if constexpr (std::is_same_v<H, zero_t>) return zero;
        else return make_node<reduce_to_op>(h, d, t);
    }

    template <class A, class B>
    static constexpr auto merge(A a, B b) {
        return make(add(a.template arg<0>(), b.template arg<0>()), a.template arg<1>(), a.template arg<2>());
    }

    template <class N>
    static constexpr auto print_as(const N& n) {
        using Tg = std::remove_cvref_t<decltype(n.template arg<2>())>;
        using D = std::remove_cvref_t<decltype(n.template arg<1>())>;
        if constexpr (Symbol<Tg> && !detail::same_shape_as<D, Tg>::value)
            return make_node<std::conditional_t<Mean, mean_op, sum_op>>(n.template arg<0>());
        else if constexpr (static_scalar<Tg>)
            return make_node<std::conditional_t<Mean, mean_op, sum_op>>(n.template arg<0>());
        else if constexpr (Mean) return make_node<divide_op>(n.template arg<0>(), symbol<"n">);
        else return n.template arg<0>();
    }
};

using sum_to_op = reduce_to_op<false>;
using mean_to_op = reduce_to_op<true>;

}  // namespace symdiff
