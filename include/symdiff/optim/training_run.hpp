#pragma once
// The state of a trainer's run and its step loop. The state persists between calls of train():
// the parameters, the optimiser's moments, the minibatch order, the counters, and the records
// that the stops keep parameters from (the last finite loss, the lowest loss, the best
// validation loss). The loop runs the steps of one call: each evaluates the loss and its
// gradients in one compiled program, on all the data or on a minibatch, then checks them, updates
// the parameters, ends epochs (validation, early stopping) and stops on divergence, a value that
// is not finite, the callback, early stopping or convergence, keeping parameters whose loss was
// finite. trainer.hpp gives it its public face; checkpoint.hpp writes and reads it.
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <ostream>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/tuple.hpp>

#include "../core/expression.hpp"
#include "../core/symbol.hpp"
#include "../diff/derivative.hpp"
#include "../eval/collective.hpp"
#include "../eval/compile.hpp"
#include "bindings.hpp"
#include "evaluate_sets.hpp"
#include "minibatch.hpp"
#include "optimizers.hpp"
#include "options.hpp"
#include "parameter_update.hpp"
#include "progress.hpp"
#include "random.hpp"
#include "schedules.hpp"
#include "step_callback.hpp"
#include "trainer_checks.hpp"
#include "trainer_shared.hpp"

namespace symdiff::detail {

template <class Loss, class P, class D>
class training_run;

/// A trainer's run: its state and its step loop. The members are open to the trainer that owns
/// the run and to the checkpoint's functions, which read and set them all.
template <class Loss, class... Ps, class... Ds>
class training_run<Loss, parameter_set<Ps...>, data_set<Ds...>> {
public:
    using P = parameter_set<Ps...>;
    using step_program = symdiff::program<typename detail::array_rows<detail::rows_of<>, Ds...>::type, Loss,
                                          decltype(gradient_of(std::declval<const Loss&>(), symbol<Ps::name>))...>;
    using clock = std::chrono::steady_clock;
    // With shared rows, a failure on one process is raised on every process (as the library's
    // types or by its kind).
    using shared_errors = detail::trainer_failures;

    training_run(std::string who, const Loss& loss, const data_set<Ds...>& d, descent_options o, const P& initial)
        : who_(std::move(who)),
          loss_(loss),
          data_(std::make_shared<const data_set<Ds...>>(d)),
          o_(std::move(o)),
          result_{initial},
          last_finite_(initial),
          best_(initial),
          best_validation_(initial),
          gradient_(initial) {}

    collective* shared() const { return o_.distributed.get(); }

