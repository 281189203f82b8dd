#pragma once
// Matrix products (through xtensor-blas / BLAS), NumPy's `dot` for vectors and matrices:
//   dot(A, B)                       matrix-matrix, matrix-vector, vector-matrix, vector-vector
//   dot_tn(A, G) = A^T G   and  dot_nt(G, B) = G B^T   the products that reverse mode produces;
//                  for two vectors they are the outer product.
// Matrix calculus, z = A B:   dA = dot_nt(z̄, B) = z̄ B^T,   dB = dot_tn(A, z̄) = A^T z̄
//               z = A^T G:    dA = dot_nt(G, z̄),          dG = dot(A, z̄)
//               z = G B^T:    dG = dot(z̄, B),              dB = dot_tn(z̄, G)
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xarray.hpp>

#include "../diff/adjoint.hpp"
#include "../eval/eval.hpp"
#include "add.hpp"
#include "transpose.hpp"

namespace symdiff {

namespace detail {

enum class product_kind { nn, tn, nt };

inline std::string product_error(const std::string& what, const shape_type& a, const shape_type& b) {
    return what + ": inner dimensions differ: " + shape_to_string(a) + " and " + shape_to_string(b);
}

/// Throws the shape_error that evaluating the product `n` would throw: an operand of rank above 2,
/// or inner dimensions that differ. Also called where only the product's shape is computed (the
/// domain of a gradient reduction), so that a gradient never takes a shape the value cannot have.
template <product_kind K, class N>
void check_product_shapes(const N& n, const shape_type& sa, const shape_type& sb) {
    if (sa.size() > 2 || sb.size() > 2)
        throw shape_error(to_string(n) + ": products take vectors and matrices, got shapes " +
                          shape_to_string(sa) + " and " + shape_to_string(sb));
    if (sa.empty() || sb.empty()) return;
    const bool outer = K != product_kind::nn && sa.size() == 1 && sb.size() == 1;
    bool ok = true;
    if constexpr (K == product_kind::nn) ok = sa.back() == sb.front();
    else if constexpr (K == product_kind::tn) ok = outer || sa.front() == sb.front();
    else ok = outer || sa.back() == sb.back();
    if (!ok) throw shape_error(product_error(to_string(n), sa, sb));
}

/// The operand as a container BLAS can read: bound or cached arrays are used in place.
template <class T, class V>
decltype(auto) as_array(V&& v) {
    using D = std::remove_cvref_t<V>;
    if constexpr (std::is_lvalue_reference_v<V> && requires { v.data(); } &&
                  std::is_same_v<typename D::value_type, T>)
        return (v);
    else
        return xt::xarray<T>(std::forward<V>(v));
}

/// The product of two evaluated operands, as an xarray (its rank is known only at run time).
template <class T, product_kind K, class N, class A, class B>
auto product(const N& n, A&& a, B&& b) {
    if constexpr (is_number<A> || is_number<B>) {
        return std::forward<A>(a) * std::forward<B>(b);
    } else {
        const shape_type sa = shape_of(a), sb = shape_of(b);
        check_product_shapes<K>(n, sa, sb);
        auto&& ca = as_array<T>(std::forward<A>(a));
        auto&& cb = as_array<T>(std::forward<B>(b));
        if (sa.empty() || sb.empty()) return xt::xarray<T>(ca * cb);
        if constexpr (K == product_kind::nn) {
            if (sa.size() == 1 && sb.size() == 1) return xt::xarray<T>(xt::sum(ca * cb));
            return xt::xarray<T>(xt::linalg::dot(ca, cb));
        } else if constexpr (K == product_kind::tn) {  // a^T b
            if (sa.size() == 1 && sb.size() == 1) return xt::xarray<T>(xt::linalg::outer(ca, cb));
            if (sa.size() == 2 && sb.size() == 1) return xt::xarray<T>(xt::linalg::dot(cb, ca));
            if (sa.size() == 1) return xt::xarray<T>(xt::linalg::dot(ca, cb));  // vector^T matrix
            xt::xarray<T> out = xt::xarray<T>::from_shape({sa[1], sb[1]});
            xt::blas::gemm(ca, cb, out, true, false);
            return out;
        } else {  // a b^T
            if (sa.size() == 1 && sb.size() == 1) return xt::xarray<T>(xt::linalg::outer(ca, cb));
            if (sa.size() == 1 && sb.size() == 2) return xt::xarray<T>(xt::linalg::dot(cb, ca));
            if (sb.size() == 1) return xt::xarray<T>(xt::linalg::dot(ca, cb));  // matrix vector^T
            xt::xarray<T> out = xt::xarray<T>::from_shape({sa[0], sb[0]});
            xt::blas::gemm(ca, cb, out, false, true);
            return out;
        }
    }
}

template <product_kind K>
inline shape_type product_shape(const shape_type& sa, const shape_type& sb) {
    if (sa.empty()) return sb;
    if (sb.empty()) return sa;
    shape_type r;
    if constexpr (K == product_kind::nn) {
        r.insert(r.end(), sa.begin(), sa.end() - 1);
        r.insert(r.end(), sb.begin() + 1, sb.end());
    } else if constexpr (K == product_kind::tn) {
        if (sa.size() == 1 && sb.size() == 1) return {sa[0], sb[0]};
        r.insert(r.end(), sa.begin() + 1, sa.end());
        r.insert(r.end(), sb.begin() + 1, sb.end());
    } else {
        if (sa.size() == 1 && sb.size() == 1) return {sa[0], sb[0]};
        r.insert(r.end(), sa.begin(), sa.end() - 1);
        r.insert(r.end(), sb.begin(), sb.end() - 1);
    }
    return r;
}

template <product_kind K>
struct product_op : structural_op {
    static constexpr std::string_view name = "dot";
    static constexpr std::string_view latex = "";
    static constexpr auto notation = style::function;
    static constexpr auto latex_notation = style::juxtapose;
    static constexpr int precedence = precedence::atom;

    template <class A, class B>
    static constexpr bool is_scalar = static_scalar<A> && static_scalar<B>;

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        return product<typename Ctx::value_type, K>(n, detail::eval(n.template arg<0>(), ctx),
                                                    detail::eval(n.template arg<1>(), ctx));
    }

    template <class N, class Ctx>
    static shape_type shape(const N& n, Ctx& ctx) {
        const shape_type sa = eval_shape(n.template arg<0>(), ctx), sb = eval_shape(n.template arg<1>(), ctx);
        check_product_shapes<K>(n, sa, sb);
        return product_shape<K>(sa, sb);
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
        else
            return make_node<product_op<product_kind::nn>>(n.template arg<0>(), transpose(n.template arg<1>()));
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

/// Matrix (or vector) product, like numpy.dot for 1-d and 2-d operands.
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
