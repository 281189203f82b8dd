// The trainer's stops and checks: validation data with metrics and early stopping, the state after
// every kind of stop (divergence, non-finite values, a callback, an exception, a failed gradient
// check), values that are not one row per example, the (n, 1)-versus-(n) guard.
#define BOOST_TEST_MODULE trainer_stops
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "optim/trainer_support.hpp"

using namespace symdiff;
using namespace driver_test;
using namespace trainer_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(validation_metrics_and_early_stopping) {
    // Train w on y = 2x; validate on y = x. w moves from 0 towards 2 (w_k = 2 - 2 (1 - 15 lr)^k),
    // so the validation loss 7.5 (w - 1)^2 falls until w passes 1, then rises.
    const xt::xtensor<double, 1> Yv{1, 2, 3, 4};
    const double lr = 0.01;
    // [snippet:validation]
    trainer t(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = lr, .early_stopping_patience = 3});
    t.validate_on(data(x = X, y = Yv), metric("mae", mean(abs(w * x - y))));
    const auto& fit = t.train(100);
    // fit.epochs[k].validation_loss, fit.epochs[k].metrics[0]: the validation loss and the mae
    // [/snippet:validation]
    BOOST_TEST(fit.reason == stop_reason::early_stopped);
    BOOST_TEST(fit.ok());
    // by hand: the step after which w is closest to 1, and the three epochs without improvement
    std::vector<double> ws{0.0};
    for (int k = 0; k < 100; ++k) ws.push_back(ws.back() - lr * 15 * (ws.back() - 2));
    std::size_t best = 1;
    for (std::size_t k = 1; k < ws.size(); ++k)
        if (std::abs(ws[k] - 1) < std::abs(ws[best] - 1)) best = k;
    BOOST_TEST(fit.steps_taken == best);
    BOOST_TEST(fit.loss_history.size() == best + 3);
    BOOST_TEST(fit[w] == ws[best], tt::tolerance(1e-12));
    BOOST_TEST(fit.final_loss() == 7.5 * (ws[best] - 2) * (ws[best] - 2), tt::tolerance(1e-12));
    BOOST_TEST(fit.epochs.size() == best + 3);
    const auto& e = fit.epochs[best - 1];
    BOOST_TEST(e.validation_loss == 7.5 * (ws[best] - 1) * (ws[best] - 1), tt::tolerance(1e-12));
    BOOST_TEST(fit.metric_names == std::vector<std::string>{"mae"}, tt::per_element());
    BOOST_TEST(e.metrics.at(0) == 2.5 * std::abs(ws[best] - 1), tt::tolerance(1e-12));  // mean |(w - 1) x|
}

BOOST_AUTO_TEST_CASE(a_new_validation_set_starts_its_own_record) {
    // Early-stopped on y = x (best near w = 1), then validated on y = 3x: 7.5 (w - 3)^2 falls at
    // every epoch while w moves towards 2, so the next call runs all its steps. (Compared with the
    // best loss of the first set, 7.5 (w - 1)^2 near 0, none would improve: it would stop again
    // after 3 epochs and go back to the first set's parameters.)
    const xt::xtensor<double, 1> Yv{1, 2, 3, 4}, Yv3{3, 6, 9, 12};
    trainer t(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.01, .early_stopping_patience = 3});
    t.validate_on(data(x = X, y = Yv));
    const std::size_t first = t.train(100).steps_taken;
    BOOST_TEST(t.result().reason == stop_reason::early_stopped);
    t.validate_on(data(x = X, y = Yv3));
    const auto& fit = t.train(10);
    BOOST_TEST(fit.reason == stop_reason::completed);
    BOOST_TEST(fit.steps_taken == first + 10);
}

