#pragma once
// Gradient reductions: `sum_to(h, d, t)` broadcasts `h` over the shape of `d` and sums it onto the
// shape of `t`; `mean_to` divides that by the element count of `d`. The reverse-mode
// differentiator ends every path with one of these, so a gradient always has its symbol's shape.
// Only the shapes of `d` and `t` are read, never their values.
//
// Printed as a person would write it: `mean(h)` when `t` is a symbol or a scalar, and for a
// product's operand, where they reduce nothing, as `h` (sum) or `h / n` (mean).
#include <numeric>

#include <xtensor/xreducer.hpp>
#include <xtensor/xbroadcast.hpp>
#include <xtensor/xarray.hpp>

#include "../diff/adjoint.hpp"
#include "../eval/eval.hpp"
#include "add.hpp"
#include "divide.hpp"

namespace symdiff {

struct sum_op;
struct mean_op;

template <bool Mean>
struct reduce_to_op : structural_op {
    static constexpr std::string_view name = Mean ? "mean_to" : "sum_to";
    static constexpr std::string_view latex = Mean ? "\\operatorname{mean\\_to}" : "\\operatorname{sum\\_to}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr bool linear_in_first = true;

    template <class H, class D, class T>
    static constexpr bool is_scalar = static_scalar<T>;

    static constexpr bool value_arg(std::size_t i) { return i == 0; }

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        using T = typename Ctx::value_type;
        const shape_type domain = detail::eval_shape(n.template arg<1>(), ctx);
        const shape_type target = detail::eval_shape(n.template arg<2>(), ctx);
        auto&& h = detail::eval(n.template arg<0>(), ctx);  // no copy of a bound or cached array
        const shape_type hs = detail::shape_of(h);
        detail::require_broadcastable_to(hs, domain, to_string(n));
        const T scale = Mean ? T(1) / T(detail::count_of(domain)) : T(1);
        if constexpr (static_scalar<std::remove_cvref_t<decltype(n.template arg<2>())>> ||
                      detail::is_number<decltype(detail::eval(n.template arg<2>(), ctx))>) {
            // Onto a scalar: sum(broadcast h) = sum(h) * (#domain / #h), broadcasting repeats evenly.
            // (an empty h broadcasts to an empty domain: its sum is 0 whatever the factor)
            const T repeat = detail::count_of(hs) == 0 ? T(1) : T(detail::count_of(domain)) / T(detail::count_of(hs));
            if constexpr (detail::is_number<decltype(h)>) return static_cast<T>(h) * repeat * scale;
            else return static_cast<T>(static_cast<detail::accumulator_t<T>>(xt::sum<detail::accumulator_t<T>>(std::forward<decltype(h)>(h))()) * repeat * scale);
        } else {
            return reduce_onto<T>(std::forward<decltype(h)>(h), domain, target, scale, n);
        }
    }

    template <class N, class Ctx>
    static shape_type shape(const N& n, Ctx& ctx) {
        return detail::eval_shape(n.template arg<2>(), ctx);
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 0) return make_adjoint<Mean ? reduction::mean : reduction::sum>(g, n.template arg<1>());
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
        if constexpr (Symbol<Tg> || static_scalar<Tg>)
            return make_node<std::conditional_t<Mean, mean_op, sum_op>>(n.template arg<0>());
        else if constexpr (Mean)
            return make_node<divide_op>(n.template arg<0>(), symbol<"n">);
        else
            return n.template arg<0>();
    }

private:
    template <class T, class V, class N>
    static xt::xarray<T> reduce_onto(V&& h, const shape_type& domain, const shape_type& target, T scale, const N& n) {
        if (target.size() > domain.size())
            throw shape_error(to_string(n) + ": cannot reduce shape " + shape_to_string(domain) + " onto " +
                              shape_to_string(target));
        // Axes to sum: the leading ones `target` lacks, and those where it has 1 and `domain` not.
        const std::size_t lead = domain.size() - target.size();
        std::vector<std::size_t> axes;
        for (std::size_t i = 0; i < domain.size(); ++i) {
            if (i < lead) axes.push_back(i);
            else if (target[i - lead] == 1 && domain[i] != 1) axes.push_back(i);
            else if (target[i - lead] != domain[i])
                throw shape_error(to_string(n) + ": cannot reduce shape " + shape_to_string(domain) + " onto " +
                                  shape_to_string(target));
        }
        xt::xarray<T> out;
        if constexpr (detail::is_number<V>) {
            // A uniform adjoint: every target element receives #domain / #target copies of h.
            out = xt::xarray<T>::from_shape(target);
            out.fill(static_cast<T>(h) * T(detail::count_of(domain)) / T(detail::count_of(target)));
        } else if (axes.empty()) {
            out = xt::broadcast(std::forward<V>(h), domain);
        } else {
            out = xt::sum<detail::accumulator_t<T>>(xt::broadcast(std::forward<V>(h), domain), axes);
            out.reshape(target);
        }
        if (scale != T(1)) out *= scale;
        return out;
    }
};

using sum_to_op = reduce_to_op<false>;
using mean_to_op = reduce_to_op<true>;

}  // namespace symdiff
