#pragma once
// Full reductions to a scalar.
//   sum(e):   reverse: every element of e receives the adjoint     forward: d sum(e) = sum(de over e)
//   mean(e):  reverse: each receives adjoint / #e                  forward: d mean(e) = mean(de over e)
#include <xtensor/xreducer.hpp>

#include "../eval/eval.hpp"
#include "reduce_to.hpp"

namespace symdiff {

template <bool Mean>
struct full_reduction_op : structural_op {
    static constexpr std::string_view name = Mean ? "mean" : "sum";
    static constexpr std::string_view latex = Mean ? "\\operatorname{mean}" : "\\sum";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr bool linear_in_first = false;  // sum(a) + sum(b) != sum(a + b) when shapes differ

    template <class A>
    static constexpr bool is_scalar = true;

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        using T = typename Ctx::value_type;
        using A = detail::accumulator_t<T>;
        // auto&&: a bound or cached array comes back as a const reference; copying it would cost a
        // pass over the data.
        auto&& v = detail::eval(n.template arg<0>(), ctx);
        if constexpr (detail::is_number<decltype(v)>) {
            return static_cast<T>(v);
        } else {
            const auto count = static_cast<A>(v.size());
            const A total = xt::sum<A>(std::forward<decltype(v)>(v))();
            return static_cast<T>(Mean ? total / count : total);
        }
    }

    template <class N, class Ctx>
    static shape_type shape(const N&, Ctx&) {
        return {};
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        return make_adjoint<Mean ? reduction::mean : reduction::sum>(g, n.template arg<0>());
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
