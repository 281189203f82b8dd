// The driver's optimisers: plain SGD reproduces the seed-001 numbers, momentum and Adam follow
// PyTorch's update equations.
#define BOOST_TEST_MODULE driver_optimisers
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include "optim/driver_support.hpp"

using namespace symdiff;
using namespace driver_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(seed_001_numbers) {
    std::ostringstream log;
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                      {.learning_rate = 0.01, .steps = 20, .log_every = 10, .log = &log});
    BOOST_TEST(fit.ok());
    BOOST_TEST(fit.loss_history.front() == 30.0);
    BOOST_TEST(fit.loss_history.size() == 20u);
    BOOST_TEST(fit.loss_history.back() == 0.06237929065, tt::tolerance(1e-9));  // bench-peers W1 final_loss
    // final_loss(): the loss at the fitted w, mean((w x - 2 x)^2) = 7.5 (w - 2)^2 for x = 1..4
    BOOST_TEST(fit.final_loss() == 7.5 * (fit[w] - 2) * (fit[w] - 2), tt::tolerance(1e-12));
    BOOST_TEST(fit.steps_taken == 20u);
    BOOST_TEST(std::round(fit[w] * 5 * 1000) / 1000 == 9.612);
    BOOST_TEST(log.str().find("step 10: loss = ") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(momentum_matches_torch_sgd_equations) {
    // v = mu v + g (v = g at step 1); w -= lr v. Replay by hand with the closed-form gradient.
    const double lr = 0.01, mu = 0.9;
    const auto fit =
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
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