    /// Runs `steps` steps (train() has checked the call); the state they end in.
    template <class Callback>
    const descent_result<P>& run(std::size_t steps, Callback& on_step, bool batched) {
        // (the check runs again at every call until the first step: a failed check is not skipped)
        if (o_.check_gradient && step_count_ == 0) {
            if (const std::string failed = detail::check_gradient_once(shared(), loss_, result_.parameters, *data_,
                                                                       o_.check, result_.gradient_check);
                !failed.empty()) {
                stop(stop_reason::gradient_check_failed, who_ + ": stopped before the first step: " + failed);
                return finish(progress_);
            }
        }

        const std::size_t per_epoch = batched ? (all_rows_ + o_.batch_size - 1) / o_.batch_size : 1;
        progress_ = std::make_unique<detail::progress_display>(o_.progress, o_.log);
        progress_->start(step_count_ + 1, steps, per_epoch);
        epoch_start_ = clock::now();
        // an early stop that was due when the previous call ended at the end of that epoch for
        // another reason (the callback asked to stop, or threw) comes first
        if (step_count_ % per_epoch == 0 && stop_early_if_due(step_count_ / per_epoch)) return finish(progress_);

        for (std::size_t k = 0; k < steps; ++k) {
            const std::size_t step = step_count_ + 1;
            const std::size_t epoch = step_count_ / per_epoch + 1;
            const std::size_t batch = step_count_ % per_epoch;
            // (a lambda_lr's factor is the user's code: checked at every epoch, before any work)
            const double lr = scheduled_learning_rate(o_.schedule, o_.learning_rate, epoch - 1);
            if (!(lr >= 0) || !std::isfinite(lr))
                throw invalid_argument_error(who_ + ": the schedule gives epoch " + std::to_string(epoch) +
                                             " the learning rate " + detail::number_to_string(lr) +
                                             "; a learning rate must be a finite number >= 0");
            auto values = [&] {
                if (!batched) return detail::run_program(*step_, result_.parameters, data_->views());
                if (batch == 0 && o_.shuffle) shuffle(order_, rng_);
                // the batch is rows [lo, hi) of one order of all the rows; a process takes those it holds
                const std::size_t lo = batch * o_.batch_size, hi = std::min(all_rows_, lo + o_.batch_size);
                std::vector<std::size_t>& idx = batch_rows_;
                idx.clear();
                for (std::size_t i = lo; i < hi; ++i)
                    if (order_[i] >= first_row_ && order_[i] < first_row_ + rows_)
                        idx.push_back(order_[i] - first_row_);
                // the batch's arrays are kept from step to step (no allocation while the size holds)
                detail::gather_rows(*data_, idx, batch_);
                return detail::run_program(*step_, result_.parameters, batch_.views());
            }();
            const double L = detail::loss_number(loss_, std::get<0>(values), who_ + ": the loss");
            step_count_ = step;

            if (const std::string fault = detail::non_finite(L, values, result_.parameters); !fault.empty()) {
                if (std::isfinite(L)) {
                    // the loss is finite here, its gradient is not: keep these parameters (no update)
                    result_.loss_history.push_back(L);
                    keep(result_.parameters, result_.steps_taken, L, batched);
                    stop(stop_reason::non_finite, who_ + ": stopped at step " + std::to_string(step) + ": " + fault +
                                                      "; the parameters are those of step " + std::to_string(step) +
                                                      " before its update (their loss is finite)");
                } else if (running_away(last_finite_loss_, batched)) {
                    // it overflowed while rising above where it started: a divergence that outran
                    // the patience
                    stop_diverged(step, batched, [&](std::ostream& how) {
                        how << "the loss rose from " << start_loss_ << " at step 1 to " << last_finite_loss_
                            << " at step " << step - 1 << ", then to " << L;
                    });
                } else {
                    keep(last_finite_, last_finite_updates_, last_finite_loss_, batched);
                    stop(stop_reason::non_finite, who_ + ": stopped at step " + std::to_string(step) + ": " + fault +
                                                      "; the parameters are those of step " + std::to_string(step - 1) +
                                                      " before its update, the last with a finite loss");
                }
                break;
            }
            result_.loss_history.push_back(L);
            last_finite_ = result_.parameters;
            last_finite_updates_ = result_.steps_taken;
            last_finite_loss_ = L;
            if (step == 1) start_loss_ = L;
            if (!(L >= best_loss_)) {
                best_loss_ = L;
                best_updates_ = result_.steps_taken;
                best_ = result_.parameters;
            }

            // Divergence: the loss rose `patience` times in a row and is above where it started.
            const double prior = previous_;
            previous_ = L;
            rising_ = (step > 1 && L > prior) ? rising_ + 1 : 0;
            if (running_away(L, batched) && rising_ >= o_.divergence_patience) {
                stop_diverged(step, batched, [&](std::ostream& how) {
                    how << "the loss rose " << rising_ << " steps in a row, from " << start_loss_ << " at step 1 to "
                        << L;
                });
                break;
            }

            detail::update_parameters(values, epoch, result_.parameters, gradient_, states_, o_, who_);
            if (const std::string overflow = detail::first_non_finite_parameter(result_.parameters);
                !overflow.empty()) {
                if (running_away(L, batched)) {  // (a divergence that outran the patience, as above)
                    stop_diverged(step, batched, [&](std::ostream& how) {
                        how << "the loss rose from " << start_loss_ << " at step 1 to " << L
                            << ", then the update made " << overflow << " non-finite";
                    });
                    break;
                }
                keep(last_finite_, last_finite_updates_, last_finite_loss_, batched);
                stop(stop_reason::non_finite,
                     who_ + ": stopped at step " + std::to_string(step) + ": the update made " + overflow +
                         " non-finite; the parameters are those of step " + std::to_string(step) +
                         " before its update, the last with a finite loss");
                break;
            }
            result_.steps_taken += 1;

            if (o_.log_every > 0 && o_.log && (step % o_.log_every == 0 || step == 1))
                *o_.log << "step " << step << ": loss = " << L << "\n";
            progress_->step(step, epoch, L);

            epoch_loss_sum_ += L;
            epoch_steps_ += 1;
            const bool end_of_epoch = batch + 1 == per_epoch;
            double validation_loss = std::nan("");
            if (end_of_epoch) validation_loss = end_epoch(epoch, step, k + 1 == steps);
            if (end_of_epoch && validation_ && !std::isfinite(validation_loss)) {
                // (a NaN never improves on the best: early stopping would take it for a plateau)
                std::ostringstream msg;
                msg << who_ << ": stopped at epoch " << epoch << " (step " << step << "): the validation loss is "
                    << validation_loss;
                keep_best_validation(msg);
                waiting_ = 0;
                stop(stop_reason::non_finite, msg.str());
                break;
            }

            bool callback_stop = false;
            if constexpr (!std::is_same_v<Callback, std::nullptr_t>) {
                const step_info<P> info{step, epoch, L, result_.parameters, lr, end_of_epoch, validation_loss};
                callback_stop = detail::call_step_callback(on_step, info, shared());
            }
            if (callback_stop) {
                stop(stop_reason::stopped_by_callback,
                     who_ + ": stopped by the callback after step " + std::to_string(step));
                break;
            }
            if (end_of_epoch && stop_early_if_due(epoch)) break;
            // (minibatch losses differ from batch to batch: the tolerance applies to full batches only)
            if (o_.tolerance > 0 && !batched && step > 1 && std::abs(L - prior) <= o_.tolerance) {
                stop(stop_reason::converged, who_ + ": converged at step " + std::to_string(step) +
                                                 ": the loss changed by less than the tolerance");
                break;
            }
        }
        return finish(progress_);
    }

