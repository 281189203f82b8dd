// Gradients of expressions that combine several reductions, or use a symbol both inside and
// outside a reduction, and of a matrix mean; against closed forms and central differences.
#define BOOST_TEST_MODULE ops_reduction_composites
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto M = symbol<"M">;

const xt::xtensor<double, 1> X{0.5, -1.0, 2.0, 0.25};
const xt::xtensor<double, 1> Y{1.0, 0.5, -0.5, 2.0};
const xt::xtensor<double, 2> Mv{{1.0, -2.0, 0.5}, {0.25, 3.0, -1.0}};
}  // namespace

BOOST_AUTO_TEST_CASE(products_of_reductions) {
    // L = sum(x) mean(y) + tanh(sum(x y)):
    // dL/dx = mean(y) + (1 - tanh^2(sum(x y))) y
    constexpr auto L = sum(x) * mean(y) + tanh(sum(x * y));
    const auto g = evaluate(derivative(L, x), x = X, y = Y);
    double mean_y = 0, dot_xy = 0;
    for (std::size_t i = 0; i < X.size(); ++i) {
        mean_y += Y(i) / X.size();
        dot_xy += X(i) * Y(i);
    }
    xt::xtensor<double, 1> expected = X;
    for (std::size_t i = 0; i < X.size(); ++i) expected(i) = mean_y + (1 - std::pow(std::tanh(dot_xy), 2)) * Y(i);
    BOOST_TEST(all_near(g, expected, 1e-14));
    const auto fd = gradient_by_differences([&](const auto& P) { return evaluate(L, x = P, y = Y); }, X);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(symbol_used_inside_and_outside_a_reduction) {
    // L = sum(x sin x) + sum(x)^2:  dL/dx = sin x + x cos x + 2 sum(x)
    constexpr auto L = sum(x * sin(x)) + square(sum(x));
    const auto g = evaluate(derivative(L, x), x = X);
    xt::xtensor<double, 1> expected = X;
    for (std::size_t i = 0; i < X.size(); ++i) expected(i) = std::sin(X(i)) + X(i) * std::cos(X(i)) + 2 * 1.75;
    BOOST_TEST(all_near(g, expected, 1e-14));
    const auto fd = gradient_by_differences([&](const auto& P) { return evaluate(L, x = P); }, X);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(matrix_gradient_of_a_mean) {
    // L = mean(log(1 + M^2)): dL/dM = 2 M / (1 + M^2) / 6
    constexpr auto L = mean(log(1.0 + square(M)));
    const auto g = evaluate(derivative(L, M), M = Mv);
    xt::xtensor<double, 2> expected = Mv;
    for (std::size_t i = 0; i < Mv.size(); ++i) expected.flat(i) = 2 * Mv.flat(i) / (1 + Mv.flat(i) * Mv.flat(i)) / 6;
    BOOST_TEST(all_near(g, expected, 1e-15));
    const auto fd = gradient_by_differences([&](const auto& P) { return evaluate(L, M = P); }, Mv);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}
