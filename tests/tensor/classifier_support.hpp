#pragma once
// Shared by the tests/tensor/test_classifier_*.cpp files: the symbols of a softmax-regression
// model, random matrices, a finite-difference gradient with respect to W, and a count of the
// matrix products an expression evaluates.
#include <cstdint>
#include <type_traits>
#include <utility>

#include <symdiff/symdiff.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

namespace classifier_test {

using namespace symdiff;
using namespace symdiff_test;

constexpr auto x = symbol<"x">;
constexpr auto W = symbol<"W">;
constexpr auto b = symbol<"b">;
constexpr auto y = symbol<"y">;

xt::xtensor<double, 2> random_matrix(std::size_t r, std::size_t c, int seed) {
    xt::random::seed(static_cast<xt::random::default_engine_type::result_type>(seed));
    return xt::random::randn<double>({r, c});
}

// The gradient of `loss` with respect to W at Wv, by central differences.
template <class L, class... Bs>
xt::xarray<double> numeric_gradient(const L& loss, const xt::xtensor<double, 2>& Wv, const Bs&... bs) {
    return gradient_by_differences([&](const auto& w) { return evaluate(loss, W = w, bs...); }, Wv);
}

// How many matrix products evaluating an expression computes, counting repeated subtrees each
// time and skipping operands read only for their shape.
template <class E>
struct products : std::integral_constant<int, 0> {};
template <class Op, class... A>
struct products<node<Op, A...>> {
    template <std::size_t I>
    static constexpr bool value_arg() {
        if constexpr (requires { Op::value_arg(I); }) return Op::value_arg(I);
        else return true;
    }
    template <std::size_t... I>
    static constexpr int count(std::index_sequence<I...>) {
        return (0 + ... + (value_arg<I>() ? products<A>::value : 0));
    }
    static constexpr int value =
        (std::is_same_v<Op, detail::product_op<detail::product_kind::nn>> ||
         std::is_same_v<Op, detail::product_op<detail::product_kind::tn>> ||
         std::is_same_v<Op, detail::product_op<detail::product_kind::nt>>)+count(std::index_sequence_for<A...>{});
};

}  // namespace classifier_test