    /// Stops the run early when the validation loss has not improved for `patience` epochs (at the
    /// end of `epoch`): true when it did.
    bool stop_early_if_due(std::size_t epoch) {
        if (!validation_ || o_.early_stopping_patience == 0 || waiting_ < o_.early_stopping_patience) return false;
        std::ostringstream msg;
        msg << who_ + ": stopped early at epoch " << epoch << ": the validation loss did not improve on "
            << best_validation_loss_ << " for " << waiting_ << " epochs";
        if (o_.restore_best) keep_best_validation(msg);
        waiting_ = 0;  // a later call waits `patience` epochs again
        stop(stop_reason::early_stopped, msg.str());
        return true;
    }

    /// The end of an epoch: its record, the validation loss and metrics, the early-stopping count.
    double end_epoch(std::size_t epoch, std::size_t step, bool last_of_call) {
        epoch_record record;
        record.epoch = epoch;
        record.step = step;
        record.loss = epoch_loss_sum_ / static_cast<double>(epoch_steps_);
        if (validation_) {
            const auto v = validation_(result_.parameters);
            record.validation_loss = v[0];
            record.metrics.assign(v.begin() + 1, v.end());
            if (v[0] < best_validation_loss_ - o_.early_stopping_min_delta) {
                best_validation_loss_ = v[0];
                best_validation_ = result_.parameters;
                best_validation_updates_ = result_.steps_taken;
                waiting_ = 0;
            } else {
                waiting_ += 1;
            }
        }
        const auto now = clock::now();
        record.seconds = std::chrono::duration<double>(now - epoch_start_).count();
        epoch_start_ = now;
        epoch_loss_sum_ = 0;
        epoch_steps_ = 0;
        progress_->epoch(record, result_.metric_names, last_of_call);
        result_.epochs.push_back(record);
        return record.validation_loss;
    }

