// The softmax-regression loss: its gradient prints as the textbook one, uses a single matrix
// product, broadcasts the bias and agrees with central differences; bad labels are reported; float data
// gives float results.
#define BOOST_TEST_MODULE tensor_classifier_softmax_regression
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include "tensor/classifier_support.hpp"

using namespace symdiff;
using namespace symdiff_test;
using namespace classifier_test;

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_gradient_is_the_textbook_one) {
    const auto X = random_matrix(6, 4, 7);
    const auto Wv = random_matrix(4, 3, 8);
    const xt::xtensor<double, 1> bv{0.1, -0.2, 0.3};
    const xt::xtensor<std::int32_t, 1> Y{0, 2, 1, 1, 0, 2};
    const auto z = dot(x, W) + b;
    const auto loss = mean(cross_entropy(log_softmax(z), y));
    const auto dW = derivative(loss, W);
    const auto db = derivative(loss, b);

    BOOST_TEST(to_string(loss) == "mean(cross_entropy(log_softmax(dot(x, W) + b), y))");
    BOOST_TEST(to_string(dW) == "dot(transpose(x), (softmax(dot(x, W) + b) - one_hot(y)) / n)");
    static_assert(products<std::remove_cvref_t<decltype(dW)>>::value ==
                  2);  // the forward X W (inside softmax) and X^T G
    static_assert(
        products<std::remove_cvref_t<decltype(dW)>>::value - products<std::remove_cvref_t<decltype(z)>>::value == 1);
    {
        // One evaluate call of (loss, dW, db), as the driver makes: the scores z and the residual
        // G = (softmax(z) - one_hot(y)) / n are each computed once and shared.
        using Z = std::remove_cvref_t<decltype(z)>;
        using G = std::remove_cvref_t<decltype(dW.template arg<1>().template arg<0>())>;
        using program = detail::program_of<std::remove_cvref_t<decltype(loss)>, std::remove_cvref_t<decltype(dW)>,
                                           std::remove_cvref_t<decltype(db)>>;
        static_assert(program::index_of<Z>() >= 0 && program::index_of<G>() >= 0);
        BOOST_TEST(to_string(G{}) == "(softmax(dot(x, W) + b) - one_hot(y)) / n");
    }

    // value: the fused form equals the generic one and the direct formula
    const double fused = evaluate(loss, x = X, W = Wv, b = bv, y = Y);
    const double generic = evaluate(mean(cross_entropy(z - log_sum_exp(z), y)), x = X, W = Wv, b = bv, y = Y);
    BOOST_TEST(near(fused, generic, 1e-14));
    const xt::xarray<double> Zv = xt::linalg::dot(X, Wv) + bv;
    double direct = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < 3; ++j) s += std::exp(Zv(i, j));
        direct += std::log(s) - Zv(i, static_cast<std::size_t>(Y(i)));
    }
    BOOST_TEST(near(fused, direct / 6, 1e-14));

    const auto gW = evaluate(dW, x = X, W = Wv, b = bv, y = Y);
    BOOST_TEST(all_near(gW, numeric_gradient(loss, Wv, x = X, b = bv, y = Y), fd_tolerance));
    // the hand-written gradient
    const xt::xarray<double> G =
        (evaluate(softmax(z), x = X, W = Wv, b = bv, y = Y) - evaluate(one_hot<3>(y), y = Y)) / 6.0;
    BOOST_TEST(all_near(gW, xt::linalg::dot(xt::transpose(X), G), 1e-14));
    // bias broadcast over the rows: its gradient is the column sum
    const auto gb = evaluate(db, x = X, W = Wv, b = bv, y = Y);
    BOOST_TEST((gb.shape() == std::vector<std::size_t>{3}));
    BOOST_TEST(all_near(gb, xt::sum(G, {0}), 1e-14));
    // the generic cross-entropy (no fusion) has the same gradient
    const auto generic_loss = mean(cross_entropy(log_softmax(z) * 1.0, y));
    BOOST_TEST(all_near(evaluate(derivative(generic_loss, W), x = X, W = Wv, b = bv, y = Y), gW, 1e-13));
    // a weighted sum of the per-row losses
    const auto weighted = sum(cross_entropy(log_softmax(z), y) * sum(x, axis<1>));
    BOOST_TEST(all_near(evaluate(derivative(weighted, W), x = X, W = Wv, b = bv, y = Y),
                        numeric_gradient(weighted, Wv, x = X, b = bv, y = Y), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(cross_entropy_label_errors) {
    const auto X = random_matrix(2, 3, 9);
    BOOST_CHECK_THROW(evaluate(mean(cross_entropy(log_softmax(x), y)), x = X, y = xt::xtensor<std::int32_t, 1>{0, 3}),
                      shape_error);
    BOOST_CHECK_THROW(
        evaluate(mean(cross_entropy(log_softmax(x), y)), x = X, y = xt::xtensor<std::int32_t, 1>{0, 1, 2}),
        shape_error);
}

BOOST_AUTO_TEST_CASE(models_evaluate_in_float) {
    const xt::xtensor<float, 2> X = xt::cast<float>(random_matrix(6, 4, 10));
    const xt::xtensor<float, 2> Wv = xt::cast<float>(random_matrix(4, 3, 11));
    const xt::xtensor<float, 1> bv{0.1f, -0.2f, 0.3f};
    const xt::xtensor<std::int32_t, 1> Y{0, 2, 1, 1, 0, 2};
    const auto loss = softmax_cross_entropy(dot(x, W) + b, y);
    const auto values =
        evaluate(boost::hana::make_tuple(loss, derivative(loss, W), derivative(loss, b)), x = X, W = Wv, b = bv, y = Y);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(boost::hana::at_c<0>(values))>, float>);
    static_assert(
        std::is_same_v<typename std::remove_cvref_t<decltype(boost::hana::at_c<1>(values))>::value_type, float>);
    static_assert(
        std::is_same_v<typename std::remove_cvref_t<decltype(boost::hana::at_c<2>(values))>::value_type, float>);
    const xt::xtensor<double, 2> Xd = X, Wd = Wv;
    const xt::xtensor<double, 1> bd = bv;
    const double ld = evaluate(loss, x = Xd, W = Wd, b = bd, y = Y);
    BOOST_TEST(near(boost::hana::at_c<0>(values), ld, 1e-6));
    BOOST_TEST(
        all_near(boost::hana::at_c<1>(values), evaluate(derivative(loss, W), x = Xd, W = Wd, b = bd, y = Y), 1e-6));
}
