// Selecting operations: the minimum along an axis, the maximum and minimum of all elements as a
// number, where(c, a, b) and stop_gradient. Values against loops written here; derivatives against
// closed forms written by hand and central differences (stop_gradient, on purpose, only against
// its closed form), in reverse mode, forward mode and to second order.
#define BOOST_TEST_MODULE ops_selection
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;

namespace {
constexpr auto X = symbol<"X">;
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto t = symbol<"t">;

// no ties, so that the extrema are isolated and differentiable
const xt::xtensor<double, 2> Xv{{0.3, -1.2, 0.8}, {1.1, 0.4, -0.5}, {-0.7, 0.9, 0.2}, {0.5, 0.15, -1.0}};
const xt::xtensor<double, 1> xv{0.5, -1.5, 2.0, 0.25};
const xt::xtensor<double, 1> yv{1.0, -2.0, 1.0, 0.75};
constexpr double points[] = {-0.6, 0.35, 1.3};

/// d e / d t in forward mode against central differences of every element, at each point.
template <class E>
boost::test_tools::assertion_result direction_matches(const E& e) {
    const auto d = derivative(e, t);
    for (double p : points) {
        const xt::xarray<double> got = evaluate(d, X = Xv, t = p);
        const double h = 1e-5;
        const xt::xarray<double> expected =
            (xt::xarray<double>(evaluate(e, X = Xv, t = p + h)) - xt::xarray<double>(evaluate(e, X = Xv, t = p - h))) /
            (2 * h);
        if (auto r = all_near(got, expected, 1e-6); !r) return r;
    }
    return true;
}

/// d^2 loss / d t^2, forward over reverse and reverse over reverse, against differences of d1.
template <class L>
boost::test_tools::assertion_result second_matches(const L& loss) {
    const auto d1 = derivative(loss, t);
    const auto d2 = derivative(d1, t);
    const auto d2r = gradient_of(d1, t);
    for (double p : points) {
        const double by_differences =
            central_difference([&](double v) { return double(evaluate(loss, X = Xv, t = v)); }, p);
        if (auto r = near(double(evaluate(d1, X = Xv, t = p)), by_differences, 1e-6); !r) return r;
        const double expected = central_difference([&](double v) { return double(evaluate(d1, X = Xv, t = v)); }, p);
        if (auto r = near(double(evaluate(d2, X = Xv, t = p)), expected, 1e-6); !r) return r;
        if (auto r = near(double(evaluate(d2r, X = Xv, t = p)), expected, 1e-6); !r) return r;
    }
    return true;
}
}  // namespace

BOOST_AUTO_TEST_CASE(minimum_along_an_axis) {
    const xt::xarray<double> rows = evaluate(min(X, axis<1>), X = Xv);
    const xt::xarray<double> cols = evaluate(min(X, axis<0>), X = Xv);
    BOOST_TEST(all_near(rows, xt::xtensor<double, 2>{{-1.2}, {-0.5}, {-0.7}, {-1.0}}, 0));
    BOOST_TEST(all_near(cols, xt::xtensor<double, 2>{{-0.7, -1.2, -1.0}}, 0));
    BOOST_TEST(all_near(evaluate(argmin_mask(X, axis<1>), X = Xv),
                        xt::xarray<double>{{0, 1, 0}, {0, 0, 1}, {1, 0, 0}, {0, 0, 1}}, 0));
}

