// sigmoid, relu, softplus, abs, sign and step: derivatives against the hand-derived closed forms
// and against central differences away from the kinks, the conventions at the kinks (derivative
// 0 at 0, as in PyTorch), numerical stability for large arguments, arrays and float data.
#define BOOST_TEST_MODULE ops_activations
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
// No point at 0: abs, relu, sign and step have a kink or a jump there.
constexpr double points[] = {-3.0, -0.4, 0.25, 1.0, 5.0};

double logistic(double v) { return 1 / (1 + std::exp(-v)); }
}  // namespace

BOOST_AUTO_TEST_CASE(sigmoid_value_and_derivative) {
    constexpr auto f = sigmoid(x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(f, x = v), logistic(v), 1e-15));
            // sigmoid' = sigmoid (1 - sigmoid) = e^-x / (1 + e^-x)^2
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), std::exp(-v) / std::pow(1 + std::exp(-v), 2), 1e-14));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(softplus_value_and_derivative) {
    constexpr auto f = softplus(x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(f, x = v), std::log(1 + std::exp(v)), 1e-15));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), logistic(v), 1e-15));  // softplus' = sigmoid
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(sigmoid_and_softplus_do_not_overflow) {
    BOOST_TEST(evaluate(sigmoid(x), x = 1000.0) == 1.0);
    BOOST_TEST(evaluate(sigmoid(x), x = -1000.0) == 0.0);
    BOOST_TEST(evaluate(derivative(sigmoid(x), x), x = -1000.0) == 0.0);
    BOOST_TEST(evaluate(softplus(x), x = 1000.0) == 1000.0);
    BOOST_TEST(evaluate(softplus(x), x = -1000.0) == 0.0);
    BOOST_TEST(evaluate(derivative(softplus(x), x), x = 1000.0) == 1.0);
    // softplus(-40) = log1p(e^-40) ~ e^-40, not rounded to 0
    BOOST_TEST(near(evaluate(softplus(x), x = -40.0) / std::exp(-40.0), 1.0, 1e-12));
}

BOOST_AUTO_TEST_CASE(relu_value_and_derivative) {
    constexpr auto f = relu(x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(evaluate(f, x = v) == (v > 0 ? v : 0.0));
            BOOST_TEST(evaluate(derivative(f, x), x = v) == (v > 0 ? 1.0 : 0.0));  // relu' = step
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
    BOOST_TEST(evaluate(derivative(f, x), x = 0.0) == 0.0);  // the subgradient PyTorch picks
}

BOOST_AUTO_TEST_CASE(abs_value_and_derivative) {
    constexpr auto f = abs(x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(evaluate(f, x = v) == std::abs(v));
            BOOST_TEST(evaluate(derivative(f, x), x = v) == (v > 0 ? 1.0 : -1.0));  // |x|' = sign x
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
    BOOST_TEST(evaluate(derivative(f, x), x = 0.0) == 0.0);
    // |-0.0| = +0.0 (std::fabs), as a number and at every position of an array (SIMD body and
    // scalar rest): 1 / |x| is +inf
    BOOST_TEST(!std::signbit(evaluate(f, x = -0.0)));
    const xt::xtensor<double, 1> negative_zeros = xt::zeros<double>({19}) * -1.0;
    const xt::xarray<double> r = evaluate(1.0 / f, x = negative_zeros);
    for (std::size_t i = 0; i < 19; ++i) BOOST_TEST(r(i) == std::numeric_limits<double>::infinity(), "entry " << i);
}

BOOST_AUTO_TEST_CASE(sign_and_step_values_and_zero_derivatives) {
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(evaluate(sign(x), x = v) == (v > 0 ? 1.0 : -1.0));
            BOOST_TEST(evaluate(step(x), x = v) == (v > 0 ? 1.0 : 0.0));
            BOOST_TEST(difference_quotient(sign(x), x, v) == 0.0);
            BOOST_TEST(difference_quotient(step(x), x, v) == 0.0);
        }
    }
    BOOST_TEST(evaluate(sign(x), x = 0.0) == 0.0);
    BOOST_TEST(evaluate(step(x), x = 0.0) == 0.0);
    // Piecewise constant: the derivative is the exact zero, by type.
    static_assert(std::is_same_v<decltype(derivative(sign(x), x)), constant<0>>);
    static_assert(std::is_same_v<decltype(derivative(step(x), x)), constant<0>>);
}

BOOST_AUTO_TEST_CASE(kinks_inside_a_composite) {
    // d/dx relu(x^2 - 1) = 2 x step(x^2 - 1);   d/dx |sin x| = sign(sin x) cos x
    constexpr auto f = relu(square(x) - 1.0);
    constexpr auto g = abs(sin(x));
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), v * v > 1 ? 2 * v : 0.0, 1e-15));
            BOOST_TEST(near(evaluate(derivative(g, x), x = v), (std::sin(v) > 0 ? 1 : -1) * std::cos(v), 1e-15));
            BOOST_TEST(near(evaluate(derivative(g, x), x = v), difference_quotient(g, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(elementwise_over_a_vector) {
    const xt::xtensor<double, 1> X{-3.0, -0.4, 0.0, 0.25, 5.0};
    const auto d_sigmoid = evaluate(derivative(sigmoid(x), x), x = X);
    const auto d_softplus = evaluate(derivative(softplus(x), x), x = X);
    const auto d_relu = evaluate(derivative(relu(x), x), x = X);
    const auto d_abs = evaluate(derivative(abs(x), x), x = X);
    xt::xtensor<double, 1> e_sigmoid = X, e_softplus = X, e_relu = X, e_abs = X;
    for (std::size_t i = 0; i < X.size(); ++i) {
        e_sigmoid(i) = logistic(X(i)) * (1 - logistic(X(i)));
        e_softplus(i) = logistic(X(i));
        e_relu(i) = X(i) > 0 ? 1 : 0;
        e_abs(i) = X(i) > 0 ? 1 : (X(i) < 0 ? -1 : 0);
    }
    BOOST_TEST(all_near(d_sigmoid, e_sigmoid, 1e-14));
    BOOST_TEST(all_near(d_softplus, e_softplus, 1e-14));
    BOOST_TEST(all_near(d_relu, e_relu, 0.0));
    BOOST_TEST(all_near(d_abs, e_abs, 0.0));
}

BOOST_AUTO_TEST_CASE(float_data_gives_float_results) {
    const xt::xtensor<float, 1> X{-1.0f, 0.5f, 2.0f};
    const auto d = evaluate(derivative(sigmoid(x) + relu(x), x), x = X);
    static_assert(std::is_same_v<typename decltype(d)::value_type, float>);
    xt::xtensor<double, 1> expected = xt::zeros<double>({3});
    for (std::size_t i = 0; i < X.size(); ++i) {
        const double s = logistic(X(i));
        expected(i) = s * (1 - s) + (X(i) > 0 ? 1 : 0);
    }
    BOOST_TEST(all_near(d, expected, 1e-6));
}
