// exp, log, sqrt and square: derivatives against the hand-derived closed forms and against
// central differences, at several points, over arrays, with a broadcast scalar parameter and
// with float data.
#define BOOST_TEST_MODULE ops_exp_log
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto a = symbol<"a">;
// Positive points, so that log and sqrt are defined.
constexpr double points[] = {0.2, 1.0, 2.5, 7.0};
}  // namespace

BOOST_AUTO_TEST_CASE(exp_derivative) {
    constexpr auto f = exp(x);
    constexpr auto df = derivative(f, x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(df, x = v), std::exp(v), 1e-14));  // (e^x)' = e^x
            BOOST_TEST(near(evaluate(df, x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(log_derivative) {
    constexpr auto f = log(x);
    constexpr auto df = derivative(f, x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(df, x = v), 1 / v, 1e-14));  // (log x)' = 1 / x
            BOOST_TEST(near(evaluate(df, x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(sqrt_derivative) {
    constexpr auto f = sqrt(x);
    constexpr auto df = derivative(f, x);
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(df, x = v), 0.5 / std::sqrt(v), 1e-14));  // (sqrt x)' = 1 / (2 sqrt x)
            BOOST_TEST(near(evaluate(df, x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(square_derivative) {
    constexpr auto f = square(x);
    constexpr auto df = derivative(f, x);
    for (double v : {-3.5, -0.25, 0.0, 1.0, 4.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(evaluate(df, x = v) == 2 * v);  // (x^2)' = 2 x, exact in binary floating point
            BOOST_TEST(near(evaluate(df, x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(log_of_composite_uses_the_chain_rule) {
    // d/dx log(1 + x^2) = 2 x / (1 + x^2)
    constexpr auto f = log(1.0 + square(x));
    for (double v : {-2.0, -0.5, 0.0, 0.5, 3.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), 2 * v / (1 + v * v), 1e-14));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(elementwise_over_a_vector) {
    const xt::xtensor<double, 1> X{0.2, 1.0, 2.5, 7.0};
    const auto d_exp = evaluate(derivative(exp(x), x), x = X);
    const auto d_log = evaluate(derivative(log(x), x), x = X);
    const auto d_sqrt = evaluate(derivative(sqrt(x), x), x = X);
    xt::xtensor<double, 1> e_exp = X, e_log = X, e_sqrt = X;
    for (std::size_t i = 0; i < X.size(); ++i) {
        e_exp(i) = std::exp(X(i));
        e_log(i) = 1 / X(i);
        e_sqrt(i) = 0.5 / std::sqrt(X(i));
    }
    BOOST_TEST(all_near(d_exp, e_exp, 1e-14));
    BOOST_TEST(all_near(d_log, e_log, 1e-14));
    BOOST_TEST(all_near(d_sqrt, e_sqrt, 1e-14));
}

BOOST_AUTO_TEST_CASE(elementwise_over_a_matrix) {
    const xt::xtensor<double, 2> X{{0.5, 1.0, 1.5}, {2.0, 2.5, 3.0}};
    const auto d = evaluate(derivative(log(square(x)), x), x = X);  // (log x^2)' = 2 / x
    xt::xtensor<double, 2> expected = X;
    for (std::size_t i = 0; i < X.size(); ++i) expected.flat(i) = 2 / X.flat(i);
    BOOST_TEST(all_near(d, expected, 1e-14));
}

BOOST_AUTO_TEST_CASE(scalar_parameter_broadcast_over_vector_data) {
    // d/da exp(a x) = x e^(a x), a scalar and x a vector: one derivative per data point.
    const xt::xtensor<double, 1> X{-1.0, 0.0, 0.5, 2.0};
    const double av = 0.7;
    const auto d = evaluate(derivative(exp(a * x), a), a = av, x = X);
    xt::xtensor<double, 1> expected = X;
    for (std::size_t i = 0; i < X.size(); ++i) expected(i) = X(i) * std::exp(av * X(i));
    BOOST_TEST(all_near(d, expected, 1e-14));
}

BOOST_AUTO_TEST_CASE(float_data_gives_float_results) {
    const auto s = evaluate(derivative(exp(x), x), x = 1.5f);
    static_assert(std::is_same_v<decltype(s), const float>);
    BOOST_TEST(near(s, std::exp(1.5f), 1e-6));

    const xt::xtensor<float, 1> X{0.5f, 1.0f, 2.0f};
    const auto v = evaluate(derivative(log(x), x), x = X);
    static_assert(std::is_same_v<typename decltype(v)::value_type, float>);
    BOOST_TEST(all_near(v, xt::xtensor<double, 1>{2.0, 1.0, 0.5}, 1e-6));
}
