// The trainer: resuming equals one long run bit for bit (also through a checkpoint on disk, for
// every optimiser), a failed load changes nothing, callbacks stop a run keeping that step's
// parameters, using a fit on new data, the progress display.
#define BOOST_TEST_MODULE trainer
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "optim/trainer_support.hpp"

using namespace symdiff;
using namespace driver_test;
using namespace trainer_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(four_calls_of_ten_steps_equal_one_call_of_forty) {
    trainer once(loss, start(), data(x = M, y = T), resumable);
    once.train(40);
    // [snippet:trainer_resume]
    trainer parts(loss, start(), data(x = M, y = T), resumable);
    for (int k = 0; k < 4; ++k) parts.train(10);
    // [/snippet:trainer_resume]
    BOOST_TEST(same_bits(once.parameters(), parts.parameters()));
    BOOST_TEST(once.result().loss_history == parts.result().loss_history, tt::per_element());
    BOOST_TEST(parts.result().steps_taken == 40u);
    BOOST_TEST(parts.steps_run() == 40u);
    // and the run learned something: the loss at the fit (written out by hand) is far below the start
    const double at_fit = hand_loss(parts[a](0), parts[a](1), parts[b]);
    BOOST_TEST(parts.result().final_loss() == at_fit, tt::tolerance(1e-12));
    BOOST_TEST(at_fit < 0.2 * hand_loss(0, 0, 0));
}

