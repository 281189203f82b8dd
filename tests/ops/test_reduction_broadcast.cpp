// Gradients through sum and mean of broadcast operands: a row vector, a column and a scalar
// broadcast over a matrix; each gradient must be summed back onto its symbol's own shape.
// Checked against the hand-derived closed forms and central differences entry by entry.
#define BOOST_TEST_MODULE ops_reduction_broadcast
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto v = symbol<"v">;
constexpr auto M = symbol<"M">;

const xt::xtensor<double, 2> Mv{{1.0, -2.0, 0.5}, {0.25, 3.0, -1.0}};
}  // namespace

BOOST_AUTO_TEST_CASE(gradient_wrt_a_row_broadcast_over_a_matrix) {
    // L = sum((M * v)^2), v (3) broadcast over the rows of M (2, 3):
    // dL/dv_j = sum_i 2 M_ij^2 v_j, shape (3)
    constexpr auto L = sum(square(M * v));
    const xt::xtensor<double, 1> V{0.5, -1.0, 2.0};
    const auto g = evaluate(derivative(L, v), M = Mv, v = V);
    xt::xtensor<double, 1> expected = xt::zeros<double>({3});
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) expected(j) += 2 * Mv(i, j) * Mv(i, j) * V(j);
    BOOST_TEST(all_near(g, expected, 1e-14));
    const auto fd = gradient_by_differences([&](const auto& P) { return evaluate(L, M = Mv, v = P); }, V);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(gradient_wrt_a_column_broadcast_over_a_matrix) {
    // L = mean(exp(M - c)), c of shape (2, 1): dL/dc_i = -sum_j e^(M_ij - c_i) / 6, shape (2, 1)
    constexpr auto L = mean(exp(M - v));
    const xt::xtensor<double, 2> C{{0.5}, {-1.0}};
    const auto g = evaluate(derivative(L, v), M = Mv, v = C);
    xt::xtensor<double, 2> expected = xt::zeros<double>({2, 1});
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) expected(i, 0) -= std::exp(Mv(i, j) - C(i, 0)) / 6;
    BOOST_TEST(all_near(g, expected, 1e-14));
    const auto fd = gradient_by_differences([&](const auto& P) { return evaluate(L, M = Mv, v = P); }, C);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(gradient_wrt_a_scalar_broadcast_over_a_matrix) {
    // L = sum(sin(a M)): dL/da = sum(M cos(a M))
    constexpr auto L = sum(sin(a * M));
    const double av = 0.3;
    double expected = 0;
    for (double m : Mv) expected += m * std::cos(av * m);
    BOOST_TEST(near(evaluate(derivative(L, a), a = av, M = Mv), expected, 1e-14));
    BOOST_TEST(near(evaluate(derivative(L, a), a = av, M = Mv), difference_quotient(L, a, av, M = Mv), fd_tolerance));
}
