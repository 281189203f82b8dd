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

#include "../core/adjoint.hpp"
#include "../core/array_ref.hpp"
#include "../core/shape.hpp"
#include "../core/traits.hpp"
#include "axis.hpp"

namespace symdiff {

namespace detail {

/// Label `i` of `labels` as an index in 0..k-1, or shape_error naming its entry in the whole array
/// (`first`: the entry that labels[0] is, when the engine runs a block of rows).
template <class T>
std::size_t label_at(const T* labels, std::size_t i, std::size_t k, std::size_t first = 0) {
    const T v = labels[i];
    const auto entry = [&] {
        return "label " + number_to_string(static_cast<double>(v)) + " at entry " + std::to_string(first + i);
    };
    if (!(v == std::floor(v)) && !std::isinf(v)) throw shape_error(entry() + " is not an integer");
    if (!(v >= T(0) && v < static_cast<T>(k)))
        throw shape_error(entry() + " is outside 0.." +
                          (k == 0 ? std::string("-1 (there are no classes)") : std::to_string(k - 1)));
    require_exact_integer(v, entry);
    return static_cast<std::size_t>(v);
}

}  // namespace detail

/// K > 0: K classes (one operand, the labels); K == 0: the number of classes comes from the
/// second operand (a literal, or an expression whose last extent it is).
template <std::size_t K>
struct one_hot_op : constant_structural_op {
    static constexpr std::string_view name = "one_hot";
    static constexpr std::string_view latex = "\\operatorname{one\\_hot}";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr std::size_t arity = K > 0 ? 1 : 2;
    static constexpr bool value_arg(std::size_t i) { return i == 0; }
    static constexpr bool number_result(auto...) { return false; }
    static constexpr rows_behaviour rows(bool y, auto...) { return {y ? rows_rule::local : rows_rule::none, 1u}; }

    /// The number of classes.
    template <class N>
    static std::size_t classes(const N& n, const shape_type* second) {
        if constexpr (K > 0) {
            return K;
        } else {
            using L = std::remove_cvref_t<decltype(n.template arg<1>())>;
            if constexpr (Literal<L> || Constant<L>) {
                long k = 0;
                if constexpr (Literal<L>) k = static_cast<long>(n.template arg<1>().value);
                else k = static_cast<long>(L::template as<double>());
                if (k <= 0) throw shape_error("the number of classes must be positive");
                return static_cast<std::size_t>(k);
            } else {
                if (second->empty()) throw shape_error("the scores are a scalar; they need a class axis");
                return second->back();
            }
        }
    }

    template <class N, class... S>
    static shape_type shape(const N& n, shape_type labels, const S&... second) {
        labels.push_back(classes(n, (&second, ...)));
        return labels;
    }
    template <class N>
    static shape_type shape(const N& n, shape_type labels) {
        labels.push_back(classes(n, nullptr));
        return labels;
    }

    template <class N, class T, class Y, class... Rest>
    static void compute(const N&, array_ref<T> out, const Y& y, const Rest&...) {
        const std::size_t k = out.dims[out.rank - 1];
        std::fill(out.data, out.data + out.size(), T(0));
        if constexpr (std::is_arithmetic_v<Y>) {
            out.data[detail::label_at(&y, 0, k)] = T(1);
        } else {
            const std::size_t first = y.first_element();
            for (std::size_t i = 0, n = y.size(); i < n; ++i)
                out.data[i * k + detail::label_at(y.data, i, k, first)] = T(1);
        }
    }

    // one_hot<10>(y) prints as one_hot(y, 10); one_hot_like(y, z) as one_hot(y).
    template <class N>
    static constexpr auto print_as(const N& n) {
        using L = std::remove_cvref_t<decltype(n.template arg<N::arity - 1>())>;
        if constexpr (K > 0 && N::arity == 1) return make_node<one_hot_op>(n.template arg<0>(), constant<K>{});
        else if constexpr (K == 0 && N::arity == 2 && !Literal<L> && !Constant<L>)
            return make_node<one_hot_op>(n.template arg<0>());
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
constexpr auto one_hot(Y y, I k) { return make_node<one_hot_op<0>>(y, literal<long>{static_cast<long>(k)}); }

/// One-hot rows with as many classes as the last extent of `scores` (its value is not read).
template <Expression Y, Expression Z>
constexpr auto one_hot_like(Y y, Z scores) {
    return make_node<one_hot_op<0>>(y, scores);
}

}  // namespace symdiff
