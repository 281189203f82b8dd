// The training rules that torch.optim users reach for, each replayed by hand with PyTorch's
// equations written out: learning-rate schedules, weight decay (SGD's L2, Adam's L2, AdamW's
// decoupled form), gradient clipping by value and by global norm, a learning rate per parameter;
// and the validation of their options.
#define BOOST_TEST_MODULE training_rules
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "optim/driver_support.hpp"

using namespace symdiff;
using namespace driver_test;
namespace tt = boost::test_tools;

namespace {

// scale_loss = mean((w x - y)^2) with x = 1..4, y = 2x: dL/dw = 2 (w - 2) mean(x^2) = 15 (w - 2).
double scale_gradient(double wv) { return 15.0 * (wv - 2.0); }

/// Plain SGD replayed by hand with the learning rate lr(e) of step e + 1 (full batch: e is the epoch).
double sgd_replay(std::size_t steps, const std::function<double(std::size_t)>& lr) {
    double wv = 0;
    for (std::size_t e = 0; e < steps; ++e) wv -= lr(e) * scale_gradient(wv);
    return wv;
}

/// The rates a run used, as its callback saw them.
template <class Options>
std::pair<double, std::vector<double>> run_rates(const Options& o) {
    std::vector<double> rates;
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), o,
                                      [&](const auto& s) { rates.push_back(s.learning_rate); });
    BOOST_TEST(fit.ok(), fit.message);
    return {fit[w], rates};
}

}  // namespace

