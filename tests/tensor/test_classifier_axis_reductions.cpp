// Reductions along an axis (keepdims): values against direct loops, gradients against central
// differences, the first maximum taking the whole gradient, forward mode.
#define BOOST_TEST_MODULE tensor_classifier_axis_reductions
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include "tensor/classifier_support.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;
using namespace classifier_test;

BOOST_AUTO_TEST_CASE(axis_reductions_keep_the_axis) {
    const xt::xtensor<double, 2> X{{1, 5, 3}, {4, 6, 6}};
    const auto s1 = evaluate(sum(x, axis<1>), x = X);
    BOOST_TEST((s1.shape() == std::vector<std::size_t>{2, 1}));
    BOOST_TEST(all_near(s1, xt::xtensor<double, 2>{{9.0}, {16.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(sum(x, axis<0>), x = X), xt::xtensor<double, 2>{{5.0, 11.0, 9.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(mean(x, axis<-1>), x = X), xt::xtensor<double, 2>{{3.0}, {16.0 / 3}}, 1e-15));
    BOOST_TEST(all_near(evaluate(max(x, axis<1>), x = X), xt::xtensor<double, 2>{{5.0}, {6.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(max(x, axis<0>), x = X), xt::xtensor<double, 2>{{4.0, 6.0, 6.0}}, 1e-15));
    // ties: the first maximum
    BOOST_TEST(all_near(evaluate(argmax_mask(x, axis<1>), x = X), xt::xarray<double>{{0, 1, 0}, {0, 1, 0}}, 0));
    BOOST_TEST(to_string(sum(x, axis<1>)) == "sum(x, axis=1)");
    BOOST_TEST(to_string(max(x, axis<-1>)) == "max(x, axis=-1)");
    // a 3-d operand, middle axis
    xt::xtensor<double, 3> T3 = xt::reshape_view(xt::arange<double>(24), {2, 3, 4});
    xt::xarray<double> expected = xt::sum(T3, {1}, xt::keep_dims);
    BOOST_TEST(all_near(evaluate(sum(x, axis<1>), x = T3), expected, 1e-15));
    BOOST_CHECK_THROW(evaluate(sum(x, axis<2>), x = X), shape_error);
}

BOOST_AUTO_TEST_CASE(float_sums_along_an_axis_keep_float_precision) {
    // 2 x 10^5 floats near 100 in a column: summed in float the mean drifts by about 1e-5 relative;
    // the reference adds the same floats in double
    const std::size_t n = 200000;
    xt::xtensor<float, 2> X = xt::xtensor<float, 2>::from_shape({n, 2});
    double column[2] = {0, 0};
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < 2; ++j) {
            X(i, j) = 100.0f + 0.001f * static_cast<float>((i * 7919 + j * 104729) % 1000);
            column[j] += X(i, j);
        }
    const xt::xtensor<float, 2> m = evaluate(mean(x, axis<0>), x = X);
    const xt::xtensor<float, 2> s = evaluate(sum(x, axis<0>), x = X);
    for (std::size_t j = 0; j < 2; ++j) {
        BOOST_TEST(near(m(0, j), column[j] / n, 2e-7 * column[j] / n), m(0, j) << " against " << column[j] / n);
        BOOST_TEST(near(s(0, j), column[j], 2e-7 * column[j]), s(0, j) << " against " << column[j]);
    }
    // a bias's gradient, the sum over the rows onto its shape: d mean((x + b)^2) / db = 2 mean(x + b)
    const xt::xtensor<float, 1> b0{0.0f, 0.0f};
    const xt::xtensor<float, 1> g = evaluate(derivative(mean(square(x + b)), b), x = X, b = b0);
    for (std::size_t j = 0; j < 2; ++j)
        BOOST_TEST(near(g(j), column[j] / n, 2e-7 * column[j] / n), g(j) << " against " << column[j] / n);
}

BOOST_AUTO_TEST_CASE(axis_reduction_gradients) {
    const auto X = random_matrix(4, 3, 1);
    const auto Wv = random_matrix(4, 3, 2);
    const auto loss = sum(square(max(x * W, axis<1>))) + sum(sin(mean(x * W, axis<0>))) +
                      sum(cos(sum(x * W, axis<-1>))) + mean(exp(max(W, axis<0>)));
    const auto g = evaluate(derivative(loss, W), x = X, W = Wv);
    BOOST_TEST(all_near(g, numeric_gradient(loss, Wv, x = X), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(max_gradient_goes_to_the_first_maximum) {
    const xt::xtensor<double, 2> Wv{{2, 7, 7}, {1, 1, 0}};
    const auto g = evaluate(derivative(sum(max(W, axis<1>)), W), W = Wv);
    BOOST_TEST(all_near(g, xt::xarray<double>{{0, 1, 0}, {1, 0, 0}}, 0));
}

BOOST_AUTO_TEST_CASE(axis_reductions_forward_mode) {
    const auto X = random_matrix(2, 3, 3);
    // the derivative along all ones, jvp(f, x, 1): every element of x moves together
    // d/dt sum(x + t, axis 1) = 3 for every row
    BOOST_TEST(all_near(evaluate(jvp(sum(x, axis<1>), x, 1_c), x = X), xt::xtensor<double, 2>{{3.0}, {3.0}}, 1e-15));
    BOOST_TEST(
        all_near(evaluate(jvp(mean(x, axis<0>), x, 1_c), x = X), xt::xtensor<double, 2>{{1.0, 1.0, 1.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(jvp(max(x, axis<0>), x, 1_c), x = X), xt::xtensor<double, 2>{{1.0, 1.0, 1.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(jvp(log_sum_exp(x), x, 1_c), x = X), xt::xtensor<double, 2>{{1.0}, {1.0}}, 1e-14));
    // log_softmax(x + t) = log_softmax(x): 0 for every element
    BOOST_TEST(all_near(evaluate(jvp(log_softmax(x), x, 1_c), x = X), xt::zeros<double>({2, 3}), 1e-14));
    // derivative(f, x) of these is a Jacobian with x bound to an array: the evaluation says so
    BOOST_CHECK_THROW(evaluate(derivative(sum(x, axis<1>), x), x = X), shape_error);
    BOOST_CHECK_THROW(evaluate(derivative(log_softmax(x), x), x = X), shape_error);
}
