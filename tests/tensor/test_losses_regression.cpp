// The regression losses mse, mae and rmse: values against their definitions, gradients through a
// linear model against central differences.
#define BOOST_TEST_MODULE losses_regression
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include "tensor/classifier_support.hpp"

using namespace symdiff;
using namespace symdiff_test;
using namespace classifier_test;

BOOST_AUTO_TEST_CASE(regression_losses) {
    const xt::xtensor<double, 1> P{0.2, 0.7, 0.9}, T{0.0, 1.0, 1.0};
    const auto p = symbol<"p">;
    const auto t = symbol<"t">;
    BOOST_TEST(near(evaluate(mse(p, t), p = P, t = T), (0.04 + 0.09 + 0.01) / 3, 1e-15));
    BOOST_TEST(near(evaluate(mae(p, t), p = P, t = T), (0.2 + 0.3 + 0.1) / 3, 1e-15));
    BOOST_TEST(near(evaluate(rmse(p, t), p = P, t = T), std::sqrt((0.04 + 0.09 + 0.01) / 3), 1e-15));

    // gradients through a linear model, against finite differences
    const auto X = random_matrix(5, 3, 12);
    const auto Wv = random_matrix(3, 2, 13);
    const auto Tm = random_matrix(5, 2, 14);
    const auto pred = dot(x, W);
    BOOST_TEST(all_near(evaluate(derivative(mse(pred, t), W), x = X, W = Wv, t = Tm),
                        numeric_gradient(mse(pred, t), Wv, x = X, t = Tm), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(mae(pred, t), W), x = X, W = Wv, t = Tm),
                        numeric_gradient(mae(pred, t), Wv, x = X, t = Tm), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(rmse(pred, t), W), x = X, W = Wv, t = Tm),
                        numeric_gradient(rmse(pred, t), Wv, x = X, t = Tm), fd_tolerance));
}
