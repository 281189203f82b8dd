// sum and mean: values, and gradients (reverse mode) with respect to scalar, vector and matrix
// symbols against the hand-derived closed forms and central differences entry by entry.
#define BOOST_TEST_MODULE ops_sum_mean
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto a = symbol<"a">;
constexpr auto M = symbol<"M">;

const xt::xtensor<double, 1> X{0.5, -1.0, 2.0, 0.25};
const xt::xtensor<double, 1> Y{1.0, 0.5, -0.5, 2.0};
const xt::xtensor<double, 2> Mv{{1.0, -2.0, 0.5}, {0.25, 3.0, -1.0}};
}  // namespace

BOOST_AUTO_TEST_CASE(values) {
    BOOST_TEST(evaluate(sum(x), x = X) == 1.75);
    BOOST_TEST(evaluate(mean(x), x = X) == 0.4375);
    BOOST_TEST(evaluate(sum(M), M = Mv) == 1.75);
    BOOST_TEST(near(evaluate(mean(M), M = Mv), 1.75 / 6, 1e-15));
    BOOST_TEST(evaluate(sum(x), x = 3.0) == 3.0);  // a scalar is its own sum
}

BOOST_AUTO_TEST_CASE(gradient_of_sum_and_mean_is_uniform) {
    BOOST_TEST(all_near(evaluate(derivative(sum(x), x), x = X), xt::xtensor<double, 1>{1, 1, 1, 1}, 0.0));
    BOOST_TEST(all_near(evaluate(derivative(mean(x), x), x = X), xt::xtensor<double, 1>{0.25, 0.25, 0.25, 0.25}, 0.0));
    BOOST_TEST(all_near(evaluate(derivative(sum(M), M), M = Mv), xt::ones<double>({2, 3}), 0.0));
    BOOST_TEST(all_near(evaluate(derivative(mean(M), M), M = Mv), xt::ones<double>({2, 3}) / 6.0, 1e-15));
}

BOOST_AUTO_TEST_CASE(squared_error_gradient_wrt_a_vector) {
    constexpr auto L = sum(square(x - y));
    const auto g = evaluate(derivative(L, x), x = X, y = Y);
    BOOST_TEST(all_near(g, 2.0 * (X - Y), 1e-15));  // 2 (x - y)
    const auto fd = gradient_by_differences([&](const auto& P) { return evaluate(L, x = P, y = Y); }, X);
    BOOST_TEST(all_near(g, fd, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(mean_gradient_wrt_a_scalar_parameter_with_vector_data) {
    // L = mean(exp(a x)):  dL/da = mean(x e^(a x)), a number
    constexpr auto L = mean(exp(a * x));
    for (double av : {-0.5, 0.0, 0.8}) {
        BOOST_TEST_CONTEXT("a = " << av) {
            double expected = 0;
            for (double xi : X) expected += xi * std::exp(av * xi) / X.size();
            const double g = evaluate(derivative(L, a), a = av, x = X);
            BOOST_TEST(near(g, expected, 1e-14));
            BOOST_TEST(near(g, difference_quotient(L, a, av, x = X), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(float_data_gives_float_gradients) {
    const xt::xtensor<float, 1> Xf{0.5f, -1.0f, 2.0f};
    const auto g = evaluate(derivative(mean(square(x)), x), x = Xf);
    static_assert(std::is_same_v<typename decltype(g)::value_type, float>);
    BOOST_TEST(all_near(g, xt::xtensor<double, 1>{1.0 / 3, -2.0 / 3, 4.0 / 3}, 1e-6));
    const auto s = evaluate(mean(square(x)), x = Xf);
    static_assert(std::is_same_v<decltype(s), const float>);
}
