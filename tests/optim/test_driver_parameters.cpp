// The driver's parameters and data: minibatches cover every row each epoch, a penalty outside the
// mean still gets its gradient.
#define BOOST_TEST_MODULE driver_parameters
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "optim/driver_support.hpp"

using namespace symdiff;
using namespace driver_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(minibatches_cover_every_row_each_epoch) {
    // With batch 2 of 4 rows, two steps make an epoch; the mean of the batch losses of an epoch at
    // fixed w equals the full loss. Use a tiny learning rate so w barely moves.
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                      {.learning_rate = 1e-12, .steps = 4, .batch_size = 2, .shuffle_seed = 7});
    BOOST_TEST(fit.loss_history.size() == 4u);
    BOOST_TEST((fit.loss_history[0] + fit.loss_history[1]) / 2 == 30.0, tt::tolerance(1e-9));
    BOOST_TEST((fit.loss_history[2] + fit.loss_history[3]) / 2 == 30.0, tt::tolerance(1e-9));
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

// (a parameter that the loss does not contain is a compile error: compile_fail/parameter_not_in_loss.cpp)
