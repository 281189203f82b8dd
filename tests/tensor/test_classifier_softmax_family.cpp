// log_sum_exp, log_softmax, softmax and one_hot: values against direct loops (also for large
// scores, where a naive formula overflows), gradients against central differences.
#define BOOST_TEST_MODULE tensor_classifier_softmax_family
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <limits>
#include <string>

#include "tensor/classifier_support.hpp"

using namespace symdiff;
using namespace symdiff_test;
using namespace classifier_test;

BOOST_AUTO_TEST_CASE(softmax_family_values_and_stability) {
    const xt::xtensor<double, 2> Z{{1, 2, 3}, {1000, 1001, 1002}, {-1000, -1000, -1000}};
    const auto lse = evaluate(log_sum_exp(x), x = Z);
    const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    BOOST_TEST(all_near(lse, xt::xtensor<double, 2>{{l0}, {l0 + 999}, {-1000 + std::log(3.0)}}, 1e-14));
    const auto ls = evaluate(log_softmax(x), x = Z);
    const auto sm = evaluate(softmax(x), x = Z);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            BOOST_TEST(std::isfinite(ls(i, j)));
            BOOST_TEST(near(sm(i, j), std::exp(ls(i, j)), 1e-13));
        }
    BOOST_TEST(near(sm(0, 2), std::exp(3.0 - l0), 1e-15));
    BOOST_TEST(near(sm(2, 1), 1.0 / 3, 1e-15));
    // along axis 0: columns sum to one
    const auto s0 = evaluate(sum(softmax(x, axis<0>), axis<0>), x = Z);
    BOOST_TEST(all_near(s0, xt::ones<double>({1, 3}), 1e-14));
}

BOOST_AUTO_TEST_CASE(log_softmax_and_cross_entropy_keep_their_digits_for_large_logits) {
    // -log_softmax(z)_0 = log(1 + e^(z1 - z0)) exactly (log1p in double); written as
    // z0 - (m + log(total)), the log(total) is rounded away next to m = 1000 in float (6.1e-5 for
    // 4.54e-5). What float can give: log(total) to about its epsilon, 1.2e-7.
    const xt::xtensor<float, 2> Z{{1000.f, 990.f}, {1e5f, 1e5f}};
    const xt::xtensor<float, 1> labels{0.f, 0.f};
    const xt::xtensor<float, 2> ls = evaluate(log_softmax(x), x = Z);
    const xt::xtensor<float, 2> ce = evaluate(cross_entropy(log_softmax(x), y), x = Z, y = labels);
    for (std::size_t i = 0; i < 2; ++i) {
        const double exact = std::log1p(std::exp(double(Z(i, 1)) - double(Z(i, 0))));
        BOOST_TEST(near(-ls(i, 0), exact, 2e-7 + 1e-6 * exact),
                   "row " << i << ": " << -ls(i, 0) << " against " << exact);
        BOOST_TEST(near(ce(i, 0), exact, 2e-7 + 1e-6 * exact), "row " << i << ": " << ce(i, 0) << " against " << exact);
    }
    const xt::xtensor<double, 2> big{{1e17, 1e17}};
    BOOST_TEST(near(xt::xtensor<double, 2>(evaluate(log_softmax(x), x = big))(0, 0), -std::log(2.0), 1e-15));
}

BOOST_AUTO_TEST_CASE(softmax_family_gradients) {
    const auto X = random_matrix(5, 4, 4);
    const auto Wv = random_matrix(4, 3, 5);
    const auto z = dot(x, W);
    const auto loss = sum(sin(softmax(z)) * z) + sum(cos(log_softmax(z, axis<0>))) + mean(square(log_sum_exp(z))) +
                      sum(exp(log_sum_exp(z, axis<0>)));
    const auto g = evaluate(derivative(loss, W), x = X, W = Wv);
    BOOST_TEST(all_near(g, numeric_gradient(loss, Wv, x = X), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(one_hot_encoding) {
    const xt::xtensor<std::int32_t, 1> Y{2, 0, 1};
    const xt::xarray<double> expected{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}};
    BOOST_TEST(all_near(evaluate(one_hot<3>(y), y = Y), expected, 0));
    BOOST_TEST(all_near(evaluate(one_hot(y, 3), y = Y), expected, 0));
    BOOST_TEST(evaluate(one_hot(y, 5), y = Y).shape()[1] == 5u);
    BOOST_TEST(to_string(one_hot<3>(y)) == "one_hot(y, 3)");
    BOOST_CHECK_THROW(evaluate(one_hot<2>(y), y = Y), shape_error);
    // a label out of range is named with the operation and its labels, and the entry
    try {
        (void)evaluate(mean(cross_entropy(log_softmax(x), y)), x = xt::xtensor<double, 2>{{1, 2}, {3, 4}, {5, 6}},
                       y = Y);
        BOOST_TEST(false, "no shape_error for label 2 of 2 classes");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("cross_entropy") != std::string::npos, m);
        BOOST_TEST(m.find("label 2 at entry 0 is outside 0..1") != std::string::npos, m);
    }
    // huge and infinite labels are named as they are (casting them to an integer is undefined)
    for (const double label : {1e20, std::numeric_limits<double>::infinity()}) {
        try {
            (void)evaluate(mean(cross_entropy(log_softmax(x), y)), x = xt::xtensor<double, 2>{{1, 2}},
                           y = xt::xtensor<double, 1>{label});
            BOOST_TEST(false, "no shape_error for label " << label);
        } catch (const shape_error& e) {
            const std::string m = e.what();
            BOOST_TEST(m.find(label > 1e30 ? "label inf at entry 0" : "label 1e+20 at entry 0") != std::string::npos,
                       m);
        }
    }
    // float labels beyond 2^24 may have been rounded (16777217 reads 16777216): refused
    try {
        (void)evaluate(one_hot(y, 16777218), y = xt::xtensor<float, 1>{16777217.0f});
        BOOST_TEST(false, "no shape_error for label 16777217 in float");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(
            m.find("label 16777216 at entry 0 is not below 16777216 in magnitude, where float") != std::string::npos,
            m);
    }
    // in a program that runs in blocks of rows, the entry is the row of the whole array, not of its block
    {
        const std::size_t n = 50000, bad = 43210;
        const xt::xtensor<double, 2> X = xt::zeros<double>({n, std::size_t(2)});
        xt::xtensor<double, 1> labels = xt::zeros<double>({n});
        labels(bad) = 7;
        auto step = compile(rows(x, y), mean(cross_entropy(log_softmax(x), y)), sum(one_hot<2>(y) * x));
        counters().reset();
        try {
            (void)step(x = X, y = labels);
            BOOST_TEST(false, "no shape_error for label 7 of 2 classes");
        } catch (const shape_error& e) {
            const std::string m = e.what();
            BOOST_TEST(counters().row_blocks > 1u);  // the blocked path ran
            BOOST_TEST(m.find("label 7 at entry 43210 is outside 0..1") != std::string::npos, m);
        }
    }
    // a function of labels only: no derivative with respect to anything else
    BOOST_TEST((std::is_same_v<decltype(derivative(sum(one_hot<3>(y) * W), y)), zero_t> ||
                evaluate(derivative(sum(one_hot<3>(y) * W), y), y = Y, W = random_matrix(3, 3, 6)) == 0));
}
