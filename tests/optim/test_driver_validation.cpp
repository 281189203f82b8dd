// The driver's checks before work: invalid options and losses are rejected, the gradient is
// checked against finite differences, a hand-derived gradient missing 1/n is caught.
#define BOOST_TEST_MODULE driver_validation
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "optim/driver_support.hpp"

using namespace symdiff;
using namespace driver_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(invalid_options_are_rejected_before_work) {
    const auto run = [](descent_options o) {
        return gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), o);
    };
    BOOST_CHECK_EXCEPTION(run({.learning_rate = 0.0}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "learning_rate"); });
    BOOST_CHECK_EXCEPTION(run({.learning_rate = -1.0}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "learning_rate"); });
    BOOST_CHECK_EXCEPTION(run({.steps = 0}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "steps"); });
    BOOST_CHECK_EXCEPTION(run({.batch_size = 10}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "batch_size"); });
    BOOST_CHECK_EXCEPTION(run({.threads = 0}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "threads"); });
    // the optimisers' constants, in torch.optim's ranges
    BOOST_CHECK_EXCEPTION(run({.method = momentum{.mu = 1.5}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "momentum{mu}") && message_has(e, "1.5"); });
    BOOST_CHECK_EXCEPTION(run({.method = momentum{.mu = -0.1}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "momentum{mu}"); });
    BOOST_CHECK_EXCEPTION(run({.method = adam{.beta1 = 1.0}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "adam{beta1}"); });
    BOOST_CHECK_EXCEPTION(run({.method = adam{.beta2 = -0.5}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "adam{beta2}"); });
    BOOST_CHECK_EXCEPTION(run({.method = adam{.eps = 0.0}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "adam{eps}"); });
    // the value given is written exactly (std::to_string wrote -1e-9 as -0.000000)
    BOOST_CHECK_EXCEPTION(run({.learning_rate = -1e-9}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "got -1e-09"); });
    BOOST_CHECK_EXCEPTION(run({.method = adam{.beta1 = 1 + 1e-9}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "got 1.000000001"); });
    // a schedule that would reach an infinite learning rate mid-run is refused before the first step
    BOOST_CHECK_EXCEPTION(run({.schedule = exponential_lr{.gamma = INFINITY}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "exponential_lr{gamma}"); });
    BOOST_CHECK_EXCEPTION(run({.schedule = step_lr{.step_size = 1, .gamma = INFINITY}}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "step_lr{gamma}"); });
    BOOST_CHECK_EXCEPTION(run({.schedule = cosine_annealing_lr{.t_max = 3, .eta_min = INFINITY}}),
                          invalid_argument_error, [](const auto& e) { return message_has(e, "eta_min"); });
    BOOST_CHECK_NO_THROW(run({.steps = 2, .method = momentum{.mu = 0.0}}));  // the edges that are allowed
    BOOST_CHECK_NO_THROW(run({.steps = 2, .method = adam{.beta1 = 0.0, .beta2 = 0.0}}));
    const xt::xtensor<double, 1> short_y{1, 2, 3}, empty{};
    BOOST_CHECK_EXCEPTION(
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = short_y)), invalid_argument_error,
        [](const auto& e) { return message_has(e, "'y' has 3") && message_has(e, "'x' has 4 rows"); });
    BOOST_CHECK_EXCEPTION(gradient_descent(scale_loss, params(w = 0.0), data(x = empty, y = empty)),
                          invalid_argument_error, [](const auto& e) { return message_has(e, "empty"); });
    const xt::xtensor<double, 1> nan_x{1, std::nan(""), 3, 4};
    BOOST_CHECK_EXCEPTION(gradient_descent(scale_loss, params(w = 0.0), data(x = nan_x, y = Y)), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "x[1]"); });
}

BOOST_AUTO_TEST_CASE(gradient_check_before_the_first_step) {
    const auto fit =
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.steps = 3, .check_gradient = true});
    BOOST_REQUIRE(fit.gradient_check.has_value());
    BOOST_TEST(fit.gradient_check->passed);
    BOOST_TEST(fit.gradient_check->checked == 1u);
}

BOOST_AUTO_TEST_CASE(hand_derived_gradient_missing_one_over_n_is_rejected) {
    // seed 001: np.dot(2x, y_pred - y).mean() is 4x too large
    const auto report = check_gradient(scale_loss, boost::hana::make_tuple(sum(2.0 * x * (w * x - y))), params(w = 0.0),
                                       data(x = X, y = Y));
    BOOST_TEST(!report.passed);
    BOOST_TEST(report.worst.analytic == -120.0);
    BOOST_TEST(report.worst.numeric == -30.0, tt::tolerance(1e-6));
    BOOST_TEST(report.worst.name == "w");
}

BOOST_AUTO_TEST_CASE(loss_that_is_not_a_number_is_rejected) {
    BOOST_CHECK_EXCEPTION(gradient_descent(square(w * x - y), params(w = 0.0), data(x = X, y = Y)),
                          invalid_argument_error,
                          [](const auto& e) { return message_has(e, "must be a number") && message_has(e, "mean()"); });
}