BOOST_AUTO_TEST_CASE(a_validation_loss_that_is_not_finite_stops_the_run) {
    // f = sqrt(w + x): the training rows (x >= 1) are defined for w > -1, the validation row
    // x = -0.5 only for w >= 0.5. Trained towards w = 0.2 from w = 1, the validation loss falls
    // until w = 0.6 (its minimum), rises, then is NaN once w < 0.5: a NaN, which never improves on
    // the best, must not pass for a plateau.
    constexpr auto root_loss = mean(square(sqrt(w + x) - y));
    const xt::xtensor<double, 1> Xt{1, 2, 3, 4}, Yt{std::sqrt(1.2), std::sqrt(2.2), std::sqrt(3.2), std::sqrt(4.2)};
    const xt::xtensor<double, 1> Xv{-0.5, 1, 2}, Yv{std::sqrt(0.1), std::sqrt(1.6), std::sqrt(2.6)};
    const double lr = 0.5;
    trainer t(root_loss, params(w = 1.0), data(x = Xt, y = Yt), {.learning_rate = lr});
    t.validate_on(data(x = Xv, y = Yv));
    const auto& fit = t.train(100);
    // by hand: gradient descent, dL/dw = mean((sqrt(w + x) - y) / sqrt(w + x)), and the
    // validation loss after each step until it is NaN
    const auto validation = [&](double v) {
        double s = 0;
        for (std::size_t i = 0; i < 3; ++i) s += (std::sqrt(v + Xv(i)) - Yv(i)) * (std::sqrt(v + Xv(i)) - Yv(i));
        return s / 3;
    };
    double wk = 1.0, best_loss = INFINITY, best_w = 1.0;
    std::size_t step = 0, best_step = 0;
    for (;;) {
        double g = 0;
        for (std::size_t i = 0; i < 4; ++i) g += (std::sqrt(wk + Xt(i)) - Yt(i)) / std::sqrt(wk + Xt(i));
        wk -= lr * g / 4;
        ++step;
        const double v = validation(wk);
        if (std::isnan(v)) break;
        if (v < best_loss) best_loss = v, best_w = wk, best_step = step;
    }
    BOOST_TEST(step < 100u);           // (the case is what it says: the NaN comes before the end)
    BOOST_TEST(best_step + 1 < step);  // (and after some epochs without improvement)
    BOOST_TEST(fit.reason == stop_reason::non_finite);
    BOOST_TEST(!fit.ok());
    BOOST_TEST(fit.message.find("the validation loss is") != std::string::npos, fit.message);
    BOOST_TEST(fit.steps_taken == best_step);
    BOOST_TEST(fit[w] == best_w, tt::tolerance(1e-12));
    BOOST_TEST(t.steps_run() == step);
    // not finite where validate_on is called: refused there, before any work
    trainer u(root_loss, params(w = 0.0), data(x = Xt, y = Yt), {.learning_rate = lr});
    BOOST_CHECK_EXCEPTION(u.validate_on(data(x = Xv, y = Yv)), invalid_argument_error, [](const auto& e) {
        return message_has(e, "the validation loss is") && message_has(e, "nan at the current");
    });
}

BOOST_AUTO_TEST_CASE(a_refused_validation_set_leaves_the_earlier_one) {
    // x of shape (4, 2) against y (4): w * x - y does not broadcast, found when validate_on
    // evaluates it; the set and the metric given before stay, and train() uses them
    const xt::xtensor<double, 1> Yv{1, 2, 3, 4};
    const xt::xtensor<double, 2> Xwide = xt::ones<double>({4, 2});
    trainer t(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.01});
    t.validate_on(data(x = X, y = Yv), metric("mae", mean(abs(w * x - y))));
    BOOST_CHECK_THROW(t.validate_on(data(x = Xwide, y = Yv)), shape_error);
    BOOST_TEST(t.result().metric_names == std::vector<std::string>{"mae"}, tt::per_element());
    const auto& fit = t.train(3);
    BOOST_TEST(fit.reason == stop_reason::completed);
    BOOST_TEST(fit.epochs.size() == 3u);
    // w after one step: 0.15 * 2 = 0.3 (each step multiplies w - 2 by 0.85); the mae on y = x
    // is mean |(w - 1) x| = 2.5 |w - 1|
    BOOST_TEST(fit.epochs[0].metrics.at(0) == 2.5 * 0.7, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(validation_after_load_continues_the_saved_record) {
    // The early-stopping record (best loss, its parameters, the epochs waited) is in the
    // checkpoint; the validation data are not, so a resumed trainer is given them again. Before
    // or after load(), the run is the uninterrupted one.
    const xt::xtensor<double, 1> Yv{1.5, 3, 4.5, 6};
    const descent_options o{.learning_rate = 0.01, .early_stopping_patience = 3};
    trainer whole(scale_loss, params(w = 0.0), data(x = X, y = Y), o);
    whole.validate_on(data(x = X, y = Yv));
    const auto& reference = whole.train(100);
    BOOST_TEST(reference.reason == stop_reason::early_stopped);
    const std::string dir = "trainer_checkpoint_validation";
    std::filesystem::remove_all(dir);
    trainer first(scale_loss, params(w = 0.0), data(x = X, y = Y), o);
    first.validate_on(data(x = X, y = Yv));
    first.train(10);
    first.save(dir);
    for (const bool validate_first : {false, true}) {
        trainer resumed(scale_loss, params(w = 0.0), data(x = X, y = Y), o);
        if (validate_first) resumed.validate_on(data(x = X, y = Yv));
        resumed.load(dir);
        if (!validate_first) resumed.validate_on(data(x = X, y = Yv));
        const auto& fit = resumed.train(90);
        BOOST_TEST(fit.reason == stop_reason::early_stopped);
        BOOST_TEST(fit.steps_taken == reference.steps_taken);
        BOOST_TEST(fit[w] == reference[w]);
        BOOST_TEST(resumed.steps_run() == whole.steps_run());
    }
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(divergence_keeps_a_consistent_state) {
    // lr = 0.2: w_{k+1} - 2 = (1 - 3)(w_k - 2): the loss grows fourfold every step.
    const auto fit =
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.2, .steps = 50});
    BOOST_TEST(fit.reason == stop_reason::diverged);
    BOOST_TEST(fit.steps_taken == 0u);  // the lowest loss was at the start
    BOOST_TEST(fit[w] == 0.0);
    BOOST_TEST(fit.final_loss() == 30.0);
    BOOST_TEST(fit.loss_history.size() == 6u);  // what ran
}

