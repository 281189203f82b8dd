#pragma once
// Matrix products (through xtensor-blas / BLAS), NumPy's `dot` for vectors and matrices:
//   dot(A, B)                       matrix-matrix, matrix-vector, vector-matrix, vector-vector
//   dot_tn(A, G) = A^T G   and  dot_nt(G, B) = G B^T   the products that reverse mode produces;
//                  for two vectors they are the outer product.
// Matrix calculus, z = A B:   dA = dot_nt(z̄, B) = z̄ B^T,   dB = dot_tn(A, z̄) = A^T z̄
//               z = A^T G:    dA = dot_nt(G, z̄),          dG = dot(A, z̄)
//               z = G B^T:    dG = dot(z̄, B),              dB = dot_tn(z̄, G)
#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/shape.hpp"
#include "add.hpp"
#include "product_kernels.hpp"
#include "transpose.hpp"

namespace symdiff {

namespace detail {

enum class product_kind { nn, tn, nt };

/// The shape of the product, or shape_error: an operand of rank above 2, or inner dimensions
/// that differ. (For a number and an array: the array's shape.)
template <product_kind K>
inline shape_type product_shape(const shape_type& sa, const shape_type& sb) {
    if (sa.size() > 2 || sb.size() > 2)
        throw shape_error("products take vectors and matrices, got shapes " + shape_to_string(sa) + " and " +
                          shape_to_string(sb));
    if (sa.empty()) return sb;
    if (sb.empty()) return sa;
    const bool outer = K != product_kind::nn && sa.size() == 1 && sb.size() == 1;
    bool ok = true;
    if constexpr (K == product_kind::nn) ok = sa.back() == sb.front();
    else if constexpr (K == product_kind::tn) ok = outer || sa.front() == sb.front();
    else ok = outer || sa.back() == sb.back();
    if (!ok) throw shape_error("inner dimensions differ: " + shape_to_string(sa) + " and " + shape_to_string(sb));
    shape_type r;
    if constexpr (K == product_kind::nn) {
        r.insert(r.end(), sa.begin(), sa.end() - 1);
        r.insert(r.end(), sb.begin() + 1, sb.end());
    } else if constexpr (K == product_kind::tn) {
        if (outer) return {sa[0], sb[0]};
        r.insert(r.end(), sa.begin() + 1, sa.end());
        r.insert(r.end(), sb.begin() + 1, sb.end());
    } else {
        if (outer) return {sa[0], sb[0]};
        r.insert(r.end(), sa.begin(), sa.end() - 1);
        r.insert(r.end(), sb.begin(), sb.end() - 1);
    }
    return r;
}

/// out = a b (nn), a^T b (tn) or a b^T (nt) for vectors and matrices, as one matrix product: a
/// vector is a 1 x k row (or k x 1 column where the product needs it).
template <product_kind K, class T>
void product(array_ref<T> out, array_ref<const T> a, array_ref<const T> b) {
    const std::size_t ra = a.rank, rb = b.rank;
    if (ra == 0 || rb == 0) {  // a 0-d array scales the other operand
        for (std::size_t i = 0; i < out.size(); ++i)
            out.data[i] = (ra == 0 ? a.data[0] : a.data[i]) * (rb == 0 ? b.data[0] : b.data[i]);
        return;
    }
    // rows and columns of a and b as stored (a vector is one row)
    const std::size_t a_rows = ra == 2 ? a.dims[0] : 1, a_cols = ra == 2 ? a.dims[1] : a.dims[0];
    const std::size_t b_rows = rb == 2 ? b.dims[0] : 1, b_cols = rb == 2 ? b.dims[1] : b.dims[0];
    if constexpr (K == product_kind::nn) {
        if (rb == 1) gemm(false, true, a_rows, 1, a_cols, a.data, b.data, out.data);  // (m, k) (k): m dots
        else gemm(false, false, a_rows, b_cols, a_cols, a.data, b.data, out.data);    // (m, k) (k, n)
    } else if constexpr (K == product_kind::tn) {
        if (ra == 1 && rb == 1) gemm(true, false, a_cols, b_cols, 1, a.data, b.data, out.data);  // outer
        else if (ra == 1) gemm(false, false, 1, b_cols, b_rows, a.data, b.data, out.data);       // (n)^T (n, m)
        else if (rb == 1) gemm(true, false, a_cols, 1, a_rows, a.data, b.data, out.data);        // (n, k)^T (n)
        else gemm(true, false, a_cols, b_cols, a_rows, a.data, b.data, out.data);
    } else {
        if (ra == 1 && rb == 1) gemm(true, false, a_cols, b_cols, 1, a.data, b.data, out.data);  // outer
        else if (ra == 1) gemm(false, true, 1, b_rows, a_cols, a.data, b.data, out.data);        // (k) (n, k)^T
        else if (rb == 1) gemm(false, true, a_rows, 1, a_cols, a.data, b.data, out.data);        // (m, k) (k)^T
        else gemm(false, true, a_rows, b_rows, a_cols, a.data, b.data, out.data);
    }
}

template <product_kind K>
struct product_op : structural_op {
    static constexpr std::string_view name = "dot";
    static constexpr auto notation = style::function;
    static constexpr auto latex_notation = style::juxtapose;
    static constexpr int precedence = precedence::atom;