BOOST_AUTO_TEST_CASE(step_lr_multiplies_by_gamma_every_step_size_epochs) {
    const auto [wv, rates] = run_rates(descent_options{.learning_rate = 0.02, .steps = 7, .schedule = step_lr{3, 0.5}});
    const std::vector<double> expect{0.02, 0.02, 0.02, 0.01, 0.01, 0.01, 0.005};  // lr0 gamma^floor(e/3)
    BOOST_TEST(rates == expect, tt::per_element());
    BOOST_TEST(wv == sgd_replay(7, [&](std::size_t e) { return expect[e]; }), tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(exponential_lr_multiplies_by_gamma_every_epoch) {
    const auto [wv, rates] =
        run_rates(descent_options{.learning_rate = 0.03, .steps = 4, .schedule = exponential_lr{0.9}});
    const std::vector<double> expect{0.03, 0.027, 0.0243, 0.02187};
    BOOST_TEST(rates == expect, tt::tolerance(1e-14) << tt::per_element());
    BOOST_TEST(wv == sgd_replay(4, [&](std::size_t e) { return expect[e]; }), tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(cosine_annealing_follows_its_closed_form) {
    // eta_min + (lr0 - eta_min) (1 + cos(pi e / T)) / 2 with lr0 = 0.04, eta_min = 0.01, T = 4:
    // e = 0..4: 0.04, 0.01 + 0.015 (1 + 1/sqrt2), 0.025, 0.01 + 0.015 (1 - 1/sqrt2), 0.01
    const auto [wv, rates] = run_rates(descent_options{
        .learning_rate = 0.04, .steps = 5, .schedule = cosine_annealing_lr{.t_max = 4, .eta_min = 0.01}});
    const double r = 1 / std::sqrt(2.0);
    const std::vector<double> expect{0.04, 0.01 + 0.015 * (1 + r), 0.025, 0.01 + 0.015 * (1 - r), 0.01};
    BOOST_TEST(rates == expect, tt::tolerance(1e-14) << tt::per_element());
    BOOST_TEST(wv == sgd_replay(5, [&](std::size_t e) { return expect[e]; }), tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(linear_lr_warms_up_then_holds) {
    // LinearLR(start_factor = 0.25, end_factor = 1, total_iters = 3): lr0 (0.25 + 0.75 min(e, 3) / 3)
    const auto [wv, rates] =
        run_rates(descent_options{.learning_rate = 0.04,
                                  .steps = 5,
                                  .schedule = linear_lr{.start_factor = 0.25, .end_factor = 1, .total_iters = 3}});
    const std::vector<double> expect{0.01, 0.02, 0.03, 0.04, 0.04};
    BOOST_TEST(rates == expect, tt::tolerance(1e-14) << tt::per_element());
    BOOST_TEST(wv == sgd_replay(5, [&](std::size_t e) { return expect[e]; }), tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(lambda_lr_multiplies_by_the_factor) {
    const auto [wv, rates] = run_rates(descent_options{
        .learning_rate = 0.05, .steps = 3, .schedule = lambda_lr{[](std::size_t e) { return 1.0 / double(e + 1); }}});
    const std::vector<double> expect{0.05, 0.025, 0.05 / 3};
    BOOST_TEST(rates == expect, tt::tolerance(1e-14) << tt::per_element());
    BOOST_TEST(wv == sgd_replay(3, [&](std::size_t e) { return expect[e]; }), tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(schedules_step_per_epoch_with_minibatches) {
    // 4 rows in batches of 2: two steps per epoch, the rate changes between epochs.
    const auto [wv, rates] = run_rates(descent_options{
        .learning_rate = 0.02, .steps = 6, .schedule = step_lr{1, 0.5}, .batch_size = 2, .divergence_patience = 0});
    (void)wv;
    const std::vector<double> expect{0.02, 0.02, 0.01, 0.01, 0.005, 0.005};
    BOOST_TEST(rates == expect, tt::per_element());
}

BOOST_AUTO_TEST_CASE(sgd_weight_decay_adds_the_l2_gradient) {
    // torch.optim.SGD(weight_decay = wd): g += wd p; p -= lr g
    const double lr = 0.01, wd = 0.5;
    const auto fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                      {.learning_rate = lr, .steps = 6, .method = sgd{.weight_decay = wd}});
    double wv = 0;
    for (int t = 0; t < 6; ++t) wv -= lr * (scale_gradient(wv) + wd * wv);
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-13));
    // the fixed point of the decayed problem: 15 (w - 2) + wd w = 0
    const auto long_fit = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                                           {.learning_rate = lr, .steps = 400, .method = sgd{.weight_decay = wd}});
    BOOST_TEST(long_fit[w] == 30.0 / (15.0 + wd), tt::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(momentum_weight_decay_enters_the_buffer) {
    const double lr = 0.01, mu = 0.8, wd = 0.3;
    const auto fit =
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y),
                         {.learning_rate = lr, .steps = 5, .method = momentum{.mu = mu, .weight_decay = wd}});
    double wv = 0, v = 0;
    for (int t = 1; t <= 5; ++t) {
        const double g = scale_gradient(wv) + wd * wv;
        v = t == 1 ? g : mu * v + g;
        wv -= lr * v;
    }
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-13));
}

namespace {
/// torch.optim.Adam / AdamW replayed: `decoupled` multiplies p by (1 - lr wd) first (AdamW),
/// otherwise wd p is added to the gradient (Adam's L2).
double adam_replay(int steps, double lr, double wd, bool decoupled) {
    const double b1 = 0.9, b2 = 0.999, eps = 1e-8;
    double wv = 0.5, m = 0, v = 0;
    for (int t = 1; t <= steps; ++t) {
        double g = scale_gradient(wv);
        if (decoupled) wv *= 1 - lr * wd;
        else g += wd * wv;
        m = b1 * m + (1 - b1) * g;
        v = b2 * v + (1 - b2) * g * g;
        wv -= lr * (m / (1 - std::pow(b1, t))) / (std::sqrt(v / (1 - std::pow(b2, t))) + eps);
    }
    return wv;
}
}  // namespace

BOOST_AUTO_TEST_CASE(adam_weight_decay_is_l2_and_adamw_is_decoupled) {
    const double lr = 0.1, wd = 0.2;
    const auto l2 = gradient_descent(scale_loss, params(w = 0.5), data(x = X, y = Y),
                                     {.learning_rate = lr, .steps = 8, .method = adam{.weight_decay = wd}});
    const auto decoupled = gradient_descent(scale_loss, params(w = 0.5), data(x = X, y = Y),
                                            {.learning_rate = lr, .steps = 8, .method = adamw{.weight_decay = wd}});
    BOOST_TEST(l2[w] == adam_replay(8, lr, wd, false), tt::tolerance(1e-12));
    BOOST_TEST(decoupled[w] == adam_replay(8, lr, wd, true), tt::tolerance(1e-12));
    BOOST_TEST(std::abs(l2[w] - decoupled[w]) > 1e-3);  // the two forms differ
}

BOOST_AUTO_TEST_CASE(adam_and_adamw_on_an_array_parameter_follow_the_equations_entry_by_entry) {
    // loss = sum((v - t)^2) over 19 entries (SIMD batches of the update and a rest, whatever the
    // batch width): dL/dv = 2 (v - t), each entry its own Adam
    constexpr auto v = symbol<"v">;
    constexpr auto t = symbol<"t">;
    constexpr std::size_t n = 19;
    xt::xtensor<double, 1> target = xt::zeros<double>({n}), start = xt::zeros<double>({n});
    for (std::size_t i = 0; i < n; ++i) {
        target(i) = std::sin(1.3 * static_cast<double>(i)) * 2;
        start(i) = std::cos(0.7 * static_cast<double>(i));
    }
    const double lr = 0.05, wd = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8;
    for (const bool decoupled : {false, true}) {
        const optimizer method = decoupled ? optimizer{adamw{.weight_decay = wd}} : optimizer{adam{.weight_decay = wd}};
        const auto fit = gradient_descent(sum(square(v - t)), params(v = start), data(fixed(t = target)),
                                          {.learning_rate = lr, .steps = 12, .method = method});
        for (std::size_t i = 0; i < n; ++i) {
            double p = start(i), m = 0, s2 = 0;
            for (int k = 1; k <= 12; ++k) {
                double g = 2 * (p - target(i));
                if (decoupled) p *= 1 - lr * wd;
                else g += wd * p;
                m = b1 * m + (1 - b1) * g;
                s2 = b2 * s2 + (1 - b2) * g * g;
                p -= lr * (m / (1 - std::pow(b1, k))) / (std::sqrt(s2 / (1 - std::pow(b2, k))) + eps);
            }
            BOOST_TEST_INFO("entry " << i << (decoupled ? " (AdamW)" : " (Adam)"));
            BOOST_TEST(fit[v](i) == p, tt::tolerance(1e-12));
        }
    }
}

namespace {
constexpr auto affine_loss = mean(square(w * x + b - y));  // dL/dw = 2 mean(r x), dL/db = 2 mean(r), r = w x + b - y
std::pair<double, double> affine_gradient(double wv, double bv) {
    double gw = 0, gb = 0;
    for (std::size_t i = 0; i < 4; ++i) {
        const double r = wv * X(i) + bv - Y(i);
        gw += 2 * r * X(i) / 4;
        gb += 2 * r / 4;
    }
    return {gw, gb};
}
}  // namespace

BOOST_AUTO_TEST_CASE(clip_grad_norm_scales_the_global_norm) {
    // torch.nn.utils.clip_grad_norm_(max_norm): g *= max_norm / (|g| + 1e-6) when that is below 1
    const double lr = 0.05, max_norm = 1.0;
    const auto fit = gradient_descent(affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y),
                                      {.learning_rate = lr, .steps = 4, .clip_grad_norm = max_norm});
    double wv = 0, bv = 0;
    for (int t = 0; t < 4; ++t) {
        auto [gw, gb] = affine_gradient(wv, bv);
        const double c = max_norm / (std::hypot(gw, gb) + 1e-6);
        if (c < 1) gw *= c, gb *= c;
        wv -= lr * gw;
        bv -= lr * gb;
    }
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-13));
    BOOST_TEST(fit[b] == bv, tt::tolerance(1e-13));
    // the first gradient, (-30, -10), has norm 31.6: the first step moves by lr * max_norm
    const auto one = gradient_descent(affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y),
                                      {.learning_rate = lr, .steps = 1, .clip_grad_norm = max_norm});
    BOOST_TEST(std::hypot(one[w], one[b]) == lr * max_norm, tt::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(clip_grad_value_clamps_each_entry) {
    const double lr = 0.05, v = 2.0;
    const auto fit = gradient_descent(affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y),
                                      {.learning_rate = lr, .steps = 4, .clip_grad_value = v});
    double wv = 0, bv = 0;
    for (int t = 0; t < 4; ++t) {
        const auto [gw, gb] = affine_gradient(wv, bv);
        wv -= lr * std::clamp(gw, -v, v);
        bv -= lr * std::clamp(gb, -v, v);
    }
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-13));
    BOOST_TEST(fit[b] == bv, tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(a_learning_rate_per_parameter) {
    const double lr = 0.01, lr_b = 0.1;
    const auto fit = gradient_descent(
        affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y),
        {.learning_rate = lr, .steps = 3, .schedule = step_lr{1, 0.5}, .parameter_learning_rates = {{"b", lr_b}}});
    double wv = 0, bv = 0;
    for (int t = 0; t < 3; ++t) {
        const auto [gw, gb] = affine_gradient(wv, bv);
        const double f = std::pow(0.5, t);  // the schedule scales every parameter's own rate
        wv -= lr * f * gw;
        bv -= lr_b * f * gb;
    }
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-13));
    BOOST_TEST(fit[b] == bv, tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(invalid_rules_are_refused_before_any_work) {
    const auto refused = [](const descent_options& o, const std::string& part) {
        try {
            (void)gradient_descent(affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y), o);
        } catch (const invalid_argument_error& e) {
            BOOST_TEST(message_has(e, part), e.what());
            return;
        }
        BOOST_ERROR("accepted: " + part);
    };
    refused({.clip_grad_norm = -1}, "clip_grad_norm");
    refused({.clip_grad_value = std::nan("")}, "clip_grad_value");
    refused({.method = sgd{.weight_decay = -0.1}}, "sgd{weight_decay}");
    refused({.method = adamw{.beta2 = 1.0}}, "adamw{beta2}");
    refused({.schedule = cosine_annealing_lr{.t_max = 0}}, "cosine_annealing_lr{t_max}");
    refused({.schedule = step_lr{.step_size = 0}}, "step_lr{step_size}");
    refused({.schedule = linear_lr{.start_factor = 0}}, "linear_lr{start_factor}");
    refused({.schedule = lambda_lr{}}, "lambda_lr{factor}");
    refused({.parameter_learning_rates = {{"c", 0.1}}}, "'c', which is not a parameter");
    refused({.parameter_learning_rates = {{"b", -1}}}, "learning rate of 'b'");
    refused({.early_stopping_patience = 3}, "needs validation data");
    refused({.parameter_learning_rates = {{"b", 0.1}, {"b", 0.2}}}, "names 'b' twice");
    refused({.early_stopping_min_delta = std::nan("")}, "early_stopping_min_delta");
    // the gradient check's options: a bad one would read as a wrong gradient, or check nothing
    refused({.check = {.eps = 0}}, "check: eps must be a positive finite number");
    refused({.check = {.atol = -1e-12}}, "check: atol must be a finite number >= 0, got -1e-12");
    refused({.check = {.rtol = std::nan("")}}, "check: rtol must be a finite number >= 0");
    refused({.check = {.max_entries_per_parameter = 0}}, "check: max_entries_per_parameter must be at least 1");
    BOOST_CHECK_THROW((void)check_gradient(affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y), {.eps = -1e-6}),
                      std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(a_schedule_that_gives_a_negative_or_nan_rate_stops_before_its_epoch) {
    // lambda_lr is the user's code: factor 1, 1, then -0.5 at the third epoch (index 2). The call
    // throws before that epoch's work, naming the epoch and the rate, with the parameters of the
    // two updates that ran.
    const double lr = 0.01;
    trainer t(affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y),
              {.learning_rate = lr, .schedule = lambda_lr{[](std::size_t e) { return e < 2 ? 1.0 : -0.5; }}});
    try {
        t.train(5);
        BOOST_ERROR("a negative learning rate was accepted");
    } catch (const invalid_argument_error& e) {
        BOOST_TEST(message_has(e, "the schedule gives epoch 3 the learning rate -0.005"), e.what());
    }
    BOOST_TEST(t.result().steps_taken == 2u);
    BOOST_TEST(t.result().reason == stop_reason::interrupted);
    double wv = 0, bv = 0;
    for (int k = 0; k < 2; ++k) {
        const auto [gw, gb] = affine_gradient(wv, bv);
        wv -= lr * gw;
        bv -= lr * gb;
    }
    BOOST_TEST(t.parameters()[w] == wv, tt::tolerance(1e-14));
    BOOST_TEST(t.parameters()[b] == bv, tt::tolerance(1e-14));
    trainer u(affine_loss, params(w = 0.0, b = 0.0), data(x = X, y = Y),
              {.learning_rate = lr, .schedule = lambda_lr{[](std::size_t) { return std::nan(""); }}});
    BOOST_CHECK_THROW(u.train(1), invalid_argument_error);
    BOOST_TEST(u.parameters()[w] == 0.0);
}