BOOST_AUTO_TEST_CASE(a_divergence_that_overflows_before_the_patience_runs_out) {
    // lr = 1e30: w - 2 is multiplied by 1 - 15e30 at every step, the loss 7.5 (w - 2)^2 by about
    // 2.25e62: 30, 6.75e63, ..., 7.7e250 at step 5, then inf at step 6, before 5 rises in a row.
    // Not a NaN from the data: a divergence, with the lowest loss seen kept (the start) and the
    // learning rate named, not the parameters of step 5 (loss 7.7e250).
    const auto fit =
        gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 1e30, .steps = 50});
    BOOST_TEST(fit.reason == stop_reason::diverged);
    BOOST_TEST(fit[w] == 0.0);
    BOOST_TEST(fit.steps_taken == 0u);
    BOOST_TEST(fit.final_loss() == 30.0);
    BOOST_TEST(fit.message.find("the learning rate (1e+30) is probably too high") != std::string::npos, fit.message);
}

BOOST_AUTO_TEST_CASE(non_finite_keeps_a_consistent_state) {
    // sqrt(w) x - y: from w = 100 the gradient 15 (sqrt w - 2) / (2 sqrt w) = 6 and lr = 20 jump
    // to w = -20, where the loss is NaN: the parameters of the last finite loss are kept.
    constexpr auto root_loss = mean(square(sqrt(w) * x - y));
    const auto fit = gradient_descent(root_loss, params(w = 100.0), data(x = X, y = Y),
                                      {.learning_rate = 20, .steps = 10, .divergence_patience = 0});
    BOOST_TEST(fit.reason == stop_reason::non_finite);
    BOOST_TEST(fit[w] == 100.0);
    BOOST_TEST(fit.steps_taken == 0u);
    BOOST_TEST(fit.final_loss() == 7.5 * 8 * 8, tt::tolerance(1e-12));
    BOOST_TEST(fit.loss_history.size() == 1u);
    BOOST_TEST(fit.message.find("step 2") != std::string::npos, fit.message);
}

BOOST_AUTO_TEST_CASE(fixed_values_are_read_whole_by_every_batch) {
    // c has 3 entries, x and y 4 rows: without fixed(...) the row counts disagree
    constexpr auto c = symbol<"c">;
    const xt::xtensor<double, 1> C{1.0, 2.0, 6.0};
    constexpr auto penalised = mean(square(w * x - y)) + 0.1 * sum(square(w - c));
    BOOST_CHECK_EXCEPTION((void)gradient_descent(penalised, params(w = 0.0), data(x = X, y = Y, c = C)),
                          invalid_argument_error, [](const auto& e) { return message_has(e, "fixed(c = ...)"); });
    // [snippet:fixed_data]
    const auto fit = gradient_descent(penalised, params(w = 0.0), data(x = X, y = Y, fixed(c = C)),
                                      {.learning_rate = 0.01, .steps = 6, .batch_size = 2, .shuffle = false});
    // [/snippet:fixed_data]
    BOOST_TEST(fit.ok(), fit.message);
    // by hand: batches {1, 2} and {3, 4} in turn; the penalty 0.1 sum (w - c)^2 whole in each
    // (gradient 0.2 (3 w - 9)); the data term 2 (w - 2) mean(x^2 of the batch)
    double wv = 0;
    for (int k = 0; k < 6; ++k) wv -= 0.01 * ((k % 2 == 0 ? 5.0 : 25.0) * (wv - 2) + 0.2 * (3 * wv - 9));
    BOOST_TEST(fit[w] == wv, tt::tolerance(1e-13));
}