    /// Keeps earlier parameters (after `updates` updates, training loss `loss` when known) and
    /// starts the optimiser afresh from them.
    void keep(const P& kept, std::size_t updates, double loss, bool loss_unknown) {
        result_.parameters = kept;
        result_.steps_taken = updates;
        states_ = {};
        if (!loss_unknown && std::isfinite(loss)) {
            result_.final_loss_value = loss;
            known_final_ = true;
        }
    }

    /// Keeps the parameters of the best validation loss, and says so at the end of `msg`.
    void keep_best_validation(std::ostream& msg) {
        msg << "; the parameters are those after the update of step " << best_validation_updates_
            << ", the best validation loss";
        keep(best_validation_, best_validation_updates_, std::nan(""), true);
    }

    /// Full batch with divergence watched, and the loss rising above where it started (rising_
    /// steps in a row): a run that is running away from its minimum.
    bool running_away(double loss, bool batched) const {
        return o_.divergence_patience > 0 && !batched && rising_ > 0 && loss > start_loss_;
    }
    /// Stops as diverged, keeping the parameters of the lowest loss seen; `how(stream)` writes how
    /// the loss ran away.
    template <class How>
    void stop_diverged(std::size_t step, bool batched, How&& how) {
        std::ostringstream msg;
        msg << who_ << ": stopped at step " << step << ": ";
        how(msg);
        msg << "; the learning rate (" << o_.learning_rate
            << ") is probably too high. The parameters are those of step " << best_updates_ + 1
            << " before its update, the lowest loss seen (" << best_loss_ << ")";
        keep(best_, best_updates_, best_loss_, batched);
        stop(stop_reason::diverged, msg.str());
    }

    void stop(stop_reason reason, std::string message) {
        result_.reason = reason;
        result_.message = std::move(message);
    }

    /// The loss at the parameters kept (all the data), the progress display's last words.
    const descent_result<P>& finish(const std::unique_ptr<detail::progress_display>& progress) {
        if (!known_final_) {
            // computed when first read, or when the result is copied (a copy takes the number).
            // It owns the program, the data and these parameters, so it stays valid while the
            // trainer's own members move. With shared rows every process must take part in the
            // pass, so it runs now.
            auto loss_at = [step = step_, data = data_, p = result_.parameters] {
                return detail::as_number(std::get<0>(detail::run_program(*step, p, data->views())));
            };
            if (shared()) result_.final_loss_value = loss_at();
            else result_.final_loss_value.defer(std::move(loss_at));
        }
        if (progress) progress->finish(result_.reason == stop_reason::completed ? std::string() : result_.message);
        return result_;
    }

    std::string who_;
    Loss loss_;
    std::shared_ptr<const data_set<Ds...>> data_;  // shared with a final loss computed later
    descent_options o_;
    std::shared_ptr<step_program> step_;  // shared with a final loss computed later
    std::function<std::vector<double>(const P&)> validation_;
    std::unique_ptr<detail::progress_display> progress_;
    descent_result<P> result_;
    std::tuple<detail::slot_state<std::remove_cvref_t<decltype(Ps::value)>>...> states_{};
    P last_finite_, best_, best_validation_, gradient_;
    std::size_t rows_ = 0, step_count_ = 0;
    std::size_t all_rows_ = 0, first_row_ = 0;  ///< the rows of all processes; this one's first
    std::vector<std::size_t> order_;
    splitmix64 rng_{0};
    std::vector<std::size_t> batch_rows_;  ///< this process's rows of the current minibatch
    /// the current minibatch's rows (declared after data_, which it reads)
    decltype(detail::batch_of(std::declval<const data_set<Ds...>&>())) batch_{detail::batch_of(*data_)};
    double start_loss_ = std::nan(""), best_loss_ = std::numeric_limits<double>::infinity(), previous_ = std::nan("");
    double last_finite_loss_ = std::nan(""), best_validation_loss_ = std::numeric_limits<double>::infinity();
    std::size_t rising_ = 0, best_updates_ = 0, last_finite_updates_ = 0, best_validation_updates_ = 0, waiting_ = 0;
    double epoch_loss_sum_ = 0;
    std::size_t epoch_steps_ = 0;
    clock::time_point epoch_start_{};
    bool known_final_ = false;
};

}  // namespace symdiff::detail
