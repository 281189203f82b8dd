#pragma once
// A trainer: gradient descent whose parameters, optimiser state, minibatch order and stopping
// state persist between calls, so that four calls of train(10) give the bits of one train(40),
// and a checkpoint written by save() and read by load() continues the same run.
//
//   auto t = trainer(loss, params(W = W0, b = 0.0), data(x = X, y = Y),
//                    {.learning_rate = 1e-3, .method = adamw{}, .batch_size = 32});
//   t.validate_on(data(x = Xv, y = Yv), metric("accuracy", accuracy));   // optional
//   t.train(1000);                                   // more steps: t.train(500)
//   t.save("checkpoint");                            // .npy files NumPy can open
//   evaluate(model, t.parameters(), x = Xnew);       // use the fit
//
// Each step evaluates the loss and its gradient with respect to every parameter in one compiled
// program (derived at compile time, shared subexpressions computed once). Faults stop a run with
// a message and keep parameters whose loss was finite.
//
// The pieces: trainer_checks.hpp (the checks of the options and data), minibatch.hpp (a step's
// data), parameter_update.hpp (one update), validation.hpp (metrics and the validation loss),
// step_callback.hpp, trainer_shared.hpp (rows shared across processes), training_run.hpp (the
// state and the step loop) and checkpoint.hpp (save and load).
#include <cmath>
#include <cstddef>
#include <limits>
#include <memory>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>

#include "../core/expression.hpp"
#include "../core/symbol.hpp"
#include "../core/traits.hpp"
#include "../diff/derivative.hpp"
#include "../eval/collective.hpp"
#include "bindings.hpp"
#include "checkpoint.hpp"
#include "evaluate_sets.hpp"
#include "minibatch.hpp"
#include "options.hpp"
#include "random.hpp"
#include "trainer_checks.hpp"
#include "trainer_shared.hpp"
#include "training_run.hpp"
#include "validation.hpp"

namespace symdiff {

template <class Loss, class P, class D>
class trainer;
template <Expression Loss, class... Ps, class... Ds>
class trainer<Loss, parameter_set<Ps...>, data_set<Ds...>> {
public:
    using parameters_type = parameter_set<Ps...>;
    using P = parameters_type;

    trainer(const Loss& loss, const P& initial, const data_set<Ds...>& d, descent_options o = {})
        : trainer(loss, initial, d, std::move(o), detail::called_as{"trainer"}) {}

    /// The same, with the name of the call that messages give (gradient_descent's).
    trainer(const Loss& loss, const P& initial, const data_set<Ds...>& d, descent_options o, detail::called_as who)
        : run_(std::string(who.name), loss, d, std::move(o), initial) {
        detail::check_symbols<Loss>(std::type_identity<P>{}, std::type_identity<data_set<Ds...>>{});
        // with the rows shared across processes, a bad option or bad data on one process stops all
        shared_errors::agree(run_.shared(), [&] {
            detail::validate<Ps...>(run_.o_, who);
            run_.rows_ = detail::validate_data(*run_.data_, run_.who_ + ": data", run_.shared() != nullptr);
            boost::hana::for_each(initial.bindings, [&](const auto& b) {
                const auto name = std::remove_cvref_t<decltype(b)>::name.view();
                const long bad = detail::first_non_finite(b.value);
                if (bad >= 0)
                    throw invalid_argument_error(run_.who_ + ": params: the initial value of '" + std::string(name) +
                                                 "' is not finite at " +
                                                 detail::entry_name(name, b.value, static_cast<std::size_t>(bad)));
            });
        });
        run_.all_rows_ = run_.rows_;
        if (collective* c = run_.shared()) {  // this process's rows are [first_row_, first_row_ + rows_)
            const detail::row_share share = detail::share_of(c->gather(run_.rows_), c->rank());
            run_.first_row_ = share.first;
            run_.all_rows_ = share.all;
            if (c->rank() != 0) {  // logs and the progress display are rank 0's
                run_.o_.log = nullptr;
                run_.o_.progress = progress_mode::none;
            }
            // every process starts from rank 0's parameters (as DistributedDataParallel does)
            detail::from_rank_0(run_.result_.parameters, *c);
            run_.last_finite_ = run_.best_ = run_.best_validation_ = run_.gradient_ = run_.result_.parameters;
        }
        run_.step_ = std::make_shared<typename run_type::step_program>(
            boost::hana::make_tuple(run_.loss_, gradient_of(run_.loss_, symbol<Ps::name>)...));
        run_.step_->threads(run_.o_.threads)
            .allow_row_broadcast(run_.o_.allow_row_broadcast)
            .share_rows(run_.o_.distributed);
        run_.order_.resize(run_.all_rows_);
        for (std::size_t i = 0; i < run_.all_rows_; ++i) run_.order_[i] = i;
        run_.rng_ = splitmix64(run_.o_.shuffle_seed);
    }

