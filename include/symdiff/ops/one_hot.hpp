#pragma once
// One-hot encoding of integer class labels (bound as data, e.g. an int32 vector):
//   one_hot<K>(y)        shape (..., K): 1 where the last index equals the label, else 0
//   one_hot(y, k)        the same with a run-time number of classes k
//   one_hot_like(y, z)   K taken from the last extent of z (whose value is not read)
// The labels are data: the derivative is 0 (nothing flows back). A label outside 0..K-1 or
// not an integer is a shape_error naming the entry.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "../core/traits.hpp"
#include "../diff/adjoint.hpp"
#include "../eval/eval.hpp"
#include "axis.hpp"

namespace symdiff {

namespace detail {

/// The labels as integers (any value type), with their shape.
template <class V>
std::vector<std::int64_t> labels_of(const V& y, const std::string& what) {
    std::vector<std::int64_t> out;
    const auto take = [&](auto v) {
        const double d = static_cast<double>(v);
        if (!(d == std::floor(d)))
            throw shape_error(what + ": label " + std::to_string(d) + " at entry " + std::to_string(out.size()) +
                              " is not an integer");
        out.push_back(static_cast<std::int64_t>(d));
    };
    if constexpr (is_number<V>) {
        take(y);
    } else {
        out.reserve(y.size());
        for (const auto& v : y) take(v);
    }
    return out;
}

inline void check_label(std::int64_t label, std::size_t k, std::size_t i, const std::string& what) {
    if (label < 0 || static_cast<std::size_t>(label) >= k)
        throw shape_error(what + ": label " + std::to_string(label) + " at entry " + std::to_string(i) +
                          " is outside 0.." + std::to_string(k - 1));
}

}  // namespace detail

/// K > 0: K classes (one operand, the labels); K == 0: the number of classes comes from the
/// second operand (a literal, or an expression whose last extent it is).
template <std::size_t K>
struct one_hot_op : structural_op {
    static constexpr std::string_view name = "one_hot";
    static constexpr std::string_view latex = "\\operatorname{one\\_hot}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr bool value_arg(std::size_t i) { return i == 0; }

    template <class N, class Ctx>
    static std::size_t classes(const N& n, Ctx& ctx) {
        if constexpr (K > 0) {
            return K;
        } else {
            using L = std::remove_cvref_t<decltype(n.template arg<1>())>;
            if constexpr (Literal<L> || Constant<L>) {
                const auto k = static_cast<long>(detail::eval(n.template arg<1>(), ctx));
                if (k <= 0) throw shape_error(to_string(n) + ": the number of classes must be positive");
                return static_cast<std::size_t>(k);
            } else {
                const shape_type s = detail::eval_shape(n.template arg<1>(), ctx);
                if (s.empty()) throw shape_error(to_string(n) + ": the scores are a scalar; they need a class axis");
                return s.back();
            }
        }
    }

    template <class N, class Ctx>
    static auto eval(const N& n, Ctx& ctx) {
        using T = typename Ctx::value_type;
        const std::size_t k = classes(n, ctx);
        const auto& y = detail::eval(n.template arg<0>(), ctx);
        const std::string what = to_string(n);
        const std::vector<std::int64_t> labels = detail::labels_of(y, what);
        shape_type s = detail::shape_of(y);
        s.push_back(k);
        xt::xarray<T> out = xt::zeros<T>(s);
        T* p = out.data();
        for (std::size_t i = 0; i < labels.size(); ++i) {
            detail::check_label(labels[i], k, i, what);
            p[i * k + static_cast<std::size_t>(labels[i])] = T(1);
        }
        return out;
    }

    template <class N, class Ctx>
    static shape_type shape(const N& n, Ctx& ctx) {
        shape_type s = detail::eval_shape(n.template arg<0>(), ctx);
        s.push_back(classes(n, ctx));
        return s;
    }

    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N&, G) {
        return no_adjoint{};
    }
    template <class N, class... D>
    static constexpr auto tangent(const N&, D...) {
        return zero;
    }

    // one_hot<10>(y) prints as one_hot(y, 10); one_hot_like(y, z) as one_hot(y).
    template <class N>
    static constexpr auto print_as(const N& n) {
        using L = std::remove_cvref_t<decltype(n.template arg<N::arity - 1>())>;
        if constexpr (K > 0 && N::arity == 1) return make_node<one_hot_op>(n.template arg<0>(), constant<K>{});
        else if constexpr (K == 0 && N::arity == 2 && !Literal<L> && !Constant<L>) return make_node<one_hot_op>(n.template arg<0>());
        else return n;
    }
};

/// One-hot rows for integer labels, with K classes: y of shape (n,) gives an n x K matrix.
template <std::size_t K, Expression Y>
constexpr auto one_hot(Y y) {
    static_assert(K > 0, "one_hot<K>(y): K, the number of classes, must be positive");
    return make_node<one_hot_op<K>>(y);
}

/// One-hot rows with a run-time number of classes.
template <Expression Y, class I>
    requires std::is_integral_v<I>
constexpr auto one_hot(Y y, I k) {
    return make_node<one_hot_op<0>>(y, literal<long>{static_cast<long>(k)});
}

/// One-hot rows with as many classes as the last extent of `scores` (its value is not read).
template <Expression Y, Expression Z>
constexpr auto one_hot_like(Y y, Z scores) {
    return make_node<one_hot_op<0>>(y, scores);
}

}  // namespace symdiff
