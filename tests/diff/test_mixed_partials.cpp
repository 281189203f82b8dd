// Mixed second partial derivatives in either order, and the second derivative of a reverse-mode
// gradient over vector data (forward mode through the gradient's reduction).
#define BOOST_TEST_MODULE diff_mixed_partials
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
}  // namespace

BOOST_AUTO_TEST_CASE(mixed_partials_commute) {
    // f = x^2 y^3 + sin(x y):  f_xy = 6 x y^2 + cos(x y) - x y sin(x y)
    constexpr auto f = square(x) * pow(y, 3_c) + sin(x * y);
    for (double xv : {-0.5, 1.25}) {
        for (double yv : {0.75, -2.0}) {
            BOOST_TEST_CONTEXT("x = " << xv << ", y = " << yv) {
                const double expected = 6 * xv * yv * yv + std::cos(xv * yv) - xv * yv * std::sin(xv * yv);
                const double xy = evaluate(derivative(derivative(f, x), y), x = xv, y = yv);
                const double yx = evaluate(derivative(derivative(f, y), x), x = xv, y = yv);
                BOOST_TEST(near(xy, expected, 1e-14));
                BOOST_TEST(near(yx, expected, 1e-14));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(second_derivative_of_a_gradient_over_data) {
    // L = mean((w x - y)^2), w scalar, x and y vectors:  d2L/dw2 = 2 mean(x^2), d2L/dw dy_i summed = -2 mean(x)
    constexpr auto L = mean(square(w * x - y));
    const xt::xtensor<double, 1> X{1.0, 2.0, 3.0, -2.0};
    const xt::xtensor<double, 1> Y{0.5, -1.0, 2.0, 0.0};
    for (double wv : {-1.0, 0.5}) {
        BOOST_TEST_CONTEXT("w = " << wv) {
            BOOST_TEST(evaluate(derivative<2>(L, w), w = wv, x = X, y = Y) == 2 * (1.0 + 4 + 9 + 4) / 4);
            BOOST_TEST(near(evaluate(derivative<2>(L, w), w = wv, x = X, y = Y),
                            difference_quotient(derivative(L, w), w, wv, x = X, y = Y), fd_tolerance));
        }
    }
}