    /// Evaluates the loss on `validation` data (and the metrics) at the end of every epoch;
    /// `early_stopping_patience` then stops on it.
    template <class... Vs, class... Es>
    trainer& validate_on(const data_set<Vs...>& validation, named_metric<Es>... metrics) {
        shared_errors::agree(run_.shared(), [&] {
            detail::validate_data(validation, run_.who_ + ": validation data", run_.shared() != nullptr);
        });
        auto values_at = detail::validation_values<P>(run_.loss_, validation, run_.o_, run_.who_, metrics...);
        // a metric that is not a number, bad shapes, a loss that is not finite here: an error now,
        // with the trainer as it was
        if (const double v = values_at(run_.result_.parameters)[0]; !std::isfinite(v))
            throw invalid_argument_error(run_.who_ + ": the validation loss is " + detail::number_to_string(v) +
                                         " at the current parameters; a validation loss must be finite");
        if (run_.validation_ || run_.best_validation_loss_ == std::numeric_limits<double>::infinity()) {
            // a record of these data from now: another set's best loss was on other data. (The
            // first set keeps a record that load() brought, that of the run it continues.)
            run_.best_validation_loss_ = std::numeric_limits<double>::infinity();
            run_.best_validation_ = run_.result_.parameters;
            run_.best_validation_updates_ = run_.result_.steps_taken;
            run_.waiting_ = 0;
        }
        run_.result_.metric_names = {metrics.name...};
        run_.validation_ = std::move(values_at);
        return *this;
    }

    /// (validation data not in data(...), or a metric not written metric("name", expression): a
    /// compile error that says how)
    template <class V, class... Ms>
    requires(!detail::is_data_set<V> || !(detail::is_named_metric<Ms> && ...)) trainer& validate_on(const V&,
                                                                                                    const Ms&...) {
        static_assert(detail::misuse<V, Ms...>,
                      "trainer.validate_on(data(x = Xv, y = Yv), metric(\"mae\", mean(abs(f - y))), ...): the "
                      "validation data go in data(...), and each metric is written metric(\"name\", expression)");
        return *this;
    }

