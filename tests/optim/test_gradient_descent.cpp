// The driver: seed numbers, optimisers against their update equations, faults, invalid options,
// minibatches, saving and loading.
#define BOOST_TEST_MODULE gradient_descent
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;
namespace tt = boost::test_tools;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
const xt::xtensor<double, 1> X{1, 2, 3, 4}, Y{2, 4, 6, 8};
constexpr auto scale_loss = mean(square(w * x - y));

template <class E>
bool message_has(const E& e, const std::string& part) {
    return std::string(e.what()).find(part) != std::string::npos;
}
}  // namespace

BOOST_AUTO_TEST_CASE(seed_001_numbers) {
    std::ostringstream log;
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                      {.learning_rate = 0.01, .steps = 20, .log_every = 10, .log = &log});
    BOOST_TEST(fit.ok());
    BOOST_TEST(fit.loss_history.front() == 30.0);
    BOOST_TEST(fit.loss_history.size() == 20u);
    BOOST_TEST(fit.final_loss() == 0.06237929065, tt::tolerance(1e-9));  // bench-peers W1 final_loss
    BOOST_TEST(std::round(fit[w] * 5 * 1000) / 1000 == 9.612);
    BOOST_TEST(log.str().find("step 10: loss = ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(momentum_matches_torch_sgd_equations) {
    // v = mu v + g (v = g at step 1); w -= lr v. Replay by hand with the closed-form gradient.
    const double lr = 0.01, mu = 0.9;
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                      {.learning_rate = lr, .steps = 5, .method = momentum{mu}, .divergence_patience = 0});
    double wv = 0, v = 0;
    for (int t = 1; t <= 5; ++t) {
        const double g = -15.0 * (2.0 - wv);  // d/dw mean((w x - 2x)^2) = 2 (w - 2) mean(x^2) = 15 (w - 2)
        v = t == 1 ? g : mu * v + g;
        wv -= lr * v;
    }
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(adam_matches_torch_adam_equations) {
    const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                      {.learning_rate = lr, .steps = 7, .method = adam{}, .divergence_patience = 0});
    double wv = 0, m = 0, v = 0;
    for (int t = 1; t <= 7; ++t) {
        const double g = 15.0 * (wv - 2.0);
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        wv -= lr * (m / (1 - std::pow(b1, t))) / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
    }
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(vector_parameter_and_data_untouched) {
    const xt::xtensor<double, 2> M{{1, 1}, {2, 1}, {3, 1}, {4, 1}};
    const xt::xtensor<double, 1> A0{0.0, 0.0};
    const auto fit = gradient_descent(mean(square(dot(x, a) - y)), params(a = A0), data(x = M, y = Y),
                                      {.learning_rate = 0.05, .steps = 2000});
    BOOST_TEST(fit[a](0) == 2.0, tt::tolerance(1e-6));
    BOOST_TEST(std::abs(fit[a](1)) < 1e-6);
    BOOST_TEST(A0(0) == 0.0);  // the initial values were copied, not updated
}

BOOST_AUTO_TEST_CASE(divergence_stops_and_keeps_finite_parameters) {
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.5, .steps = 100});
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
    const auto fit = gradient_descent(loss, params(w = 0.0, b = 0.0), data(x = X, y = Y), {.learning_rate = 0.01, .steps = 3});
    BOOST_TEST((fit.reason == stop_reason::non_finite));
    BOOST_TEST(fit.message.find("'w'") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(invalid_options_are_rejected_before_work) {
    const auto run = [](descent_options o) { return gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), o); };
    BOOST_CHECK_EXCEPTION(run({.learning_rate = 0.0}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "learning_rate"); });
    BOOST_CHECK_EXCEPTION(run({.learning_rate = -1.0}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "learning_rate"); });
    BOOST_CHECK_EXCEPTION(run({.steps = 0}), invalid_argument_error, [](const auto& e) { return message_has(e, "steps"); });
    BOOST_CHECK_EXCEPTION(run({.batch_size = 10}), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "batch_size"); });
    const xt::xtensor<double, 1> short_y{1, 2, 3}, empty{};
    BOOST_CHECK_EXCEPTION(gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = short_y)), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "'y' has 3") && message_has(e, "'x' has 4 rows"); });
    BOOST_CHECK_EXCEPTION(gradient_descent(scale_loss, params(w = 0.0), data(x = empty, y = empty)), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "empty"); });
    const xt::xtensor<double, 1> nan_x{1, std::nan(""), 3, 4};
    BOOST_CHECK_EXCEPTION(gradient_descent(scale_loss, params(w = 0.0), data(x = nan_x, y = Y)), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "x[1]"); });
}

BOOST_AUTO_TEST_CASE(gradient_check_before_the_first_step) {
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.steps = 3, .check_gradient = true});
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

BOOST_AUTO_TEST_CASE(loss_that_is_not_a_number_is_rejected) {
    BOOST_CHECK_EXCEPTION(gradient_descent(square(w * x - y), params(w = 0.0), data(x = X, y = Y)), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "must be a number") && message_has(e, "mean()"); });
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
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.5, .steps = 100});
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
