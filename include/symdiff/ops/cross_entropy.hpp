#pragma once
// Cross-entropy of log-probabilities against integer class labels, one value per row:
//   cross_entropy(logp, y) = -sum(one_hot(y) * logp, axis<-1>)        shape (n, 1) for logp (n, k)
// (PyTorch's nll_loss with reduction='none', keeping the class axis with extent 1). Average it
// with mean(...) for the usual loss.
//
// cross_entropy(log_softmax(z), y) is built as one fused operation (PyTorch's cross_entropy on
// logits): its value is log_sum_exp(z) - z[y] per row, computed stably in one pass, and its
// reverse-mode derivative is the textbook  z̄ = (softmax(z) - one_hot(y)) * ḡ,  which for the mean
// over the rows is  (softmax(z) - one_hot(y)) / n. For z = dot(X, W) + b the gradient with respect
// to W is then dot(transpose(X), (softmax(z) - one_hot(y)) / n): one matrix product.
#include <cstdint>
#include <vector>

#include "../core/traits.hpp"
#include "../diff/adjoint.hpp"
#include "../eval/eval.hpp"
#include "axis.hpp"
#include "axis_reductions.hpp"
#include "divide.hpp"
#include "multiply.hpp"
#include "negate.hpp"
#include "one_hot.hpp"
#include "reduce_to.hpp"
#include "softmax.hpp"
#include "subtract.hpp"

namespace symdiff {

/// The fused cross_entropy(log_softmax(z), y): operands z (scores, classes on the last axis), y (labels).
struct softmax_cross_entropy_op : structural_op {
    static constexpr std::string_view name = "cross_entropy";
    static constexpr std::string_view latex = "\\operatorname{cross\\_entropy}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        using T = typename Ctx::value_type;
        const std::string what = to_string(n);
        auto&& v = detail::eval(n.template arg<0>(), ctx);
        detail::require_array(v, what);
        const auto& y = detail::eval(n.template arg<1>(), ctx);
        if constexpr (detail::is_number<decltype(v)>) {
            return xt::xarray<T>();  // not reached
        } else {
            auto&& z = detail::contiguous<T>(std::forward<decltype(v)>(v));
            const shape_type zs = detail::shape_of(z);
            const std::size_t k = zs.back();
            const std::size_t rows = k == 0 ? 0 : z.size() / k;
            const std::vector<std::int64_t> labels = detail::labels_of(y, what);
            if (labels.size() != rows)
                throw shape_error(what + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(rows) +
                                  " rows of scores of shape " + shape_to_string(zs));
            shape_type rs = zs;
            rs.back() = 1;
            xt::xarray<T> out = xt::xarray<T>::from_shape(rs);
            const T* p = z.data();
            T* o = out.data();
            for (std::size_t i = 0; i < rows; ++i) {
                detail::check_label(labels[i], k, i, what);
                const T* row = p + i * k;
                T m = -std::numeric_limits<T>::infinity();
                for (std::size_t j = 0; j < k; ++j) m = std::max(m, row[j]);
                if (!std::isfinite(m)) m = T(0);
                T total = 0;
                for (std::size_t j = 0; j < k; ++j) total += std::exp(row[j] - m);
                o[i] = m + std::log(total) - row[labels[i]];
            }
            return out;
        }
    }

    template <class N, class Ctx>
    static shape_type shape(const N& n, Ctx& ctx) {
        shape_type s = detail::eval_shape(n.template arg<0>(), ctx);
        if (s.empty()) throw shape_error(to_string(n) + ": the scores are a scalar; they need a class axis");
        s.back() = 1;
        return s;
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 1) {
            return no_adjoint{};  // labels are data
        } else {
            const auto z = n.template arg<0>();
            const auto residual = subtract(softmax(z), one_hot_like(n.template arg<1>(), z));
            if constexpr (is_mean_of_self<G, N>::value)  // mean over the rows: (softmax - Y) h / n
                return make_adjoint<reduction::exact>(divide(multiply(g.template arg<0>(), residual), element_count(n)), z);
            else if constexpr (is_sum_of_self<G, N>::value)
                return make_adjoint<reduction::exact>(multiply(g.template arg<0>(), residual), z);
            else
                return make_adjoint<reduction::exact>(multiply(g, residual), z);
        }
    }

    template <class N, class DZ, class DY>
    static constexpr auto tangent(const N& n, DZ dz, DY) {
        const auto z = n.template arg<0>();
        return sum(multiply(dz, subtract(softmax(z), one_hot_like(n.template arg<1>(), z))), axis<-1>);
    }

    // Printed as written: cross_entropy(log_softmax(z), y).
    template <class N>
    static constexpr auto print_as(const N& n) {
        using Z = std::remove_cvref_t<decltype(n.template arg<0>())>;
        if constexpr (is_op<Z, log_softmax_op<-1>>) return n;
        else return make_node<softmax_cross_entropy_op>(make_node<log_softmax_op<-1>>(n.template arg<0>()), n.template arg<1>());
    }

private:
    // The adjoint mean_to(h, N, N) / sum_to(h, N, N) of a scalar h: what mean(...) / sum(...) of
    // this node hands down.
    template <class G, class N>
    struct is_mean_of_self : std::false_type {};
    template <class H, class N>
    struct is_mean_of_self<node<mean_to_op, H, N, N>, N> : std::bool_constant<static_scalar<H>> {};
    template <class G, class N>
    struct is_sum_of_self : std::false_type {};
    template <class H, class N>
    struct is_sum_of_self<node<sum_to_op, H, N, N>, N> : std::bool_constant<static_scalar<H>> {};
};

/// -sum(one_hot(y) * logp, axis<-1>): the cross-entropy of each row of log-probabilities `logp`
/// (classes on the last axis) against integer labels `y`; shape (n, 1) for logp of shape (n, k).
/// With logp = log_softmax(z) this is the fused, stable softmax cross-entropy.
template <Expression P, Expression Y>
constexpr auto cross_entropy(P logp, Y y) {
    if constexpr (is_op<P, log_softmax_op<-1>>)
        return make_node<softmax_cross_entropy_op>(logp.template arg<0>(), y);
    else
        return negate(sum(multiply(one_hot_like(y, logp), logp), axis<-1>));
}

}  // namespace symdiff