    static constexpr std::size_t arity = 2;

    template <class A, class B>
    static constexpr bool is_scalar = static_scalar<A>&& static_scalar<B>;
    static constexpr bool number_result(bool a, bool b) { return a && b; }
    // a b and g b^T: the rows of the first operand; a^T g sums over the rows of both
    static constexpr rows_behaviour rows(bool a, bool b) {
        if (!a && !b) return {rows_rule::none, 0u};
        if constexpr (K == product_kind::tn) return {rows_rule::reduce, 3u};
        else return b ? rows_behaviour{} : rows_behaviour{rows_rule::local, 1u};
    }

    template <class N>
    static shape_type shape(const N&, const shape_type& sa, const shape_type& sb) {
        return product_shape<K>(sa, sb);
    }

    template <class N, class Out, class A, class B>
    static constexpr void compute(const N&, Out&& out, const A& a, const B& b) {
        if constexpr (std::is_arithmetic_v<A> && std::is_arithmetic_v<B>) {
            out = a * b;
        } else if constexpr (std::is_arithmetic_v<A>) {  // a number times an array
            for (std::size_t i = 0; i < out.size(); ++i) out.data[i] = a * b.data[i];
        } else if constexpr (std::is_arithmetic_v<B>) {
            for (std::size_t i = 0; i < out.size(); ++i) out.data[i] = a.data[i] * b;
        } else {
            product<K>(out, a, b);
        }
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        const auto a = n.template arg<0>();
        const auto b = n.template arg<1>();
        if constexpr (K == product_kind::nn) {
            if constexpr (I == 0) return make_adjoint<reduction::exact>(dot_nt(g, b), a);
            else return make_adjoint<reduction::exact>(dot_tn(a, g), b);
        } else if constexpr (K == product_kind::tn) {
            if constexpr (I == 0) return make_adjoint<reduction::exact>(dot_nt(b, g), a);
            else return make_adjoint<reduction::exact>(dot(a, g), b);
        } else {
            if constexpr (I == 0) return make_adjoint<reduction::exact>(dot(g, b), a);
            else return make_adjoint<reduction::exact>(dot_tn(g, a), b);
        }
    }

    template <class N, class DA, class DB>
    static constexpr auto tangent(const N& n, DA da, DB db) {
        return add(build(da, n.template arg<1>()), build(n.template arg<0>(), db));
    }

    template <class A, class B>
    static constexpr auto build(A a, B b) {
        if constexpr (K == product_kind::nn) return dot(a, b);
        else if constexpr (K == product_kind::tn) return dot_tn(a, b);
        else return dot_nt(a, b);
    }

    template <class N>
    static constexpr auto print_as(const N& n) {
        // transpose() rather than a bare transpose node: (a^T)^T prints as a
        if constexpr (K == product_kind::nn) return n;
        else if constexpr (K == product_kind::tn)
            return make_node<product_op<product_kind::nn>>(transpose(n.template arg<0>()), n.template arg<1>());
        else return make_node<product_op<product_kind::nn>>(n.template arg<0>(), transpose(n.template arg<1>()));
    }
};

template <product_kind K, class A, class B>
constexpr auto make_product(A a, B b) {
    if constexpr (std::is_same_v<A, zero_t> || std::is_same_v<B, zero_t>) return zero;
    else if constexpr (static_scalar<A> || static_scalar<B>) return multiply(a, b);
    else return make_node<product_op<K>>(a, b);
}

}  // namespace detail

using dot_op = detail::product_op<detail::product_kind::nn>;

/// Matrix (or vector) product, like numpy.dot for 1-d and 2-d operands. Two vectors give a 0-d
/// array, as in NumPy; `einsum<"i,i">(u, v)` (ops/einsum.hpp) is their dot product as a number.
template <Expression A, Expression B>
constexpr auto dot(A a, B b) {
    return detail::make_product<detail::product_kind::nn>(a, b);
}

/// a^T b (for two vectors: their outer product).
template <Expression A, Expression B>
constexpr auto dot_tn(A a, B b) {
    return detail::make_product<detail::product_kind::tn>(a, b);
}

/// a b^T (for two vectors: their outer product).
template <Expression A, Expression B>
constexpr auto dot_nt(A a, B b) {
    return detail::make_product<detail::product_kind::nt>(a, b);
}

}  // namespace symdiff