    /// Runs `steps` more steps (default: the options' `steps`). `on_step(const step_info<P>&)` is
    /// called after every step and may return step_action::stop.
    template <class Callback = std::nullptr_t>
    const descent_result<P>& train(std::size_t steps, Callback on_step = nullptr) {
        detail::agree_on_call(run_.shared(), run_.who_, run_.o_, steps, !std::is_same_v<Callback, std::nullptr_t>,
                              run_.validation_ != nullptr, run_.step_count_);
        if (steps == 0) throw invalid_argument_error(run_.who_ + ": steps must be at least 1");
        if (run_.o_.early_stopping_patience > 0 && !run_.validation_)
            throw invalid_argument_error(run_.who_ +
                                         ": early_stopping_patience needs validation data: "
                                         "trainer.validate_on(data(...)) before train()");
        const bool batched = run_.o_.batch_size > 0 && run_.o_.batch_size < run_.all_rows_;
        if (run_.o_.batch_size > 0 && run_.all_rows_ > 0 && run_.o_.batch_size > run_.all_rows_)
            throw invalid_argument_error(run_.who_ + ": batch_size " + std::to_string(run_.o_.batch_size) +
                                         " is larger than the data (" + std::to_string(run_.all_rows_) + " rows)");
        if (run_.o_.batch_size > 0 && run_.all_rows_ == 0)
            throw invalid_argument_error(run_.who_ + ": batch_size is set but no data array has rows to batch");
        // data(...) refers to the caller's arrays: they must still hold the rows the trainer was
        // built with (the minibatch order and each process's share are made for those). (Their
        // values are not scanned again: a loop of train(1) calls would read all the data per step;
        // a value made non-finite stops the run as a non-finite loss does.)
        shared_errors::agree(run_.shared(), [&] {
            const std::size_t rows =
                detail::validate_data(*run_.data_, run_.who_ + ": data", run_.shared() != nullptr, false);
            if (rows != run_.rows_)
                throw invalid_argument_error(run_.who_ + ": data: the arrays now have " + std::to_string(rows) +
                                             " rows, but the trainer was built with " + std::to_string(run_.rows_) +
                                             ": data(...) refers to the arrays it was given, which must keep their "
                                             "rows (other data need a trainer of their own)");
        });
        run_.result_.reason = stop_reason::completed;
        run_.result_.message.clear();
        run_.result_.final_loss_value = std::nan("");
        run_.known_final_ = false;
        try {
            return run_.run(steps, on_step, batched);
        } catch (...) {
            // the parameters are those of the last completed update; say that the call did not end,
            // and give final_loss() at those parameters, as after any stop: NaN when the loss
            // cannot be computed (the data caused the exception), and with shared rows, where it
            // would need every process to take part now
            run_.stop(stop_reason::interrupted,
                      run_.who_ + ": interrupted by an exception after step " + std::to_string(run_.step_count_));
            if (!run_.shared()) {
                try {
                    run_.result_.final_loss_value = detail::as_number(
                        std::get<0>(detail::run_program(*run_.step_, run_.result_.parameters, run_.data_->views())));
                } catch (...) {
                    run_.result_.final_loss_value = std::nan("");
                }
            }
            throw;
        }
    }
    const descent_result<P>& train() { return train(run_.o_.steps); }

    /// The parameters now (after `steps_taken()` updates).
    const P& parameters() const { return run_.result_.parameters; }
    template <fixed_string Name>
    const auto& operator[](symbol_t<Name> s) const {
        return run_.result_.parameters[s];
    }
    const descent_result<P>& result() const { return run_.result_; }
    const descent_options& options() const { return run_.o_; }
    std::size_t steps_run() const { return run_.step_count_; }

    /// Writes the whole state to `dir` (created if needed), as .npy files: `<name>.npy` per
    /// parameter (numpy.load reads them), `loss.npy`, and under `state/` the optimiser's moments,
    /// the minibatch order, the counters and the stopping state. load() continues the same run.
    void save(const std::string& dir) const {
        // every process has the same state: rank 0 writes it, and the others wait for it to have
        // written (a save then a load reads what was saved) or to have failed (then all raise)
        shared_errors::agree(run_.shared(), [&] {
            if (!run_.shared() || run_.shared()->rank() == 0) detail::write_checkpoint(run_, dir);
        });
    }

    /// Reads a state written by save() of a trainer with the same parameters (names, shapes) and
    /// optimiser; the next train() continues that run exactly.
    void load(const std::string& dir) { detail::read_checkpoint(run_, dir); }

private:
    using run_type = detail::training_run<Loss, P, data_set<Ds...>>;
    // With shared rows, a failure on one process is raised on every process (trainer_shared.hpp).
    using shared_errors = detail::trainer_failures;

    run_type run_;  ///< the state and the step loop
};

template <Expression Loss, class... Ps, class... Ds>
trainer(const Loss&, const parameter_set<Ps...>&, const data_set<Ds...>&, descent_options = {})
    -> trainer<Loss, parameter_set<Ps...>, data_set<Ds...>>;
template <Expression Loss, class... Ps, class... Ds>
trainer(const Loss&, const parameter_set<Ps...>&, const data_set<Ds...>&, descent_options, detail::called_as)
    -> trainer<Loss, parameter_set<Ps...>, data_set<Ds...>>;

}  // namespace symdiff
