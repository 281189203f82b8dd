// The driver's fault stops: divergence, non-finite losses, gradients and updates are reported
// with the step and the symbol, and the returned parameters are finite ones.
#define BOOST_TEST_MODULE driver_faults
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "optim/driver_support.hpp"

using namespace symdiff;
using namespace driver_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(divergence_stops_and_keeps_finite_parameters) {
    const auto fit =
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.5, .steps = 100});
    BOOST_TEST(!fit.ok());
    BOOST_TEST((fit.reason == stop_reason::diverged));
    BOOST_TEST(fit.message.find("step 6") != std::string::npos);
    BOOST_TEST(fit.message.find("learning rate") != std::string::npos);
    BOOST_TEST(std::isfinite(fit[w]));
}

BOOST_AUTO_TEST_CASE(non_finite_loss_names_the_step_and_keeps_last_finite) {
    // log(w) is NaN once w < 0; the first step jumps from w = 1 to w = 1 - 46 (gradient 45 + 1/w).
    const auto loss = mean(square(w * x + y)) + log(w);
    const auto fit = gradient_descent(loss, params(w = 1.0), data(x = X, y = Y), {.learning_rate = 1.0, .steps = 10});
    BOOST_TEST((fit.reason == stop_reason::non_finite));
    BOOST_TEST(fit.message.find("step 2") != std::string::npos);
    BOOST_TEST(fit[w] == 1.0);  // the parameters of step 1, the last finite loss
}

BOOST_AUTO_TEST_CASE(non_finite_gradient_names_the_symbol) {
    const auto loss = mean(sqrt(abs(w)) + square(b * x - y));  // d sqrt(|w|)/dw is infinite at 0
    const auto fit =
        gradient_descent(loss, params(w = 0.0, b = 0.0), data(x = X, y = Y), {.learning_rate = 0.01, .steps = 3});
    BOOST_TEST((fit.reason == stop_reason::non_finite));
    BOOST_TEST(fit.message.find("'w'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_update_that_overflows_stops_with_the_last_finite_parameters) {
    const xt::xtensor<double, 1> big{1e300}, target{0.0};
    const auto fit = gradient_descent(mean(w * x - y), params(w = 1.0), data(x = big, y = target),
                                      {.learning_rate = 1e10, .steps = 1});
    BOOST_TEST((fit.reason == stop_reason::non_finite));
    BOOST_TEST(fit[w] == 1.0);
    BOOST_TEST(fit.message.find("update made w non-finite") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(divergence_returns_the_lowest_loss_parameters) {
    const auto fit =
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.5, .steps = 100});
    BOOST_TEST((fit.reason == stop_reason::diverged));
    BOOST_TEST(fit[w] == 0.0);  // step 1 had the lowest loss (30); it only grew after
    BOOST_TEST(fit.message.find("lowest loss") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(nan_propagates_through_relu_min_max) {
    const double nan = std::nan("");
    BOOST_TEST(std::isnan(evaluate(relu(x), x = nan)));
    BOOST_TEST(std::isnan(evaluate(max(x, y), x = nan, y = 0.0)));
    BOOST_TEST(std::isnan(evaluate(min(x, y), x = 0.0, y = nan)));
}
