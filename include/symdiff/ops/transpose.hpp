#pragma once
// Transpose (reverses the axes; a vector or a scalar is its own transpose).
//   reverse: the operand's adjoint is the transposed adjoint      forward: d(a^T) = (da)^T
#include <algorithm>

#include <vector>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"

namespace symdiff {

struct transpose_op : structural_op {
    static constexpr std::string_view name = "transpose";
    static constexpr std::string_view latex = "^\\top";
    static constexpr auto notation = style::function;
    static constexpr auto latex_notation = style::postfix;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 1;

    template <class A>
    static constexpr bool is_scalar = static_scalar<A>;
    static constexpr bool number_result(bool a) { return a; }

    template <class N>
    static shape_type shape(const N&, shape_type s) {
        std::reverse(s.begin(), s.end());
        return s;
    }

    // out[i_r-1, ..., i_0] = a[i_0, ..., i_r-1]
    template <class N, class Out, class A>
    static constexpr void compute(const N&, Out&& out, const A& a) {
        if constexpr (std::is_arithmetic_v<A>) {
            out = a;
        } else if (a.rank <= 1) {
            std::copy(a.data, a.data + a.size(), out.data);
        } else if (a.rank == 2) {
            const std::size_t r = a.dims[0], c = a.dims[1];
            for (std::size_t i = 0; i < r; ++i)
                for (std::size_t j = 0; j < c; ++j) out.data[j * r + i] = a.data[i * c + j];
        } else {
            const shape_type in(a.dims, a.dims + a.rank);
            shape_type reversed(in.rbegin(), in.rend());
            // walk the output in order; the input index has the reversed strides
            std::vector<std::size_t> stride(a.rank, 1);
            for (std::size_t d = a.rank - 1; d-- > 0;) stride[d] = stride[d + 1] * in[d + 1];
            std::vector<std::size_t> idx(a.rank, 0);
            for (std::size_t e = 0, n = a.size(); e < n; ++e) {
                std::size_t src = 0;
                for (std::size_t d = 0; d < a.rank; ++d) src += idx[d] * stride[a.rank - 1 - d];
                out.data[e] = a.data[src];
                for (std::size_t d = a.rank; d-- > 0;) {
                    if (++idx[d] < reversed[d]) break;
                    idx[d] = 0;
                }
            }
        }
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
