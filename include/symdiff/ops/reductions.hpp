#pragma once
// Full reductions to a number.
//   sum(e):   reverse: every element of e receives the adjoint     forward: d sum(e) = sum(de over e)
//   mean(e):  reverse: each receives adjoint / #e                  forward: d mean(e) = mean(de over e)
// Value: a sink — sum(e) = 1 * (sum of e's elements), mean(e) = (1 / #e) * (the same sum); the
// engine adds the elements up in the loop that computes e.
#include "../core/shape.hpp"
#include "reduce_to.hpp"

namespace symdiff {

template <bool Mean>
struct full_reduction_op : structural_op {
    static constexpr std::string_view name = Mean ? "mean" : "sum";
    static constexpr std::string_view latex = Mean ? "\\operatorname{mean}" : "\\sum";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = 1;
    static constexpr bool linear_in_first = false;  // sum(a) + sum(b) != sum(a + b) when shapes differ

    template <class A>
    static constexpr bool is_scalar = true;
    static constexpr bool number_result(bool) { return true; }
    static constexpr rows_behaviour rows(bool r) { return {r ? rows_rule::reduce : rows_rule::none, 1u}; }

    template <class N>
    static shape_type shape(const N&, const shape_type&) {
        return {};
    }
    template <class N>
    static constexpr double sink_scale(const N&, const shape_type& s) {
        return Mean ? 1.0 / static_cast<double>(detail::count_of(s)) : 1.0;
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        return make_adjoint < Mean ? reduction::mean : reduction::sum > (g, n.template arg<0>());
    }

    template <class N, class D>
    static constexpr auto tangent(const N& n, D d) {
        return reduce_to_op<Mean>::make(d, n.template arg<0>(), zero);
    }
};

struct sum_op : full_reduction_op<false> {};
struct mean_op : full_reduction_op<true> {};

/// The sum of all elements.
template <Expression A>
constexpr auto sum(A a) {
    if constexpr (static_scalar<A>) return a;  // the sum of a scalar is itself
    else return make_node<sum_op>(a);
}

/// The mean of all elements.
template <Expression A>
constexpr auto mean(A a) {
    if constexpr (static_scalar<A>) return a;  // the mean of a scalar is itself
    else return make_node<mean_op>(a);
}

}  // namespace symdiff
