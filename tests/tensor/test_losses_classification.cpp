// The classification losses binary_cross_entropy[_with_logits], softmax_cross_entropy and
// nll_loss: values against their definitions, gradients through a linear model against central
// differences.
#define BOOST_TEST_MODULE losses_classification
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include "tensor/classifier_support.hpp"

using namespace symdiff;
using namespace symdiff_test;
using namespace classifier_test;

BOOST_AUTO_TEST_CASE(classification_losses) {
    const xt::xtensor<double, 1> P{0.2, 0.7, 0.9}, T{0.0, 1.0, 1.0};
    const auto p = symbol<"p">;
    const auto t = symbol<"t">;
    const double bce = -(std::log(0.8) + std::log(0.7) + std::log(0.9)) / 3;
    BOOST_TEST(near(evaluate(binary_cross_entropy(p, t), p = P, t = T), bce, 1e-15));
    const xt::xtensor<double, 1> Zl = xt::log(P / (1.0 - P));
    BOOST_TEST(near(evaluate(binary_cross_entropy_with_logits(p, t), p = Zl, t = T), bce, 1e-14));

    // gradients through a linear model, against finite differences
    const auto X = random_matrix(5, 3, 12);
    const auto Wv = random_matrix(3, 2, 13);
    const auto Tm = random_matrix(5, 2, 14);
    const xt::xtensor<double, 2> T01 = xt::cast<double>(Tm > 0.0);
    const xt::xtensor<std::int32_t, 1> Y{1, 0, 1, 1, 0};
    const auto pred = dot(x, W);
    BOOST_TEST(all_near(evaluate(derivative(binary_cross_entropy(sigmoid(pred), t), W), x = X, W = Wv, t = T01),
                        numeric_gradient(binary_cross_entropy(sigmoid(pred), t), Wv, x = X, t = T01), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(binary_cross_entropy_with_logits(pred, t), W), x = X, W = Wv, t = T01),
                        numeric_gradient(binary_cross_entropy_with_logits(pred, t), Wv, x = X, t = T01), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(softmax_cross_entropy(pred, y), W), x = X, W = Wv, y = Y),
                        numeric_gradient(softmax_cross_entropy(pred, y), Wv, x = X, y = Y), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(nll_loss(log_softmax(pred) * 1.0, y), W), x = X, W = Wv, y = Y),
                        numeric_gradient(softmax_cross_entropy(pred, y), Wv, x = X, y = Y), fd_tolerance));
}
