// sin, cos, tan and tanh: derivatives against the hand-derived closed forms and against central
// differences, at several points, over arrays, with a broadcast scalar parameter and float data.
#define BOOST_TEST_MODULE ops_trig
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto w = symbol<"w">;
// Inside (-pi/2, pi/2), so that tan is smooth; 0 included.
constexpr double points[] = {-1.4, -0.3, 0.0, 0.8, 1.3};
}  // namespace

BOOST_AUTO_TEST_CASE(sin_derivative) {
    constexpr auto f = sin(x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), std::cos(v), 1e-14));  // (sin x)' = cos x
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(cos_derivative) {
    constexpr auto f = cos(x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), -std::sin(v), 1e-14));  // (cos x)' = -sin x
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(tan_derivative) {
    constexpr auto f = tan(x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            const double sec = 1 / std::cos(v);
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), sec * sec, 1e-13));  // (tan x)' = sec^2 x
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(tanh_derivative) {
    constexpr auto f = tanh(x);
    for (double v : {-4.0, -1.4, -0.3, 0.0, 0.8, 2.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            const double sech = 1 / std::cosh(v);
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), sech * sech, 1e-14));  // (tanh x)' = sech^2 x
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(sin_of_a_product_uses_the_chain_rule) {
    // d/dx sin(3 x^2) = 6 x cos(3 x^2)
    using namespace symdiff::literals;
    constexpr auto f = sin(3_c * square(x));
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), 6 * v * std::cos(3 * v * v), 1e-13));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(elementwise_over_a_vector) {
    const xt::xtensor<double, 1> X{-1.4, -0.3, 0.0, 0.8, 1.3};
    const auto d_sin = evaluate(derivative(sin(x), x), x = X);
    const auto d_cos = evaluate(derivative(cos(x), x), x = X);
    const auto d_tan = evaluate(derivative(tan(x), x), x = X);
    const auto d_tanh = evaluate(derivative(tanh(x), x), x = X);
    xt::xtensor<double, 1> e_sin = X, e_cos = X, e_tan = X, e_tanh = X;
    for (std::size_t i = 0; i < X.size(); ++i) {
        e_sin(i) = std::cos(X(i));
        e_cos(i) = -std::sin(X(i));
        e_tan(i) = 1 / (std::cos(X(i)) * std::cos(X(i)));
        e_tanh(i) = 1 / (std::cosh(X(i)) * std::cosh(X(i)));
    }
    BOOST_TEST(all_near(d_sin, e_sin, 1e-14));
    BOOST_TEST(all_near(d_cos, e_cos, 1e-14));
    BOOST_TEST(all_near(d_tan, e_tan, 1e-13));
    BOOST_TEST(all_near(d_tanh, e_tanh, 1e-14));
}

BOOST_AUTO_TEST_CASE(scalar_frequency_broadcast_over_vector_data) {
    // d/dw sin(w x) = x cos(w x), w scalar, x a vector.
    const xt::xtensor<double, 1> X{-2.0, 0.0, 0.5, 3.0};
    const double wv = 1.7;
    const auto d = evaluate(derivative(sin(w * x), w), w = wv, x = X);
    xt::xtensor<double, 1> expected = X;
    for (std::size_t i = 0; i < X.size(); ++i) expected(i) = X(i) * std::cos(wv * X(i));
    BOOST_TEST(all_near(d, expected, 1e-14));
}

BOOST_AUTO_TEST_CASE(float_data_gives_float_results) {
    const xt::xtensor<float, 1> X{0.0f, 0.5f, 1.0f};
    const auto d = evaluate(derivative(tanh(x), x), x = X);
    static_assert(std::is_same_v<typename decltype(d)::value_type, float>);
    xt::xtensor<double, 1> expected = xt::zeros<double>({3});
    for (std::size_t i = 0; i < X.size(); ++i) expected(i) = 1 / std::pow(std::cosh(double(X(i))), 2);
    BOOST_TEST(all_near(d, expected, 1e-6));
}
