// +, -, *, / and unary minus: partial derivatives with respect to each operand against the
// hand-derived closed forms and central differences, with exact constants and runtime literals,
// over arrays, with broadcasting and with float data.
#define BOOST_TEST_MODULE ops_arithmetic
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
// (x, y) pairs; y never 0 (it is a divisor).
constexpr double xs[] = {-2.5, -0.5, 0.0, 1.0, 3.0};
constexpr double ys[] = {1.5, -0.75, 2.0, -4.0, 0.5};
}  // namespace

BOOST_AUTO_TEST_CASE(sum_partials) {
    constexpr auto f = x + y;
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST_CONTEXT("x = " << xs[i] << ", y = " << ys[i]) {
            BOOST_TEST(evaluate(f, x = xs[i], y = ys[i]) == xs[i] + ys[i]);
            BOOST_TEST(evaluate(derivative(f, x), x = xs[i], y = ys[i]) == 1.0);
            BOOST_TEST(evaluate(derivative(f, y), x = xs[i], y = ys[i]) == 1.0);
            BOOST_TEST(near(difference_quotient(f, y, ys[i], x = xs[i]), 1.0, fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(difference_partials) {
    constexpr auto f = x - y;
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST_CONTEXT("x = " << xs[i] << ", y = " << ys[i]) {
            BOOST_TEST(evaluate(f, x = xs[i], y = ys[i]) == xs[i] - ys[i]);
            BOOST_TEST(evaluate(derivative(f, x), x = xs[i], y = ys[i]) == 1.0);
            BOOST_TEST(evaluate(derivative(f, y), x = xs[i], y = ys[i]) == -1.0);
            BOOST_TEST(near(difference_quotient(f, y, ys[i], x = xs[i]), -1.0, fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(product_partials) {
    constexpr auto f = x * y;
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST_CONTEXT("x = " << xs[i] << ", y = " << ys[i]) {
            BOOST_TEST(evaluate(derivative(f, x), x = xs[i], y = ys[i]) == ys[i]);  // (x y)'x = y
            BOOST_TEST(evaluate(derivative(f, y), x = xs[i], y = ys[i]) == xs[i]);  // (x y)'y = x
            BOOST_TEST(near(evaluate(derivative(f, x), x = xs[i], y = ys[i]),
                            difference_quotient(f, x, xs[i], y = ys[i]), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(quotient_partials) {
    constexpr auto f = x / y;
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST_CONTEXT("x = " << xs[i] << ", y = " << ys[i]) {
            const double xv = xs[i], yv = ys[i];
            BOOST_TEST(near(evaluate(derivative(f, x), x = xv, y = yv), 1 / yv, 1e-15));           // 1 / y
            BOOST_TEST(near(evaluate(derivative(f, y), x = xv, y = yv), -xv / (yv * yv), 1e-15));  // -x / y^2
            BOOST_TEST(
                near(evaluate(derivative(f, y), x = xv, y = yv), difference_quotient(f, y, yv, x = xv), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(negation) {
    constexpr auto f = -(x * y);
    for (int i = 0; i < 5; ++i) {
        BOOST_TEST_CONTEXT("x = " << xs[i] << ", y = " << ys[i]) {
            BOOST_TEST(evaluate(f, x = xs[i], y = ys[i]) == -(xs[i] * ys[i]));
            BOOST_TEST(evaluate(derivative(f, x), x = xs[i], y = ys[i]) == -ys[i]);
        }
    }
    static_assert(std::is_same_v<decltype(derivative(-x, x)), constant<-1>>);
}

BOOST_AUTO_TEST_CASE(exact_constants_and_runtime_literals) {
    // d/dx (2/3 x^2 - 5 x + 7) = 4/3 x - 5, with exact and with runtime coefficients.
    constexpr auto exact_f = exact<2, 3> * square(x) - 5_c * x + 7_c;
    constexpr auto runtime_f = (2.0 / 3.0) * square(x) - 5.0 * x + 7.0;
    for (double v : xs) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(exact_f, x), x = v), 4.0 / 3.0 * v - 5, 1e-15));
            BOOST_TEST(near(evaluate(derivative(runtime_f, x), x = v), 4.0 / 3.0 * v - 5, 1e-15));
            BOOST_TEST(
                near(evaluate(derivative(runtime_f, x), x = v), difference_quotient(runtime_f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(literal_on_either_side) {
    // 2 - x, x - 2, 2 / x, x / 2, 2 * x, x * 2, 2 + x, x + 2
    const double v = 1.25;
    BOOST_TEST(evaluate(derivative(2.0 - x, x), x = v) == -1.0);
    BOOST_TEST(evaluate(derivative(x - 2.0, x), x = v) == 1.0);
    BOOST_TEST(near(evaluate(derivative(2.0 / x, x), x = v), -2 / (v * v), 1e-15));
    BOOST_TEST(near(evaluate(derivative(x / 2.0, x), x = v), 0.5, 1e-15));
    BOOST_TEST(evaluate(derivative(2.0 * x, x), x = v) == 2.0);
    BOOST_TEST(evaluate(derivative(x * 2.0, x), x = v) == 2.0);
    BOOST_TEST(evaluate(derivative(2.0 + x, x), x = v) == 1.0);
    BOOST_TEST(evaluate(derivative(x + 2.0, x), x = v) == 1.0);
    BOOST_TEST(evaluate(2.0 - x, x = v) == 0.75);
    BOOST_TEST(evaluate(x / 2.0, x = v) == 0.625);
}

BOOST_AUTO_TEST_CASE(elementwise_over_vectors) {
    const xt::xtensor<double, 1> X{-2.5, -0.5, 0.0, 1.0, 3.0};
    const xt::xtensor<double, 1> Y{1.5, -0.75, 2.0, -4.0, 0.5};
    const auto d = evaluate(derivative(x / y, y), x = X, y = Y);  // -x / y^2 entrywise
    xt::xtensor<double, 1> expected = X;
    for (std::size_t i = 0; i < X.size(); ++i) expected(i) = -X(i) / (Y(i) * Y(i));
    BOOST_TEST(all_near(d, expected, 1e-15));
}

BOOST_AUTO_TEST_CASE(broadcasting_a_row_over_a_matrix) {
    // x (2, 3) times y (3): d/dy (x * y) = x, of the broadcast shape (2, 3).
    const xt::xtensor<double, 2> X{{1, 2, 3}, {4, 5, 6}};
    const xt::xtensor<double, 1> Y{10, 20, 30};
    BOOST_TEST(all_near(evaluate(x * y, x = X, y = Y), xt::xtensor<double, 2>{{10, 40, 90}, {40, 100, 180}}, 0.0));
    BOOST_TEST(all_near(evaluate(derivative(x * y, y), x = X, y = Y), X, 0.0));
    // scalar parameter, matrix data
    BOOST_TEST(all_near(evaluate(derivative(x * y, y), x = X, y = 2.0), X, 0.0));
}

BOOST_AUTO_TEST_CASE(float_data_gives_float_results) {
    const auto s = evaluate(derivative(x * x * x, x), x = 2.0f);  // 3 x^2
    static_assert(std::is_same_v<decltype(s), const float>);
    BOOST_TEST(s == 12.0f);
    const xt::xtensor<float, 1> X{1.0f, 2.0f};
    const auto v = evaluate(derivative(x / y, y), x = X, y = 2.0f);
    static_assert(std::is_same_v<typename decltype(v)::value_type, float>);
    BOOST_TEST(all_near(v, xt::xtensor<double, 1>{-0.25, -0.5}, 1e-7));
    // float data with a double literal: the data decides the precision
    const auto m = evaluate(0.5 * x, x = X);
    static_assert(std::is_same_v<typename decltype(m)::value_type, float>);
}
