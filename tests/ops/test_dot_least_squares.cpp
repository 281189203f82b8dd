// Gradients of least-squares losses built from dot (and transpose) with respect to the parameter
// vector and the data matrix, against matrix-calculus closed forms and central differences.
#define BOOST_TEST_MODULE ops_dot_least_squares
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto X = symbol<"X">;
constexpr auto w = symbol<"w">;
constexpr auto y = symbol<"y">;

const xt::xtensor<double, 2> Xv{{1.0, 2.0, -1.0}, {0.5, -0.5, 2.0}, {3.0, 1.0, 0.0}, {-1.0, 0.25, 1.5}};  // (4, 3)
const xt::xtensor<double, 1> wv{0.2, -0.4, 0.1};                                                          // (3)
const xt::xtensor<double, 1> yv{1.0, 0.0, -1.0, 2.0};                                                     // (4)

}  // namespace

BOOST_AUTO_TEST_CASE(least_squares_gradients) {
    // L = sum((X w - y)^2):  dL/dw = 2 X^T (X w - y),  dL/dX = 2 (X w - y) w^T
    constexpr auto L = sum(square(dot(X, w) - y));
    xt::xtensor<double, 1> r = -yv;
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t k = 0; k < 3; ++k) r(i) += Xv(i, k) * wv(k);
    xt::xtensor<double, 1> gw = xt::zeros<double>({3});
    xt::xtensor<double, 2> gX = xt::zeros<double>({4, 3});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t k = 0; k < 3; ++k) {
            gw(k) += 2 * Xv(i, k) * r(i);
            gX(i, k) = 2 * r(i) * wv(k);
        }
    const auto dw = evaluate(derivative(L, w), X = Xv, w = wv, y = yv);
    const auto dX = evaluate(derivative(L, X), X = Xv, w = wv, y = yv);
    BOOST_TEST(all_near(dw, gw, 1e-14));
    BOOST_TEST(all_near(dX, gX, 1e-14));
    BOOST_TEST(all_near(dw,
                        gradient_by_differences([&](const auto& P) { return evaluate(L, X = Xv, w = P, y = yv); }, wv),
                        fd_tolerance));
    BOOST_TEST(all_near(dX,
                        gradient_by_differences([&](const auto& P) { return evaluate(L, X = P, w = wv, y = yv); }, Xv),
                        fd_tolerance));
}

BOOST_AUTO_TEST_CASE(vector_times_matrix_and_transposed_data) {
    // L = sum((X^T y)^2) with X (4, 3), y (4):  dL/dy = 2 X (X^T y),  dL/dX = 2 y (X^T y)^T
    constexpr auto L = sum(square(dot(transpose(X), y)));
    xt::xtensor<double, 1> z = xt::zeros<double>({3});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t k = 0; k < 3; ++k) z(k) += Xv(i, k) * yv(i);
    xt::xtensor<double, 1> gy = xt::zeros<double>({4});
    xt::xtensor<double, 2> gX = xt::zeros<double>({4, 3});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t k = 0; k < 3; ++k) {
            gy(i) += 2 * Xv(i, k) * z(k);
            gX(i, k) = 2 * yv(i) * z(k);
        }
    BOOST_TEST(all_near(evaluate(derivative(L, y), X = Xv, y = yv), gy, 1e-14));
    BOOST_TEST(all_near(evaluate(derivative(L, X), X = Xv, y = yv), gX, 1e-14));
    // the same loss written with y on the left: y^T X
    BOOST_TEST(all_near(evaluate(derivative(sum(square(dot(y, X))), y), X = Xv, y = yv), gy, 1e-14));
}