BOOST_AUTO_TEST_CASE(a_column_against_a_vector_of_rows_is_refused) {
    // dot(X, W) with W of shape (2, 1) is (n, 1); minus y of shape (n) it would broadcast to (n, n)
    constexpr auto W = symbol<"W">;
    const auto column = params(W = xt::xtensor<double, 2>{{0.0}, {0.0}});
    constexpr auto wrong = mean(square(dot(x, W) - y));
    BOOST_CHECK_EXCEPTION((void)gradient_descent(wrong, column, data(x = M, y = T)), shape_error, [](const auto& e) {
        return message_has(e, "(12, 1) and (12)") && message_has(e, "to shape (12, 12)") && message_has(e, "-");
    });
    const auto allowed = gradient_descent(wrong, column, data(x = M, y = T), {.steps = 2, .allow_row_broadcast = true});
    BOOST_TEST(allowed.ok());
}

BOOST_AUTO_TEST_CASE(a_callback_stop_then_train_continues_the_run) {
    // With the tolerance just above |L6 - L5| of the uninterrupted run (the loss falls by a factor
    // 0.72 per step, so |L5 - L4| and |L6 - L4| are larger), that run converges at step 6; one
    // stopped by its callback after step 5 must too, comparing L6 with L5, not with L4.
    descent_options o{.learning_rate = 0.01, .steps = 50, .divergence_patience = 0};
    const auto reference = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), o);
    const auto& h = reference.loss_history;
    o.tolerance = 1.05 * std::abs(h[5] - h[4]);
    const auto whole = gradient_descent(scale_loss, params(w = 0.0), data(x = X, y = Y), o);
    BOOST_TEST(whole.reason == stop_reason::converged);
    BOOST_TEST(whole.loss_history.size() == 6u);
    trainer t(scale_loss, params(w = 0.0), data(x = X, y = Y), o);
    t.train(50, [](const auto& s) { return s.step == 5 ? step_action::stop : step_action::proceed; });
    BOOST_TEST(t.result().reason == stop_reason::stopped_by_callback);
    t.train(50);
    BOOST_TEST(t.result().reason == stop_reason::converged);
    BOOST_TEST(t.result().loss_history.size() == 6u);
    BOOST_TEST(t[w] == whole[w]);
}

BOOST_AUTO_TEST_CASE(a_finite_loss_with_a_non_finite_gradient_keeps_those_parameters) {
    // at w = 0, mean((sqrt(w) x - y)^2) = 30 but its gradient 15 (sqrt w - 2) / (2 sqrt w) is -inf
    constexpr auto root_loss = mean(square(sqrt(w) * x - y));
    const auto fit = gradient_descent(root_loss, params(w = 0.0), data(x = X, y = Y), {.steps = 5});
    BOOST_TEST(fit.reason == stop_reason::non_finite);
    BOOST_TEST(fit[w] == 0.0);
    BOOST_TEST(fit.steps_taken == 0u);
    BOOST_TEST(fit.final_loss() == 30.0);
    BOOST_TEST(fit.loss_history == std::vector<double>{30.0}, tt::per_element());
    BOOST_TEST(fit.message.find("gradient with respect to 'w'") != std::string::npos, fit.message);
}