BOOST_AUTO_TEST_CASE(a_checkpoint_continues_the_same_run) {
    const std::string dir = "trainer_checkpoint";
    std::filesystem::remove_all(dir);
    trainer once(loss, start(), data(x = M, y = T), resumable);
    once.train(40);

    // [snippet:trainer_checkpoint]
    trainer first(loss, start(), data(x = M, y = T), resumable);
    first.train(17);  // stops inside an epoch
    first.save(dir);
    // [/snippet:trainer_checkpoint]
    // NumPy reads every parameter as it is
    BOOST_TEST(load_npy<double>(dir + "/a.npy") == first[a]);
    BOOST_TEST(load_npy_scalar<double>(dir + "/b.npy") == first[b]);
    BOOST_TEST(load_npy_vector<double>(dir + "/loss.npy").size() == 17u);

    // [snippet:trainer_load]
    trainer second(loss, params(a = xt::xtensor<double, 1>{9.0, 9.0}, b = 9.0), data(x = M, y = T), resumable);
    second.load(dir);  // the parameters, Adam's moments, the step count, the shuffled order, ...
    second.train(23);  // the bits of one train(40)
    // [/snippet:trainer_load]
    BOOST_TEST(same_bits(once.parameters(), second.parameters()));
    BOOST_TEST(once.result().loss_history == second.result().loss_history, tt::per_element());

    // a checkpoint of another optimiser is refused, and the trainer is left as it was
    descent_options other = resumable;
    other.method = sgd{};
    trainer third(loss, start(), data(x = M, y = T), other);
    BOOST_CHECK_EXCEPTION(third.load(dir), io_error,
                          [](const io_error& e) { return message_has(e, "different optimiser"); });
    BOOST_TEST(third[b] == 0.0);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_callback_stops_the_run_keeping_that_steps_parameters) {
    descent_options o = resumable;
    o.batch_size = 0;
    // [snippet:callback_stop]
    const auto fit = gradient_descent(loss, start(), data(x = M, y = T), o, [](const auto& s) {
        return s.step == 7 ? step_action::stop : step_action::proceed;
    });
    // [/snippet:callback_stop]
    BOOST_TEST(fit.reason == stop_reason::stopped_by_callback);
    BOOST_TEST(fit.ok());
    BOOST_TEST(fit.steps_taken == 7u);
    BOOST_TEST(fit.loss_history.size() == 7u);
    o.steps = 7;
    const auto seven = gradient_descent(loss, start(), data(x = M, y = T), o);
    BOOST_TEST(same_bits(fit.parameters, seven.parameters));
    BOOST_TEST(fit.final_loss() == hand_loss(fit[a](0), fit[a](1), fit[b]), tt::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(evaluate_uses_a_fit_on_new_data) {
    const auto fit = gradient_descent(loss, start(), data(x = M, y = T), resumable);
    const xt::xtensor<double, 2> fresh{{1.0, 2.0}, {-1.0, 0.5}};
    // [snippet:evaluate_fit]
    const auto predicted = evaluate(model, fit.parameters, x = fresh);  // model = dot(x, a) + b
    // [/snippet:evaluate_fit]
    BOOST_TEST(predicted(0) == fit[a](0) * 1.0 + fit[a](1) * 2.0 + fit[b], tt::tolerance(1e-14));
    BOOST_TEST(predicted(1) == -fit[a](0) + fit[a](1) * 0.5 + fit[b], tt::tolerance(1e-14));
    // a parameter the expression does not contain is ignored
    BOOST_TEST(evaluate(dot(x, a), fit.parameters, x = fresh)(1) == -fit[a](0) + fit[a](1) * 0.5, tt::tolerance(1e-14));
}

BOOST_AUTO_TEST_CASE(progress_lines_one_per_epoch) {
    std::ostringstream out;
    descent_options o = resumable;
    o.progress = progress_mode::lines;
    o.log = &out;
    trainer t(loss, start(), data(x = M, y = T), o);
    t.validate_on(data(x = M, y = T), metric("rmse", sqrt(mean(square(model - y)))));
    t.train(9);  // 3 epochs of 3 batches
    const std::string s = out.str();
    BOOST_TEST(std::count(s.begin(), s.end(), '\n') == 3);
    BOOST_TEST(s.find("epoch 3: loss ") != std::string::npos, s);
    BOOST_TEST(s.find(", validation loss ") != std::string::npos, s);
    BOOST_TEST(s.find(", rmse ") != std::string::npos, s);
    // the rmse metric is the square root of the validation loss (same data)
    const auto& e = t.result().epochs.back();
    BOOST_TEST(e.metrics.at(0) == std::sqrt(e.validation_loss), tt::tolerance(1e-12));
    std::ostringstream quiet;
    o.progress = progress_mode::none;
    o.log = &quiet;
    trainer(loss, start(), data(x = M, y = T), o).train(3);
    BOOST_TEST(quiet.str().empty());
}

BOOST_AUTO_TEST_CASE(checkpoints_of_every_optimiser_round_trip) {
    // momentum keeps one buffer, Adam and AdamW two, SGD none: each continues bit for bit
    for (const optimizer method : {optimizer{sgd{}}, optimizer{momentum{.mu = 0.8}}, optimizer{adamw{}}}) {
        BOOST_TEST_CONTEXT(optimizer_name(method)) {
            const std::string dir = "trainer_checkpoint_" + optimizer_name(method);
            descent_options o = resumable;
            o.method = method;
            trainer once(loss, start(), data(x = M, y = T), o);
            once.train(12);
            trainer first(loss, start(), data(x = M, y = T), o);
            first.train(5);
            first.save(dir);
            trainer second(loss, start(), data(x = M, y = T), o);
            second.load(dir);
            BOOST_TEST(second.result().final_loss() == hand_loss(second[a](0), second[a](1), second[b]),
                       tt::tolerance(1e-12));
            second.train(7);
            BOOST_TEST(same_bits(once.parameters(), second.parameters()));
            std::filesystem::remove_all(dir);
        }
    }
}

BOOST_AUTO_TEST_CASE(a_load_that_fails_leaves_the_trainer_as_it_was) {
    const std::string dir = "trainer_checkpoint_rows";
    trainer small(loss, start(), data(x = M, y = T), resumable);
    small.train(3);
    small.save(dir);
    // the same model on 6 of the 12 rows: the saved minibatch order does not fit
    const xt::xtensor<double, 2> M6 = xt::view(M, xt::range(0, 6), xt::all());
    const xt::xtensor<double, 1> T6 = xt::view(T, xt::range(0, 6));
    trainer other(loss, start(), data(x = M6, y = T6), resumable);
    other.train(2);
    const auto before = other.parameters();
    BOOST_CHECK_EXCEPTION(other.load(dir), io_error, [](const io_error& e) { return message_has(e, "12 rows"); });
    BOOST_TEST(same_bits(other.parameters(), before));
    BOOST_TEST(other.steps_run() == 2u);
    std::filesystem::remove_all(dir);
}

BOOST_AUTO_TEST_CASE(a_damaged_checkpoint_is_refused_and_the_trainer_left_as_it_was) {
    const std::string dir = "trainer_checkpoint_damaged";
    std::filesystem::remove_all(dir);
    trainer saved(loss, start(), data(x = M, y = T), resumable);  // Adam: two moments
    saved.train(5);
    saved.save(dir);
    const auto damage = [&](const std::string& file, const auto& value, const std::string& expected) {
        std::filesystem::remove_all(dir + "_copy");
        std::filesystem::copy(dir, dir + "_copy", std::filesystem::copy_options::recursive);
        save_npy(dir + "_copy/" + file, value);
        trainer other(loss, start(), data(x = M, y = T), resumable);
        other.train(2);
        const auto before = other.parameters();
        BOOST_CHECK_EXCEPTION(other.load(dir + "_copy"), io_error,
                              [&](const io_error& e) { return message_has(e, expected); });
        BOOST_TEST(same_bits(other.parameters(), before));
        BOOST_TEST(other.steps_run() == 2u);
    };
    damage("b.npy", std::nan(""), "b.npy' holds a non-finite value at b: the checkpoint is damaged");
    damage("state/last_finite.a.npy", xt::xtensor<double, 1>{1.0, INFINITY}, "non-finite value at a[1]");
    damage("state/optimizer.a.second.npy", xt::xtensor<double, 1>{1e-3, -1e-3}, "negative second moment");
    const auto counters = load_npy_vector<std::uint64_t>(dir + "/state/counters.npy");
    std::vector<std::uint64_t> more_updates_than_steps = counters;
    more_updates_than_steps[4] = 1000;
    damage("state/counters.npy", more_updates_than_steps, "counts 1000 updates in 5 steps");
    std::vector<std::uint64_t> best_after_the_end = counters;
    best_after_the_end[7] = 6;
    damage("state/counters.npy", best_after_the_end, "records a state after 6 updates in 5 steps");
    // a directory that cannot be made is an io_error too
    trainer t(loss, start(), data(x = M, y = T), resumable);
    BOOST_CHECK_EXCEPTION(t.save(dir + "/b.npy/inside"), io_error,
                          [](const io_error& e) { return message_has(e, "cannot create the directory"); });
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(dir + "_copy");
}

BOOST_AUTO_TEST_CASE(a_loop_of_one_step_calls_makes_no_pass_over_all_the_data_until_final_loss_is_read) {
    // PyTorch's habit, one call per step: each call runs its minibatch only; the loss over all
    // the data is computed when final_loss() is read (or the result copied), at those parameters
    trainer t(loss, start(), data(x = M, y = T), resumable);
    t.train(1);
    counters().reset();
    for (int k = 0; k < 6; ++k) t.train(1);
    BOOST_TEST(counters().runs == 6u);  // the six steps' programs, nothing else
    const auto kept = t.result();       // a copy takes the number: one pass over all the data
    BOOST_TEST(counters().runs == 7u);
    BOOST_TEST(kept.final_loss() == hand_loss(t[a](0), t[a](1), t[b]), tt::tolerance(1e-12));
    BOOST_TEST(t.result().final_loss() == kept.final_loss());
    BOOST_TEST(counters().runs == 7u);
    // a result copied out of a trainer that is gone
    const auto gone = [] {
        trainer u(loss, start(), data(x = M, y = T), resumable);
        u.train(4);
        return u.result();
    }();
    BOOST_TEST(gone.final_loss() == hand_loss(gone[a](0), gone[a](1), gone[b]), tt::tolerance(1e-12));
}
