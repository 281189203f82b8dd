// min and max: values, partial derivatives against the closed forms (1 on the selected operand,
// 0 on the other) and central differences away from ties, the tie convention (the whole
// derivative goes to the first operand), arrays and broadcasting.
#define BOOST_TEST_MODULE ops_min_max
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr double xs[] = {-2.0, -0.5, 1.0, 3.0};
constexpr double ys[] = {1.0, -1.5, 0.25, 4.0};
}  // namespace

BOOST_AUTO_TEST_CASE(min_partials) {
    constexpr auto f = min(x, y);
    for (int i = 0; i < 4; ++i) {
        BOOST_TEST_CONTEXT("x = " << xs[i] << ", y = " << ys[i]) {
            const bool x_smaller = xs[i] < ys[i];
            BOOST_TEST(evaluate(f, x = xs[i], y = ys[i]) == std::min(xs[i], ys[i]));
            BOOST_TEST(evaluate(derivative(f, x), x = xs[i], y = ys[i]) == (x_smaller ? 1.0 : 0.0));
            BOOST_TEST(evaluate(derivative(f, y), x = xs[i], y = ys[i]) == (x_smaller ? 0.0 : 1.0));
            BOOST_TEST(near(difference_quotient(f, x, xs[i], y = ys[i]), x_smaller ? 1.0 : 0.0, fd_tolerance));
            BOOST_TEST(near(difference_quotient(f, y, ys[i], x = xs[i]), x_smaller ? 0.0 : 1.0, fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(max_partials) {
    constexpr auto f = max(x, y);
    for (int i = 0; i < 4; ++i) {
        BOOST_TEST_CONTEXT("x = " << xs[i] << ", y = " << ys[i]) {
            const bool x_larger = xs[i] > ys[i];
            BOOST_TEST(evaluate(f, x = xs[i], y = ys[i]) == std::max(xs[i], ys[i]));
            BOOST_TEST(evaluate(derivative(f, x), x = xs[i], y = ys[i]) == (x_larger ? 1.0 : 0.0));
            BOOST_TEST(evaluate(derivative(f, y), x = xs[i], y = ys[i]) == (x_larger ? 0.0 : 1.0));
            BOOST_TEST(near(difference_quotient(f, x, xs[i], y = ys[i]), x_larger ? 1.0 : 0.0, fd_tolerance));
            BOOST_TEST(near(difference_quotient(f, y, ys[i], x = xs[i]), x_larger ? 0.0 : 1.0, fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(plain_number_operands) {
    // max(x, 0.0) is relu's value; min(1.0, x) clips from above; either order of operands
    for (double v : xs) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(evaluate(max(x, 0.0), x = v) == std::max(v, 0.0));
            BOOST_TEST(evaluate(max(0.0, x), x = v) == std::max(v, 0.0));
            BOOST_TEST(evaluate(min(1.0, x), x = v) == std::min(v, 1.0));
            BOOST_TEST(evaluate(derivative(max(x, 0.0), x), x = v) == (v > 0 ? 1.0 : 0.0));
            BOOST_TEST(evaluate(derivative(min(1.0, x), x), x = v) == (v < 1 ? 1.0 : 0.0));
            BOOST_TEST(near(difference_quotient(max(x, 0.0), x, v), v > 0 ? 1.0 : 0.0, fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(plain_numbers_in_comparisons_and_where) {
    // less(x, 1.0), less_equal(0.5, x), where(c, x, 0.0): a plain number becomes a literal, as in
    // max(x, 0.0) and x + 1.0
    for (double v : xs) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(evaluate(less(x, 1.0), x = v) == (v < 1.0 ? 1.0 : 0.0));
            BOOST_TEST(evaluate(less(1.0, x), x = v) == (1.0 < v ? 1.0 : 0.0));
            BOOST_TEST(evaluate(less_equal(x, 0.5), x = v) == (v <= 0.5 ? 1.0 : 0.0));
            BOOST_TEST(evaluate(less_equal(0.5, x), x = v) == (0.5 <= v ? 1.0 : 0.0));
            BOOST_TEST(evaluate(where(less(x, 1.0), square(x), 0.0), x = v) == (v < 1.0 ? v * v : 0.0));
            BOOST_TEST(evaluate(where(less(x, 1.0), 2.0, x), x = v) == (v < 1.0 ? 2.0 : v));
            BOOST_TEST(evaluate(where(less(x, 1.0), 2.0, -3.0), x = v) == (v < 1.0 ? 2.0 : -3.0));
            BOOST_TEST(evaluate(derivative(where(less(x, 1.0), square(x), 0.0), x), x = v) == (v < 1.0 ? 2 * v : 0.0));
        }
    }
}

BOOST_AUTO_TEST_CASE(ties_send_the_derivative_to_the_first_operand) {
    BOOST_TEST(evaluate(derivative(min(x, y), x), x = 2.0, y = 2.0) == 1.0);
    BOOST_TEST(evaluate(derivative(min(x, y), y), x = 2.0, y = 2.0) == 0.0);
    BOOST_TEST(evaluate(derivative(max(x, y), x), x = 2.0, y = 2.0) == 1.0);
    BOOST_TEST(evaluate(derivative(max(x, y), y), x = 2.0, y = 2.0) == 0.0);
    // d/dx min(x, x) = 1, not 2: min(x, x) is x
    BOOST_TEST(evaluate(derivative(min(x, x), x), x = 2.0) == 1.0);
}

BOOST_AUTO_TEST_CASE(clipping_composite) {
    // f = min(max(x, -1), 1) clips to [-1, 1]: f' = 1 inside, 0 outside.
    using namespace symdiff::literals;
    constexpr auto f = min(max(x, -1_c), 1_c);
    for (double v : {-3.0, -0.5, 0.2, 0.9, 2.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(evaluate(f, x = v) == std::clamp(v, -1.0, 1.0));
            BOOST_TEST(evaluate(derivative(f, x), x = v) == (std::abs(v) < 1 ? 1.0 : 0.0));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(smooth_operands) {
    // d/dx max(sin x, x^2) is cos x where sin x > x^2, 2 x elsewhere.
    constexpr auto f = max(sin(x), square(x));
    for (double v : {-1.0, 0.3, 0.6, 1.5}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            const double expected = std::sin(v) > v * v ? std::cos(v) : 2 * v;
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), expected, 1e-15));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(elementwise_over_vectors_with_a_broadcast_threshold) {
    const xt::xtensor<double, 1> X{-2.0, -0.5, 1.0, 3.0};
    BOOST_TEST(all_near(evaluate(max(x, y), x = X, y = 0.0), xt::xtensor<double, 1>{0, 0, 1, 3}, 0.0));
    BOOST_TEST(all_near(evaluate(derivative(max(x, y), x), x = X, y = 0.0), xt::xtensor<double, 1>{0, 0, 1, 1}, 0.0));
    BOOST_TEST(all_near(evaluate(derivative(max(x, y), y), x = X, y = 0.0), xt::xtensor<double, 1>{1, 1, 0, 0}, 0.0));
    const xt::xtensor<double, 1> Y{1.0, -1.5, 0.25, 4.0};
    BOOST_TEST(all_near(evaluate(derivative(min(x, y), y), x = X, y = Y), xt::xtensor<double, 1>{0, 1, 1, 0}, 0.0));
}
