#pragma once
// Transpose (reverses the axes; a vector or a scalar is its own transpose).
//   reverse: the operand's adjoint is the transposed adjoint      forward: d(a^T) = (da)^T
#include <algorithm>

#include <xtensor/xmanipulation.hpp>

#include "../diff/adjoint.hpp"
#include "../eval/eval.hpp"
#include "../print/notation.hpp"

namespace symdiff {

struct transpose_op : structural_op {
    static constexpr std::string_view name = "transpose";
    static constexpr std::string_view latex = "^\\top";
    static constexpr auto notation = style::function;
    static constexpr auto latex_notation = style::postfix;
    static constexpr int precedence = precedence::atom;

    template <class A>
    static constexpr bool is_scalar = static_scalar<A>;

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        auto&& v = detail::eval(n.template arg<0>(), ctx);
        if constexpr (detail::is_number<decltype(v)>) return v;
        else return xt::transpose(std::forward<decltype(v)>(v));
    }

    template <class N, class Ctx>
    static shape_type shape(const N& n, Ctx& ctx) {
        auto s = detail::eval_shape(n.template arg<0>(), ctx);
        std::reverse(s.begin(), s.end());
        return s;
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        return make_adjoint<reduction::exact>(transpose(g), n.template arg<0>());
    }

    template <class N, class D>
    static constexpr auto tangent(const N&, D d) {
        return transpose(d);
    }
};

template <Expression A>
constexpr auto transpose(A a) {
    if constexpr (static_scalar<A>) return a;
    else if constexpr (is_op<A, transpose_op>) return a.template arg<0>();  // (a^T)^T = a
    else return make_node<transpose_op>(a);
}

}  // namespace symdiff