BOOST_AUTO_TEST_CASE(gradient_of_a_sum_of_row_minima) {
    // L = sum(min(X, axis 1)^2): dL/dX = 2 m_i at the minimum of row i, 0 elsewhere (k-means' cost)
    constexpr auto L = sum(square(min(X, axis<1>)));
    const xt::xarray<double> g = evaluate(derivative(L, X), X = Xv);
    const xt::xarray<double> expected{{0, -2.4, 0}, {0, 0, -1.0}, {-1.4, 0, 0}, {0, 0, -2.0}};
    BOOST_TEST(all_near(g, expected, 1e-14));
    const auto fd = gradient_by_differences([&](const auto& P) { return double(evaluate(L, X = P)); }, Xv);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(maximum_and_minimum_of_all_elements_are_numbers) {
    const double hi = evaluate(max(X), X = Xv);
    const double lo = evaluate(min(X), X = Xv);
    BOOST_TEST(hi == 1.1);
    BOOST_TEST(lo == -1.2);
    BOOST_TEST(double(evaluate(max(x), x = 2.5)) == 2.5);  // a number is its own maximum
    BOOST_TEST(
        all_near(evaluate(argmax_mask(X), X = Xv), xt::xarray<double>{{0, 0, 0}, {1, 0, 0}, {0, 0, 0}, {0, 0, 0}}, 0));
    // a NaN is the maximum and the minimum (PyTorch)
    const xt::xtensor<double, 1> with_nan{1.0, std::numeric_limits<double>::quiet_NaN(), 3.0};
    BOOST_TEST(std::isnan(double(evaluate(max(x), x = with_nan))));
    BOOST_TEST(std::isnan(double(evaluate(min(x, axis<0>), x = with_nan)(0))));
    // an empty array has no maximum
    const xt::xtensor<double, 1> empty = xt::xtensor<double, 1>::from_shape({0});
    BOOST_CHECK_THROW(evaluate(max(x), x = empty), shape_error);
    // nor along an axis of extent 0 (NumPy); with no line at all the result is empty
    BOOST_CHECK_THROW(evaluate(max(X, axis<0>), X = xt::xtensor<double, 2>::from_shape({0, 3})), shape_error);
    BOOST_CHECK_THROW(evaluate(min(X, axis<1>), X = xt::xtensor<double, 2>::from_shape({3, 0})), shape_error);
    BOOST_TEST(evaluate(max(X, axis<1>), X = xt::xtensor<double, 2>::from_shape({0, 3})).size() == 0u);
}

BOOST_AUTO_TEST_CASE(gradient_of_the_extremes) {
    // L = 3 max(X) + min(X)^2: dL/dX = 3 at the maximum (1, 0), 2 min = -2.4 at the minimum (0, 1)
    constexpr auto L = 3_c * max(X) + square(min(X));
    const xt::xarray<double> g = evaluate(derivative(L, X), X = Xv);
    const xt::xarray<double> expected{{0, -2.4, 0}, {3, 0, 0}, {0, 0, 0}, {0, 0, 0}};
    BOOST_TEST(all_near(g, expected, 1e-14));
    const auto fd = gradient_by_differences([&](const auto& P) { return double(evaluate(L, X = P)); }, Xv);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(where_selects_elementwise) {
    const xt::xarray<double> v = evaluate(where(less(x, y), x, 2_c * y), x = xv, y = yv);
    BOOST_TEST(all_near(v, xt::xarray<double>{0.5, -4.0, 2.0, 0.25}, 0));
    // any nonzero condition is true; a scalar branch broadcasts
    BOOST_TEST(all_near(evaluate(where(x, 1_c, y), x = xt::xtensor<double, 1>{0, 2, -1, 0}, y = yv),
                        xt::xarray<double>{1.0, 1.0, 1.0, 0.75}, 0));
}

BOOST_AUTO_TEST_CASE(gradient_through_where) {
    // L = sum(where(x < y, x^2, 3 x + y)): dL/dx = 2x where x < y, else 3; dL/dy = 1 where x >= y
    constexpr auto L = sum(where(less(x, y), square(x), 3_c * x + y));
    const xt::xarray<double> gx = evaluate(derivative(L, x), x = xv, y = yv);
    const xt::xarray<double> gy = evaluate(derivative(L, y), x = xv, y = yv);
    BOOST_TEST(all_near(gx, xt::xarray<double>{1.0, 3.0, 3.0, 0.5}, 1e-14));
    BOOST_TEST(all_near(gy, xt::xarray<double>{0.0, 1.0, 1.0, 0.0}, 1e-14));
    const auto fdx = gradient_by_differences([&](const auto& P) { return double(evaluate(L, x = P, y = yv)); }, xv);
    const auto fdy = gradient_by_differences([&](const auto& P) { return double(evaluate(L, x = xv, y = P)); }, yv);
    BOOST_TEST(all_near(gx, fdx, fd_tolerance));
    BOOST_TEST(all_near(gy, fdy, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(stop_gradient_holds_its_operand_constant) {
    // L = sum(x stop_gradient(x)) has the value sum(x^2) and the gradient x (not 2x)
    constexpr auto L = sum(x * stop_gradient(x));
    BOOST_TEST(double(evaluate(L, x = xv)) == 0.25 + 2.25 + 4.0 + 0.0625);
    BOOST_TEST(all_near(evaluate(derivative(L, x), x = xv), xv, 0));
    BOOST_TEST(double(evaluate(derivative(stop_gradient(square(t)), t), t = 3.0)) == 0.0);
    // forward mode: d/dt (t stop_gradient(t X)) = stop_gradient(t X) = t X
    BOOST_TEST(all_near(evaluate(derivative(t * stop_gradient(t * X), t), X = Xv, t = 0.5), 0.5 * Xv, 0));
}

BOOST_AUTO_TEST_CASE(log_sum_exp_with_a_stopped_shift) {
    // m + log(sum(exp(x - m))), m = stop_gradient(max(x)): the value is log(sum(exp(x))) and the
    // gradient softmax(x), exactly at the maximum too
    const xt::xtensor<double, 1> big{1000.0, 999.0, 998.5, 990.0};
    constexpr auto m = stop_gradient(max(x));
    constexpr auto lse = m + log(sum(exp(x - m)));
    double total = 0;
    for (double v : big) total += std::exp(v - 1000.0);
    BOOST_TEST(near(double(evaluate(lse, x = big)), 1000.0 + std::log(total), 1e-12));
    const xt::xarray<double> g = evaluate(derivative(lse, x), x = big);
    for (std::size_t i = 0; i < big.size(); ++i) BOOST_TEST(near(g(i), std::exp(big(i) - 1000.0) / total, 1e-15));
    const auto fd = gradient_by_differences([&](const auto& P) { return double(evaluate(lse, x = P)); }, big);
    BOOST_TEST(all_near(g, fd, 1e-5));
}

BOOST_AUTO_TEST_CASE(forward_mode) {
    BOOST_TEST(direction_matches(min(sin(t * X), axis<1>)));
    BOOST_TEST(direction_matches(min(t * X, axis<0>)));
    BOOST_TEST(direction_matches(max(t * X + X)));
    BOOST_TEST(direction_matches(min(exp(t * X))));
    BOOST_TEST(direction_matches(where(less(X, 0_c), t * X, square(t) * X)));
}

BOOST_AUTO_TEST_CASE(second_derivatives) {
    BOOST_TEST(second_matches(mean(square(min(sin(t * X), axis<1>)))));
    BOOST_TEST(second_matches(square(max(t * X)) + exp(min(t * X))));
    BOOST_TEST(second_matches(sum(where(less(X, 0_c), square(t * X), sin(t * X)))));
    BOOST_TEST(second_matches(sum(exp(t * X) * stop_gradient(X))));
}

BOOST_AUTO_TEST_CASE(printed) {
    BOOST_TEST(to_string(min(X, axis<1>)) == "min(X, axis=1)");
    BOOST_TEST(to_string(max(X) - min(X)) == "max(X) - min(X)");
    BOOST_TEST(to_string(where(less(x, y), x, y)) == "where(less(x, y), x, y)");
    BOOST_TEST(to_string(stop_gradient(x)) == "stop_gradient(x)");
    BOOST_TEST(to_string(derivative(min(X, axis<1>), X)) == "sum(argmin_mask(X, axis=1), axis=1)");
    BOOST_TEST(to_string(derivative(max(X), X)) == "argmax_mask(X)");
    BOOST_TEST(to_string(derivative(min(X), X)) == "argmin_mask(X)");
    BOOST_TEST(to_latex(where(x, min(X, axis<0>), stop_gradient(max(X)))) ==
               "\\operatorname{where}\\left(x, \\min\\left(X, \\text{axis}=0\\right), "
               "\\operatorname{sg}\\left(\\max\\left(X\\right)\\right)\\right)");
    BOOST_TEST(to_latex(argmin_mask(X) + argmax_mask(X, axis<0>)) ==
               "\\operatorname{argmin\\_mask}\\left(X\\right) + \\operatorname{argmax\\_mask}\\left(X, "
               "\\text{axis}=0\\right)");
}