BOOST_AUTO_TEST_CASE(a_failed_gradient_check_is_not_skipped_by_the_next_call) {
    descent_options o{.check_gradient = true};
    o.check.atol = 0;
    o.check.rtol = 0;  // finite differences are never exact: the check fails
    trainer t(scale_loss, params(w = 0.5), data(x = X, y = Y), o);
    BOOST_TEST(t.train(5).reason == stop_reason::gradient_check_failed);
    BOOST_TEST(t.train(5).reason == stop_reason::gradient_check_failed);
    BOOST_TEST(t.steps_run() == 0u);
    BOOST_TEST(t.result().final_loss() == 7.5 * 1.5 * 1.5, tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(problems_of_the_validation_data_show_before_any_work) {
    trainer t(scale_loss, params(w = 0.5), data(x = X, y = Y));
    BOOST_CHECK_EXCEPTION(t.validate_on(data(x = X, y = Y), metric("residuals", w * x - y)), invalid_argument_error,
                          [](const auto& e) { return message_has(e, "a metric must be a number"); });
    BOOST_TEST(t.steps_run() == 0u);
}

BOOST_AUTO_TEST_CASE(an_exception_from_a_callback_says_the_call_was_interrupted) {
    trainer t(scale_loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.01});
    BOOST_CHECK_THROW(t.train(10,
                              [](const auto& s) {
                                  if (s.step == 3) throw std::runtime_error("from the callback");
                              }),
                      std::runtime_error);
    BOOST_TEST(t.result().reason == stop_reason::interrupted);
    BOOST_TEST(!t.result().ok());
    BOOST_TEST(t.result().steps_taken == 3u);
    // as after any stop, the parameters and final_loss() describe one state: L(w) = 7.5 (w - 2)^2
    // and each step multiplies w - 2 by 1 - 0.01 * 15 = 0.85, from w = 0
    const double w3 = 2 - 2 * std::pow(0.85, 3);
    BOOST_TEST(std::abs(t.parameters()[w] - w3) < 1e-14);
    BOOST_TEST(std::abs(t.result().final_loss() - 7.5 * (w3 - 2) * (w3 - 2)) < 1e-13);
}

BOOST_AUTO_TEST_CASE(data_that_change_their_rows_between_calls_are_refused) {
    // data(...) refers to the caller's arrays; the minibatch order is made for their rows
    xt::xtensor<double, 1> Xs{1, 2, 3, 4, 5, 6, 7, 8}, Ys{2, 4, 6, 8, 10, 12, 14, 16};
    trainer t(scale_loss, params(w = 0.5), data(x = Xs, y = Ys), {.learning_rate = 0.01, .batch_size = 3});
    t.train(3);
    const double w3 = t.parameters()[w];
    Xs = xt::xtensor<double, 1>{1, 2, 3, 4};
    Ys = xt::xtensor<double, 1>{2, 4, 6, 8};
    BOOST_CHECK_EXCEPTION(t.train(6), invalid_argument_error, [](const invalid_argument_error& e) {
        return message_has(e, "the arrays now have 4 rows, but the trainer was built with 8");
    });
    BOOST_TEST(t.parameters()[w] == w3);
    // the rows it was built with again: training goes on
    Xs = xt::xtensor<double, 1>{1, 2, 3, 4, 5, 6, 7, 8};
    Ys = xt::xtensor<double, 1>{2, 4, 6, 8, 10, 12, 14, 16};
    BOOST_TEST(t.train(6).ok());
}

BOOST_AUTO_TEST_CASE(an_early_stop_due_when_the_callback_threw_comes_first_in_the_next_call) {
    // validation_metrics_and_early_stopping's run: it stops at the end of step best + 3
    const xt::xtensor<double, 1> Yv{1, 2, 3, 4};
    const auto run = [&](bool throw_at_the_stop) {
        trainer t(scale_loss, params(w = 0.0), data(x = X, y = Y),
                  {.learning_rate = 0.01, .early_stopping_patience = 3});
        t.validate_on(data(x = X, y = Yv));
        const std::size_t stop_step = [&] {
            trainer probe(scale_loss, params(w = 0.0), data(x = X, y = Y),
                          {.learning_rate = 0.01, .early_stopping_patience = 3});
            probe.validate_on(data(x = X, y = Yv));
            return probe.train(100).loss_history.size();
        }();
        if (throw_at_the_stop)
            BOOST_CHECK_THROW(t.train(100,
                                      [&](const auto& s) {
                                          if (s.step == stop_step) throw std::runtime_error("from the callback");
                                      }),
                              std::runtime_error);
        return t.train(100);
    };
    const auto straight = run(false);
    const auto interrupted = run(true);
    BOOST_TEST(interrupted.reason == stop_reason::early_stopped);
    BOOST_TEST(interrupted.message == straight.message);
    BOOST_TEST(interrupted.steps_taken == straight.steps_taken);
    BOOST_TEST(interrupted[w] == straight[w]);
}
