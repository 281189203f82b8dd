// The driver's parameters and data: vector parameters (the user's arrays untouched), minibatches
// covering every row, saving and loading, penalties outside the mean, ignored parameters.
#define BOOST_TEST_MODULE driver_parameters
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "optim/driver_support.hpp"

using namespace symdiff;
using namespace driver_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(vector_parameter_and_data_untouched) {
    const xt::xtensor<double, 2> M{{1, 1}, {2, 1}, {3, 1}, {4, 1}};
    const xt::xtensor<double, 1> A0{0.0, 0.0};
    const auto fit = gradient_descent(mean(square(dot(x, a) - y)), params(a = A0), data(x = M, y = Y),
                                      {.learning_rate = 0.05, .steps = 2000});
    BOOST_TEST(fit[a](0) == 2.0, tt::tolerance(1e-6));
    BOOST_TEST(std::abs(fit[a](1)) < 1e-6);
    BOOST_TEST(A0(0) == 0.0);  // the initial values were copied, not updated
}

BOOST_AUTO_TEST_CASE(minibatches_cover_every_row_each_epoch) {
    // With batch 2 of 4 rows, two steps make an epoch; the mean of the batch losses of an epoch at
    // fixed w equals the full loss. Use a tiny learning rate so w barely moves.
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                      {.learning_rate = 1e-12, .steps = 4, .batch_size = 2, .shuffle_seed = 7});
    BOOST_TEST(fit.loss_history.size() == 4u);
    BOOST_TEST((fit.loss_history[0] + fit.loss_history[1]) / 2 == 30.0, tt::tolerance(1e-9));
    BOOST_TEST((fit.loss_history[2] + fit.loss_history[3]) / 2 == 30.0, tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(save_and_load_npy) {
    const auto dir = (std::filesystem::temp_directory_path() / "symdiff_test_save").string();
    const xt::xtensor<double, 2> M{{1, 1}, {2, 1}, {3, 1}, {4, 1}};
    const auto fit = gradient_descent(mean(square(dot(x, a) + b - y)), params(a = xt::xtensor<double, 1>{0.0, 0.0}, b = 0.5),
                                      data(x = M, y = Y), {.learning_rate = 0.01, .steps = 5});
    save_npy(fit, dir);
    auto p = params(a = xt::xtensor<double, 1>{9.0, 9.0}, b = 9.0);
    load_npy(p, dir);
    BOOST_TEST(p[a](0) == fit[a](0));
    BOOST_TEST(p[a](1) == fit[a](1));
    BOOST_TEST(p[b] == fit[b]);
    BOOST_TEST(load_npy_vector<double>(dir + "/loss.npy").size() == 5u);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(penalty_outside_the_mean_still_gives_the_gradient) {
    // mean(...) + 0.01 * square(b): a loss with a symbol outside the reduction is still
    // differentiated as a loss (reverse mode), also for the vector parameter.
    const xt::xtensor<double, 2> M{{1, 2}, {3, 4}, {5, 6}};
    const xt::xtensor<double, 1> T{1, 2, 3}, A{0.5, -0.5};
    const auto loss = mean(square(dot(x, a) + b - y)) + 0.01 * square(b);
    const auto g = evaluate(derivative(loss, a), x = M, a = A, b = 0.25, y = T);
    const xt::xtensor<double, 1> r = xt::linalg::dot(M, A) + 0.25 - T;
    for (std::size_t j = 0; j < 2; ++j) {
        double expect = 0;
        for (std::size_t i = 0; i < 3; ++i) expect += 2 * r(i) * M(i, j) / 3;
        BOOST_TEST(g(j) == expect, tt::tolerance(1e-12));
    }
    const auto report = check_gradient(loss, params(a = A, b = 0.25), data(x = M, y = T));
    BOOST_TEST(report.passed, report.summary());
}

BOOST_AUTO_TEST_CASE(parameter_the_loss_ignores_gets_zero_gradient) {
    const auto fit = gradient_descent(scale_loss, params(w = 0.0, a = xt::xtensor<double, 1>{1.0, 2.0}),
                                      data(x = X, y = Y), {.steps = 3});
    BOOST_TEST(fit.ok());
    BOOST_TEST(fit[a](0) == 1.0);
    BOOST_TEST(fit[a](1) == 2.0);
}
