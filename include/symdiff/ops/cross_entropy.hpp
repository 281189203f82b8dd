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
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/traits.hpp"
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

    static constexpr std::size_t arity = 2;
    static constexpr bool number_result(bool, bool) { return false; }
    static constexpr rows_behaviour rows(bool z, bool y) { return {z || y ? rows_rule::local : rows_rule::none, 3u}; }

    template <class N>
    static shape_type shape(const N&, shape_type s, const shape_type& labels) {
        if (s.empty()) throw shape_error("the scores are a scalar; they need a class axis");
        const std::size_t k = s.back(), rows = k == 0 ? 0 : detail::count_of(s) / k;
        if (detail::count_of(labels) != rows)
            throw shape_error(std::to_string(detail::count_of(labels)) + " labels for " + std::to_string(rows) +
                              " rows of scores of shape " + shape_to_string(s));
        s.back() = 1;
        return s;
    }

    // per row: log_sum_exp(z) - z[y], with the maximum subtracted before exp
    template <class N, class T, class Y>
    static void compute(const N&, array_ref<T> out, array_ref<const T> z, const Y& y) {
        const std::size_t k = z.dims[z.rank - 1];
        const std::size_t rows = out.size();
        const T* labels = [&] {
            if constexpr (std::is_arithmetic_v<Y>) return &y;
            else return y.data;
        }();
        const std::size_t first = as_array_ref<T>(y).first_element();
        for (std::size_t i = 0; i < rows; ++i) {
            const std::size_t label = detail::label_at(labels, i, k, first);
            const T* row = z.data + i * k;
            T m = -std::numeric_limits<T>::infinity();
            for (std::size_t j = 0; j < k; ++j) m = std::max(m, row[j]);
            if (!std::isfinite(m)) m = T(0);
            T total = 0;
            for (std::size_t j = 0; j < k; ++j) total += std::exp(row[j] - m);
            out.data[i] = (m - row[label]) + std::log(total);  // (as log_softmax: the large terms first)
        }
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N& n, G g) {
        if constexpr (I == 1) {
            return no_adjoint{};  // labels are data
        } else {
            const auto z = n.template arg<0>();
            const auto residual = subtract(softmax(z), one_hot_like(n.template arg<1>(), z));
            if constexpr (is_mean_of_self<G, N>::value)  // mean over the rows: (softmax - Y) h / n
                return make_adjoint<reduction::exact>(divide(multiply(g.template arg<0>(), residual), element_count(n)),
                                                      z);
            else if constexpr (is_sum_of_self<G, N>::value)
                return make_adjoint<reduction::exact>(multiply(g.template arg<0>(), residual), z);
            else return make_adjoint<reduction::exact>(multiply(g, residual), z);
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
        else
            return make_node<softmax_cross_entropy_op>(make_node<log_softmax_op<-1>>(n.template arg<0>()),
                                                       n.template arg<1>());
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
    if constexpr (is_op<P, log_softmax_op<-1>>) return make_node<softmax_cross_entropy_op>(logp.template arg<0>(), y);
    else return negate(sum(multiply(one_hot_like(y, logp), logp), axis<-1>));
}

}  // namespace symdiff
