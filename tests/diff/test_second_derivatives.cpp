// Second derivatives: derivative<2> of the elementary functions against their hand-derived
// closed forms, and of a composite against central differences of its first derivative.
#define BOOST_TEST_MODULE diff_second_derivatives
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
constexpr double points[] = {0.3, 0.9, 1.6};
}  // namespace

BOOST_AUTO_TEST_CASE(elementary_functions) {
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            const double t = std::tanh(v), s = 1 / (1 + std::exp(-v));
            BOOST_TEST(near(evaluate(derivative<2>(sin(x), x), x = v), -std::sin(v), 1e-15));
            BOOST_TEST(near(evaluate(derivative<2>(exp(2_c * x), x), x = v), 4 * std::exp(2 * v), 1e-15));
            BOOST_TEST(near(evaluate(derivative<2>(log(x), x), x = v), -1 / (v * v), 1e-14));
            BOOST_TEST(near(evaluate(derivative<2>(sqrt(x), x), x = v), -0.25 * std::pow(v, -1.5), 1e-14));
            BOOST_TEST(near(evaluate(derivative<2>(1_c / x, x), x = v), 2 / (v * v * v), 1e-14));
            BOOST_TEST(near(evaluate(derivative<2>(tanh(x), x), x = v), -2 * t * (1 - t * t), 1e-15));
            BOOST_TEST(near(evaluate(derivative<2>(sigmoid(x), x), x = v), s * (1 - s) * (1 - 2 * s), 1e-15));
            BOOST_TEST(
                near(evaluate(derivative<2>(tan(x), x), x = v), 2 * std::tan(v) / std::pow(std::cos(v), 2), 1e-13));
        }
    }
}

BOOST_AUTO_TEST_CASE(against_differences_of_the_first_derivative) {
    // f = x^2 sin(x) / (1 + e^x):   f'' = (first derivative)' by central differences
    constexpr auto f = square(x) * sin(x) / (1_c + exp(x));
    constexpr auto df = derivative(f, x);
    for (double v : {-1.0, 0.3, 2.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative<2>(f, x), x = v), difference_quotient(df, x, v), fd_tolerance));
        }
    }
}
