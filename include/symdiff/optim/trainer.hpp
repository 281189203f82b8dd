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
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/concat.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/unpack.hpp>
#include <xtensor/xnoalias.hpp>
#include <xtensor/xview.hpp>

#include "../core/traits.hpp"
#include "../diff/derivative.hpp"
#include "../eval/compile.hpp"
#include "../io/npy.hpp"
#include "../print/to_string.hpp"
#include "bindings.hpp"
#include "evaluate_sets.hpp"
#include "gradient_check.hpp"
#include "optimizers.hpp"
#include "options.hpp"
#include "progress.hpp"
#include "random.hpp"
#include "schedules.hpp"

namespace symdiff {

namespace errors {
template <fixed_string Name>
struct parameter_not_in_loss {
    static_assert(Name.size() == 0,
                  "params(...): a parameter does not occur in the loss, so training could never change it; remove "
                  "it or correct its name (the name is in this template's argument)");
    static constexpr bool value = false;
};
template <fixed_string Name>
struct data_not_in_loss {
    static_assert(Name.size() == 0,
                  "data(...): a data symbol does not occur in the loss; remove it or correct its name (the name is "
                  "in this template's argument)");
    static constexpr bool value = false;
};
}  // namespace errors

/// A named number computed from the parameters and the validation data at the end of each epoch:
/// `metric("accuracy", mean(argmax_mask(logits) * y) * 10)`.
template <class E>
struct named_metric {
    std::string name;
    E expr;
};
template <Expression E>
named_metric<E> metric(std::string name, const E& e) {
    return {std::move(name), e};
}

namespace detail {

template <class T>
inline constexpr bool is_named_metric = false;
template <class E>
inline constexpr bool is_named_metric<named_metric<E>> = true;

template <class V>
std::size_t first_extent(const V& v) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<V>>) return 0;
    else return v.dimension() == 0 ? 0 : v.shape()[0];
}

/// The data symbols that hold arrays of rows (not numbers, not fixed(...)).
template <class Rows, class... Ds>
struct array_rows {
    using type = Rows;
};
template <fixed_string... Names, class D, class... Ds>
struct array_rows<rows_of<Names...>, D, Ds...>
    : array_rows<
          std::conditional_t<is_number<decltype(std::declval<D>().value)> || is_fixed<std::remove_cvref_t<D>>::value,
                             rows_of<Names...>, rows_of<Names..., std::remove_cvref_t<D>::name>>,
          Ds...> {};

/// Runs a compiled program on the parameters and data views; a std::tuple of its values.
template <class Program, class P, class Views>
auto run_program(Program& program, const P& p, const Views& views) {
    return boost::hana::unpack(boost::hana::concat(p.views(), views), [&](const auto&... b) { return program(b...); });
}

/// A minibatch's bindings for `d`: every array of rows becomes an owned array (of the same type
/// when it is contiguous) that gather_rows fills; numbers and fixed values are passed through, so
/// the views of a batch have the types of the views of the whole data (the step is compiled once).
template <class... Bs>
auto batch_of(const data_set<Bs...>& d) {
    auto rows = boost::hana::transform(d.bindings, [&](const auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        using V = std::remove_cvref_t<decltype(b.value)>;
        if constexpr (std::is_arithmetic_v<V>) {
            return binding<B::name, V>{b.value};
        } else if constexpr (is_fixed<B>::value) {
            return fixed_binding<B::name, const V&>{b.value};
        } else {
            using C = std::conditional_t<is_row_major_array<V>::value, V, xt::xarray<typename V::value_type>>;
            return binding<B::name, C>{C{}};
        }
    });
    return boost::hana::unpack(std::move(rows),
                               [](auto... b) { return data_set<decltype(b)...>{boost::hana::make_tuple(b...)}; });
}

/// Copies the rows `idx` of every array of rows of `d` into `batch` (made by batch_of(d)): in
/// place, row by row for contiguous arrays (reallocated only when the number of rows changes).
template <class... Bs, class Batch>
void gather_rows(const data_set<Bs...>& d, const std::vector<std::size_t>& idx, Batch& batch) {
    boost::hana::for_each(
        boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<sizeof...(Bs)>), [&](auto i) {
            const auto& from = boost::hana::at(d.bindings, i);
            auto& to = boost::hana::at(batch.bindings, i);
            using B = std::remove_cvref_t<decltype(from)>;
            using V = std::remove_cvref_t<decltype(from.value)>;
            if constexpr (std::is_arithmetic_v<V> || is_fixed<B>::value) {
                return;
            } else if constexpr (is_row_major_array<V>::value) {
                auto shape = from.value.shape();
                const std::size_t row = from.value.size() / shape[0];
                shape[0] = idx.size();
                if (!std::equal(shape.begin(), shape.end(), to.value.shape().begin(), to.value.shape().end()))
                    to.value.resize(shape);
                const auto* src = from.value.data();
                auto* dst = to.value.data();
                for (std::size_t r = 0; r < idx.size(); ++r) std::copy_n(src + idx[r] * row, row, dst + r * row);
            } else {
                to.value = xt::view(from.value, xt::keep(idx));
            }
        });
}

/// The name of the call whose options or data were wrong, as the messages say it.
struct called_as {
    std::string_view name;
};

/// The optimiser's constants (torch.optim's ranges, except that a momentum of 1 or more, which
/// never forgets a gradient, is refused too).
inline void validate(const optimizer& method, called_as who) {
    const auto option_error = [&](const std::string& what) { return std::string(who.name) + ": " + what; };
    const auto in_unit = [](double v) { return v >= 0 && v < 1; };
    const auto name = optimizer_name(method);
    if (const auto* m = std::get_if<momentum>(&method); m && !in_unit(m->mu))
        throw invalid_argument_error(option_error("momentum{mu} must be in [0, 1), got " + number_to_string(m->mu)));
    const auto check_adam = [&](const auto& a) {
        if (!in_unit(a.beta1))
            throw invalid_argument_error(
                option_error(name + "{beta1} must be in [0, 1), got " + number_to_string(a.beta1)));
        if (!in_unit(a.beta2))
            throw invalid_argument_error(
                option_error(name + "{beta2} must be in [0, 1), got " + number_to_string(a.beta2)));
        if (!(a.eps > 0) || !std::isfinite(a.eps))
            throw invalid_argument_error(
                option_error(name + "{eps} must be a positive finite number, got " + number_to_string(a.eps)));
    };
    if (const auto* a = std::get_if<adam>(&method)) check_adam(*a);
    if (const auto* a = std::get_if<adamw>(&method)) check_adam(*a);
    const double wd = weight_decay_of(method);
    if (!(wd >= 0) || !std::isfinite(wd))
        throw invalid_argument_error(option_error(name + "{weight_decay} must be >= 0, got " + number_to_string(wd)));
}

template <class... Ps>
void validate(const descent_options& o, called_as who) {
    const auto option_error = [&](const std::string& what) { return std::string(who.name) + ": " + what; };
    const auto positive = [](double v) { return v > 0 && std::isfinite(v); };
    if (!positive(o.learning_rate))
        throw invalid_argument_error(option_error("learning_rate must be a positive finite number, got " +
                                                  detail::number_to_string(o.learning_rate)));
    if (o.threads == 0) throw invalid_argument_error(option_error("threads must be at least 1"));
    if (o.tolerance < 0 || !std::isfinite(o.tolerance))
        throw invalid_argument_error(option_error("tolerance must be >= 0"));
    if (o.clip_grad_norm < 0 || !std::isfinite(o.clip_grad_norm))
        throw invalid_argument_error(option_error("clip_grad_norm must be >= 0 (0: no clipping)"));
    if (o.clip_grad_value < 0 || !std::isfinite(o.clip_grad_value))
        throw invalid_argument_error(option_error("clip_grad_value must be >= 0 (0: no clipping)"));
    if (!(o.early_stopping_min_delta >= 0) || !std::isfinite(o.early_stopping_min_delta))
        throw invalid_argument_error(option_error("early_stopping_min_delta must be a finite number >= 0"));
    validate(o.method, who);
    if (const auto problem = gradient_check_problem(o.check); !problem.empty())
        throw invalid_argument_error(option_error("check: " + problem));
    if (const auto problem = schedule_problem(o.schedule); !problem.empty())
        throw invalid_argument_error(option_error("schedule: " + problem));
    for (std::size_t i = 0; i < o.parameter_learning_rates.size(); ++i) {
        const auto& [name, rate] = o.parameter_learning_rates[i];
        for (std::size_t j = 0; j < i; ++j)
            if (o.parameter_learning_rates[j].first == name)
                throw invalid_argument_error(
                    option_error("parameter_learning_rates names '" + name + "' twice; give each parameter one rate"));
        if (!((name == std::string_view(Ps::name.view())) || ...))
            throw invalid_argument_error(
                option_error("parameter_learning_rates names '" + name + "', which is not a parameter"));
        if (!positive(rate))
            throw invalid_argument_error(
                option_error("the learning rate of '" + name + "' must be a positive finite number"));
    }
}

/// Rows of the data (checked: every array of rows has as many), and the data finite.
/// (`shared`: this process's share of rows shared across processes, which may hold none of them)
template <class D>
std::size_t validate_data(const D& d, const std::string& which, bool shared = false) {
    std::string first_name;
    std::size_t rows = 0;
    boost::hana::for_each(d.bindings, [&](const auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        const std::string name(B::name.view());
        const auto& v = b.value;
        if constexpr (!std::is_arithmetic_v<std::remove_cvref_t<decltype(v)>>) {
            const bool no_rows_here = shared && !is_fixed<B>::value && v.dimension() > 0 && first_extent(v) == 0;
            if (v.size() == 0 && !no_rows_here)
                throw invalid_argument_error(which + ": '" + name + "' is empty (shape " +
                                             shape_to_string(shape_of(v)) + ")");
            const std::size_t n = first_extent(v);
            if (!is_fixed<B>::value && n > 0 && rows == 0) {
                rows = n;
                first_name = name;
            } else if (!is_fixed<B>::value && n > 0 && n != rows) {
                throw invalid_argument_error(
                    which + ": '" + first_name + "' has " + std::to_string(rows) + " rows but '" + name + "' has " +
                    std::to_string(n) + " (shape " + shape_to_string(shape_of(v)) +
                    "); a value that is not one row per example is written fixed(" + name + " = ...)");
            }
        }
        const long bad = first_non_finite(v);
        if (bad >= 0)
            throw invalid_argument_error(which + ": '" + name + "' has a non-finite value at " +
                                         entry_name(name, v, static_cast<std::size_t>(bad)));
    });
    return rows;
}

/// A number, whether the value is a number or a one-element array; anything else is an error
/// naming the expression.
template <class E, class V>
double loss_number(const E& e, const V& v, const std::string& what) {
    if constexpr (!is_number<V>) {
        if (v.size() != 1)
            throw invalid_argument_error(what + " must be a number, but '" + to_string(e) + "' evaluated to shape " +
                                         shape_to_string(shape_of(v)) + "; reduce it with mean() or sum()");
    }
    return as_number(v);
}

template <class P, class F>
void for_each_index(F&& f) {
    boost::hana::for_each(boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<P::size>), f);
}

}  // namespace detail

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
        : who_(who.name),
          loss_(loss),
          data_(std::make_shared<const data_set<Ds...>>(d)),
          o_(std::move(o)),
          result_{initial},
          last_finite_(initial),
          best_(initial),
          best_validation_(initial),
          gradient_(initial) {
        check_symbols();
        // with the rows shared across processes, a bad option or bad data on one process stops all
        shared_errors::agree(shared(), [&] {
            detail::validate<Ps...>(o_, who);
            rows_ = detail::validate_data(*data_, who_ + ": data", shared() != nullptr);
            boost::hana::for_each(initial.bindings, [&](const auto& b) {
                const auto name = std::remove_cvref_t<decltype(b)>::name.view();
                const long bad = detail::first_non_finite(b.value);
                if (bad >= 0)
                    throw invalid_argument_error(who_ + ": params: the initial value of '" + std::string(name) +
                                                 "' is not finite at " +
                                                 detail::entry_name(name, b.value, static_cast<std::size_t>(bad)));
            });
        });
        all_rows_ = rows_;
        if (collective* c = shared()) {  // this process's rows are [first_row_, first_row_ + rows_)
            const detail::row_share share = detail::share_of(c->gather(rows_), c->rank());
            first_row_ = share.first;
            all_rows_ = share.all;
            if (c->rank() != 0) {  // logs and the progress display are rank 0's
                o_.log = nullptr;
                o_.progress = progress_mode::none;
            }
            // every process starts from rank 0's parameters (as DistributedDataParallel does)
            from_rank_0(result_.parameters, *c);
            last_finite_ = best_ = best_validation_ = gradient_ = result_.parameters;
        }
        step_ = std::make_shared<step_program>(boost::hana::make_tuple(loss_, gradient_of(loss_, symbol<Ps::name>)...));
        step_->threads(o_.threads).allow_row_broadcast(o_.allow_row_broadcast).share_rows(o_.distributed);
        order_.resize(all_rows_);
        for (std::size_t i = 0; i < all_rows_; ++i) order_[i] = i;
        rng_ = splitmix64(o_.shuffle_seed);
    }

    /// Evaluates the loss on `validation` data (and the metrics) at the end of every epoch;
    /// `early_stopping_patience` then stops on it.
    template <class... Vs, class... Es>
    trainer& validate_on(const data_set<Vs...>& validation, named_metric<Es>... metrics) {
        shared_errors::agree(
            shared(), [&] { detail::validate_data(validation, who_ + ": validation data", shared() != nullptr); });
        auto held = std::make_shared<data_set<Vs...>>(validation);
        using Rows = typename detail::array_rows<detail::rows_of<>, Vs...>::type;
        // (every data symbol is a rows symbol, whether or not a metric reads it: the program's type,
        // not compile(), which checks that each rows symbol is read)
        auto program = std::make_shared<symdiff::program<Rows, Loss, Es...>>(loss_, metrics.expr...);
        program->threads(o_.threads).allow_row_broadcast(o_.allow_row_broadcast).share_rows(o_.distributed);
        auto values_at = [held, program, who = who_, loss = loss_,
                          exprs = std::make_tuple(metrics.expr...)](const P& p) {
            const auto values = detail::run_program(*program, p, held->views());
            std::vector<double> out;
            out.push_back(detail::loss_number(loss, std::get<0>(values), who + ": the validation loss"));
            [&]<std::size_t... M>(std::index_sequence<M...>) {
                (out.push_back(detail::loss_number(std::get<M>(exprs), std::get<M + 1>(values), who + ": a metric")),
                 ...);
            }
            (std::index_sequence_for<Es...>{});
            return out;
        };
        // a metric that is not a number, bad shapes, a loss that is not finite here: an error now,
        // with the trainer as it was
        if (const double v = values_at(result_.parameters)[0]; !std::isfinite(v))
            throw invalid_argument_error(who_ + ": the validation loss is " + detail::number_to_string(v) +
                                         " at the current parameters; a validation loss must be finite");
        if (validation_ || best_validation_loss_ == std::numeric_limits<double>::infinity()) {
            // a record of these data from now: another set's best loss was on other data. (The
            // first set keeps a record that load() brought, that of the run it continues.)
            best_validation_loss_ = std::numeric_limits<double>::infinity();
            best_validation_ = result_.parameters;
            best_validation_updates_ = result_.steps_taken;
            waiting_ = 0;
        }
        result_.metric_names = {metrics.name...};
        validation_ = std::move(values_at);
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
        agree_on_call(steps, !std::is_same_v<Callback, std::nullptr_t>);
        if (steps == 0) throw invalid_argument_error(who_ + ": steps must be at least 1");
        if (o_.early_stopping_patience > 0 && !validation_)
            throw invalid_argument_error(who_ +
                                         ": early_stopping_patience needs validation data: "
                                         "trainer.validate_on(data(...)) before train()");
        const bool batched = o_.batch_size > 0 && o_.batch_size < all_rows_;
        if (o_.batch_size > 0 && all_rows_ > 0 && o_.batch_size > all_rows_)
            throw invalid_argument_error(who_ + ": batch_size " + std::to_string(o_.batch_size) +
                                         " is larger than the data (" + std::to_string(all_rows_) + " rows)");
        if (o_.batch_size > 0 && all_rows_ == 0)
            throw invalid_argument_error(who_ + ": batch_size is set but no data array has rows to batch");
        result_.reason = stop_reason::completed;
        result_.message.clear();
        result_.final_loss_value = std::nan("");
        known_final_ = false;
        try {
            return run(steps, on_step, batched);
        } catch (...) {
            // the parameters are those of the last completed update; say that the call did not end,
            // and give final_loss() at those parameters, as after any stop: NaN when the loss
            // cannot be computed (the data caused the exception), and with shared rows, where it
            // would need every process to take part now
            stop(stop_reason::interrupted,
                 who_ + ": interrupted by an exception after step " + std::to_string(step_count_));
            if (!shared()) {
                try {
                    result_.final_loss_value =
                        detail::as_number(std::get<0>(detail::run_program(*step_, result_.parameters, data_->views())));
                } catch (...) {
                    result_.final_loss_value = std::nan("");
                }
            }
            throw;
        }
    }
    const descent_result<P>& train() { return train(o_.steps); }

private:
    // With shared rows, a failure on one process is raised on every process; these library types
    // are raised as themselves (an option, a checkpoint that cannot be read), others by their kind.
    using shared_errors = detail::failures<invalid_argument_error, io_error>;

    template <class Callback>
    const descent_result<P>& run(std::size_t steps, Callback& on_step, bool batched) {
        // (the check runs again at every call until the first step: a failed check is not skipped)
        if (o_.check_gradient && step_count_ == 0) {
            if (const std::string failed = check_gradient_once(); !failed.empty()) {
                stop(stop_reason::gradient_check_failed, who_ + ": stopped before the first step: " + failed);
                return finish(progress_);
            }
        }

        const std::size_t per_epoch = batched ? (all_rows_ + o_.batch_size - 1) / o_.batch_size : 1;
        progress_ = std::make_unique<detail::progress_display>(o_.progress, o_.log);
        progress_->start(step_count_ + 1, steps, per_epoch);
        epoch_start_ = clock::now();

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

            if (const std::string fault = non_finite(L, values); !fault.empty()) {
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

            update(values, epoch);
            if (const std::string overflow = first_non_finite_parameter(); !overflow.empty()) {
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
                static_assert(std::is_invocable_v<Callback&, const step_info<P>&>,
                              "train / gradient_descent: the step callback is called as on_step(const "
                              "step_info<P>& s), one argument (s.step, s.epoch, s.loss, s.parameters, ...)");
                using result = std::invoke_result_t<Callback&, const step_info<P>&>;
                static_assert(std::is_void_v<result> || std::is_same_v<result, step_action>,
                              "train / gradient_descent: the step callback returns nothing or a step_action "
                              "(return step_action::stop to stop); a result of another type, such as a bool, "
                              "would be ignored");
                const auto call = [&] {
                    if constexpr (std::is_same_v<decltype(on_step(info)), step_action>)
                        callback_stop = on_step(info) == step_action::stop;
                    else on_step(info);
                };
                if (collective* c = shared()) {
                    // one process's callback stops them all; one that throws stops them all too
                    shared_failure failed;
                    try {
                        call();
                    } catch (...) {
                        failed = shared_errors::of(std::current_exception(), c->rank());
                    }
                    const std::vector<std::uint64_t> says = c->gather(failed ? 2 : callback_stop ? 1 : 0);
                    if (std::find(says.begin(), says.end(), 2u) != says.end())
                        shared_errors::raise(c->first_failure(failed), c->size());
                    callback_stop = std::find(says.begin(), says.end(), 1u) != says.end();
                } else {
                    call();
                }
            }
            if (callback_stop) {
                stop(stop_reason::stopped_by_callback,
                     who_ + ": stopped by the callback after step " + std::to_string(step));
                break;
            }
            if (end_of_epoch && o_.early_stopping_patience > 0 && waiting_ >= o_.early_stopping_patience) {
                std::ostringstream msg;
                msg << who_ + ": stopped early at epoch " << epoch << ": the validation loss did not improve on "
                    << best_validation_loss_ << " for " << waiting_ << " epochs";
                if (o_.restore_best) keep_best_validation(msg);
                waiting_ = 0;  // a later call waits `patience` epochs again
                stop(stop_reason::early_stopped, msg.str());
                break;
            }
            // (minibatch losses differ from batch to batch: the tolerance applies to full batches only)
            if (o_.tolerance > 0 && !batched && step > 1 && std::abs(L - prior) <= o_.tolerance) {
                stop(stop_reason::converged, who_ + ": converged at step " + std::to_string(step) +
                                                 ": the loss changed by less than the tolerance");
                break;
            }
        }
        return finish(progress_);
    }

public:
    /// The parameters now (after `steps_taken()` updates).
    const P& parameters() const { return result_.parameters; }
    template <fixed_string Name>
    const auto& operator[](symbol_t<Name> s) const {
        return result_.parameters[s];
    }
    const descent_result<P>& result() const { return result_; }
    const descent_options& options() const { return o_; }
    std::size_t steps_run() const { return step_count_; }

    /// Writes the whole state to `dir` (created if needed), as .npy files: `<name>.npy` per
    /// parameter (numpy.load reads them), `loss.npy`, and under `state/` the optimiser's moments,
    /// the minibatch order, the counters and the stopping state. load() continues the same run.
    void save(const std::string& dir) const {
        // every process has the same state: rank 0 writes it, and the others wait for it to have
        // written (a save then a load reads what was saved) or to have failed (then all raise)
        shared_errors::agree(shared(), [&] {
            if (!shared() || shared()->rank() == 0) write_state(dir);
        });
    }

private:
    void write_state(const std::string& dir) const {
        namespace fs = std::filesystem;
        fs::create_directories(fs::path(dir) / "state");
        write_set(result_.parameters, dir, "");
        save_npy(dir + "/loss.npy", result_.loss_history);
        write_set(last_finite_, dir, "state/last_finite.");
        write_set(best_, dir, "state/best.");
        write_set(best_validation_, dir, "state/best_validation.");
        std::vector<std::uint64_t> counters{format_version,
                                            static_cast<std::uint64_t>(o_.method.index()),
                                            sizeof...(Ps),
                                            step_count_,
                                            result_.steps_taken,
                                            rng_.state,
                                            rising_,
                                            best_updates_,
                                            last_finite_updates_,
                                            best_validation_updates_,
                                            waiting_,
                                            epoch_steps_};
        detail::for_each_index<P>([&](auto k) {
            const auto& s = std::get<decltype(k)::value>(states_);
            counters.push_back(s.started);
            counters.push_back(s.t);
            if (s.started) {
                const std::string base = dir + "/state/optimizer." + name_of(k);
                save_value(base + ".first.npy", s.first);                       // momentum's buffer, Adam's m
                if (two_moments()) save_value(base + ".second.npy", s.second);  // Adam's v
            }
        });
        save_npy(dir + "/state/counters.npy", counters);
        save_npy(dir + "/state/values.npy", std::vector<double>{start_loss_, best_loss_, previous_, last_finite_loss_,
                                                                best_validation_loss_, epoch_loss_sum_});
        save_npy(dir + "/state/order.npy", std::vector<std::uint64_t>(order_.begin(), order_.end()));
    }

public:
    /// Reads a state written by save() of a trainer with the same parameters (names, shapes) and
    /// optimiser; the next train() continues that run exactly.
    void load(const std::string& dir) {
        // read everything first: a failed load leaves the trainer as it was (on every process:
        // with shared rows, a read that fails on one process fails on all of them)
        constexpr std::size_t fixed_fields = 12;
        std::vector<std::uint64_t> counters, order;
        std::vector<double> values, history;
        P parameters = result_.parameters, last_finite = last_finite_, best = best_, best_validation = best_validation_;
        auto states = states_;
        shared_errors::agree(shared(), [&] {
            counters = load_npy_vector<std::uint64_t>(dir + "/state/counters.npy");
            if (counters.size() != fixed_fields + 2 * sizeof...(Ps) || counters[0] != format_version)
                throw io_error("trainer::load: '" + dir + "' is not a checkpoint of a trainer with " +
                               std::to_string(sizeof...(Ps)) + " parameters");
            if (counters[1] != o_.method.index())
                throw io_error("trainer::load: the checkpoint in '" + dir +
                               "' was written with a different optimiser than " + optimizer_name(o_.method));
            values = load_npy_vector<double>(dir + "/state/values.npy");
            order = load_npy_vector<std::uint64_t>(dir + "/state/order.npy");
            if (values.size() != 6 || order.size() != all_rows_)
                throw io_error("trainer::load: the checkpoint in '" + dir + "' was written for " +
                               std::to_string(order.size()) + " rows of data, this trainer has " +
                               std::to_string(all_rows_));
            std::vector<bool> seen(all_rows_, false);
            for (const auto i : order) {
                if (i >= all_rows_ || seen[i])
                    throw io_error("trainer::load: '" + dir + "/state/order.npy' is not an order of the " +
                                   std::to_string(all_rows_) + " rows");
                seen[i] = true;
            }
            read_set(parameters, dir, "");
            read_set(last_finite, dir, "state/last_finite.");
            read_set(best, dir, "state/best.");
            read_set(best_validation, dir, "state/best_validation.");
            detail::for_each_index<P>([&](auto k) {
                auto& st = std::get<decltype(k)::value>(states);
                st.started = counters[fixed_fields + 2 * decltype(k)::value] != 0;
                st.t = counters[fixed_fields + 2 * decltype(k)::value + 1];
                if (st.started) {
                    const std::string base = dir + "/state/optimizer." + name_of(k);
                    st.first = boost::hana::at(parameters.bindings, k).value;
                    read_value(base + ".first.npy", st.first);
                    if (two_moments()) {
                        st.second = st.first;
                        read_value(base + ".second.npy", st.second);
                    }
                }
            });
            history = load_npy_vector<double>(dir + "/loss.npy");
        });

        result_.parameters = std::move(parameters);
        last_finite_ = std::move(last_finite);
        best_ = std::move(best);
        best_validation_ = std::move(best_validation);
        states_ = std::move(states);
        result_.loss_history = std::move(history);
        step_count_ = counters[3];
        result_.steps_taken = counters[4];
        rng_.state = counters[5];
        rising_ = counters[6];
        best_updates_ = counters[7];
        last_finite_updates_ = counters[8];
        best_validation_updates_ = counters[9];
        waiting_ = counters[10];
        epoch_steps_ = counters[11];
        start_loss_ = values[0];
        best_loss_ = values[1];
        previous_ = values[2];
        last_finite_loss_ = values[3];
        best_validation_loss_ = values[4];
        epoch_loss_sum_ = values[5];
        order_.assign(order.begin(), order.end());
        // the loaded state, described like the state after a call: the loss at these parameters
        result_.reason = stop_reason::completed;
        result_.message.clear();
        result_.gradient_check.reset();
        result_.epochs.clear();
        known_final_ = false;
        finish(nullptr);
    }

private:
    using step_program = symdiff::program<typename detail::array_rows<detail::rows_of<>, Ds...>::type, Loss,
                                          decltype(gradient_of(std::declval<const Loss&>(), symbol<Ps::name>))...>;
    using clock = std::chrono::steady_clock;
    static constexpr std::uint64_t format_version = 1;

    collective* shared() const { return o_.distributed.get(); }

    /// With shared rows, every process must call train() alike (the same steps, a callback or
    /// none, validation data or none, the same options that decide which collective calls a step
    /// makes): checked with one gather per call, of a hash of all that.
    void agree_on_call(std::size_t steps, bool callback) {
        collective* c = shared();
        if (!c) return;
        const auto bits = [](double v) {
            std::uint64_t u = 0;
            std::memcpy(&u, &v, sizeof u);
            return u;
        };
        std::uint64_t h = 0;
        for (const std::uint64_t v :
             {std::uint64_t{steps}, std::uint64_t{callback}, std::uint64_t{validation_ != nullptr},
              std::uint64_t{step_count_}, std::uint64_t{o_.batch_size}, std::uint64_t{o_.shuffle}, o_.shuffle_seed,
              std::uint64_t{o_.check_gradient}, std::uint64_t{o_.early_stopping_patience},
              std::uint64_t{o_.divergence_patience}, std::uint64_t{o_.method.index()}, bits(o_.learning_rate),
              bits(o_.tolerance), bits(o_.clip_grad_norm), bits(o_.clip_grad_value)})
            h = detail::hash_mix(h, v);
        const std::vector<std::uint64_t> calls = c->gather(h);
        for (std::size_t r = 1; r < calls.size(); ++r)
            if (calls[r] != calls[0])
                throw invalid_argument_error(
                    who_ + ": the processes called train() differently (rank 0 and rank " + std::to_string(r) +
                    " differ in the number of steps, the callback, the validation data, the steps taken so far or "
                    "the options): with shared rows every process makes the same calls with the same options");
    }

    /// Gives every process rank 0's values of `set` (a sum in which the other ranks add zeros).
    static void from_rank_0(P& set, collective& c) {
        std::vector<double> flat;
        boost::hana::for_each(set.bindings, [&](const auto& b) {
            if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(b.value)>>) flat.push_back(b.value);
            else flat.insert(flat.end(), b.value.begin(), b.value.end());
        });
        if (c.rank() != 0) std::fill(flat.begin(), flat.end(), 0.0);
        c.sum(flat.data(), flat.size());
        std::size_t at = 0;
        boost::hana::for_each(set.bindings, [&](auto& b) {
            using V = std::remove_cvref_t<decltype(b.value)>;
            if constexpr (std::is_arithmetic_v<V>) b.value = static_cast<V>(flat[at++]);
            else
                for (auto& v : b.value) v = static_cast<typename V::value_type>(flat[at++]);
        });
    }

    /// The gradient check, once: by rank 0 on its rows when the rows are shared (the symbolic
    /// gradient does not depend on which rows). The failure's summary, or an empty string.
    std::string check_gradient_once() {
        collective* c = shared();
        if (!c) {
            const auto report = check_gradient(loss_, result_.parameters, data_views_set(), o_.check);
            result_.gradient_check = report;
            return report.passed ? std::string() : report.summary();
        }
        // rank 0's verdict: 0 passed, 1 failed (the summary), 2 an exception (its failure)
        std::uint64_t verdict = 0;
        shared_failure said;
        if (c->rank() == 0) {
            try {
                const auto report = check_gradient(loss_, result_.parameters, data_views_set(), o_.check);
                result_.gradient_check = report;
                if (!report.passed) {
                    verdict = 1;
                    said = shared_failure{failure_kind::runtime, 0, report.summary()};
                }
            } catch (...) {
                verdict = 2;
                said = shared_errors::of(std::current_exception(), 0);
            }
        }
        verdict = c->gather(verdict)[0];
        if (verdict == 0) return {};
        const shared_failure first = c->first_failure(said);
        if (verdict == 2) shared_errors::raise(first, c->size());
        return first.message;  // (the report itself is rank 0's)
    }

    /// Whether the optimiser keeps a second moment (Adam, AdamW) besides the first.
    bool two_moments() const {
        return std::holds_alternative<adam>(o_.method) || std::holds_alternative<adamw>(o_.method);
    }

    static constexpr void check_symbols() {
        (
            [] {
                if constexpr (!depends_on<Loss, symbol_t<Ps::name>>)
                    static_assert(errors::parameter_not_in_loss<Ps::name>::value);
            }(),
            ...);
        (
            [] {
                if constexpr (!depends_on<Loss, symbol_t<std::remove_cvref_t<Ds>::name>>)
                    static_assert(errors::data_not_in_loss<std::remove_cvref_t<Ds>::name>::value);
            }(),
            ...);
    }

    template <class K>
    static std::string name_of(K) {
        using B = std::remove_cvref_t<decltype(boost::hana::at(std::declval<P&>().bindings, K{}))>;
        return std::string(B::name.view());
    }

    auto data_views_set() const {
        return boost::hana::unpack(data_->views(),
                                   [](auto... b) { return data_set<decltype(b)...>{boost::hana::make_tuple(b...)}; });
    }

    /// What is not finite in the loss or the gradients, or an empty string.
    template <class Values>
    std::string non_finite(double L, const Values& values) const {
        if (!std::isfinite(L)) return "the loss is " + detail::number_to_string(L);
        std::string fault;
        detail::for_each_index<P>([&](auto k) {
            const auto& g = std::get<decltype(k)::value + 1>(values);
            const long bad = detail::first_non_finite(g);
            if (bad >= 0 && fault.empty()) {
                const auto& b = boost::hana::at(result_.parameters.bindings, k);
                fault = "the gradient with respect to '" + name_of(k) + "' is not finite at " +
                        detail::entry_name(name_of(k), b.value, static_cast<std::size_t>(bad));
            }
        });
        return fault;
    }

    std::string first_non_finite_parameter() const {
        std::string overflow;
        boost::hana::for_each(result_.parameters.bindings, [&](const auto& b) {
            const long bad = detail::first_non_finite(b.value);
            if (bad >= 0 && overflow.empty())
                overflow = detail::entry_name(std::remove_cvref_t<decltype(b)>::name.view(), b.value,
                                              static_cast<std::size_t>(bad));
        });
        return overflow;
    }

    /// The base learning rate of parameter `name` this epoch (its own rate, or the options').
    double learning_rate_of(std::string_view name, std::size_t epoch) const {
        double base = o_.learning_rate;
        for (const auto& [n, rate] : o_.parameter_learning_rates)
            if (n == name) base = rate;
        return scheduled_learning_rate(o_.schedule, base, epoch - 1);
    }

    /// Copies the gradients, clips them (by value, then by global norm) and updates every parameter.
    template <class Values>
    void update(const Values& values, std::size_t epoch) {
        detail::for_each_index<P>([&](auto k) {
            auto& gb = boost::hana::at(gradient_.bindings, k).value;
            const auto& pv = boost::hana::at(result_.parameters.bindings, k).value;
            const auto& g = std::get<decltype(k)::value + 1>(values);
            using V = std::remove_cvref_t<decltype(gb)>;
            if constexpr (std::is_arithmetic_v<V>) {
                gb = static_cast<V>(detail::as_number(g));
            } else if constexpr (detail::is_number<decltype(g)>) {
                // a number for an array parameter: the loss depends on it uniformly
                gb.fill(static_cast<typename V::value_type>(g));
            } else {
                if (detail::shape_of(g) != detail::shape_of(pv))
                    throw shape_error(who_ + ": the gradient with respect to '" + name_of(k) + "' has shape " +
                                      shape_to_string(detail::shape_of(g)) + " but the parameter has shape " +
                                      shape_to_string(detail::shape_of(pv)));
                std::copy(g.begin(), g.end(), gb.begin());
            }
        });
        if (o_.clip_grad_value > 0) {
            boost::hana::for_each(gradient_.bindings, [&](auto& b) {
                detail::for_each_entry(b.value, [&](auto& e, std::size_t) {
                    using T = std::remove_cvref_t<decltype(e)>;
                    e = std::clamp(e, static_cast<T>(-o_.clip_grad_value), static_cast<T>(o_.clip_grad_value));
                });
            });
        }
        if (o_.clip_grad_norm > 0) {
            // torch.nn.utils.clip_grad_norm_: g *= max_norm / (|g| + 1e-6) when that is below 1
            double squares = 0;
            boost::hana::for_each(gradient_.bindings, [&](auto& b) {
                detail::for_each_entry(b.value, [&](auto& e, std::size_t) { squares += double(e) * double(e); });
            });
            const double coefficient = o_.clip_grad_norm / (std::sqrt(squares) + 1e-6);
            if (coefficient < 1) {
                boost::hana::for_each(gradient_.bindings, [&](auto& b) {
                    detail::for_each_entry(b.value, [&](auto& e, std::size_t) {
                        using T = std::remove_cvref_t<decltype(e)>;
                        e = static_cast<T>(double(e) * coefficient);
                    });
                });
            }
        }
        detail::for_each_index<P>([&](auto k) {
            auto& b = boost::hana::at(result_.parameters.bindings, k);
            auto& g = boost::hana::at(gradient_.bindings, k).value;
            detail::apply_update(o_.method, b.value, g, std::get<decltype(k)::value>(states_),
                                 learning_rate_of(name_of(k), epoch));
        });
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

    template <class S>
    static void write_set(const S& set, const std::string& dir, const std::string& prefix) {
        boost::hana::for_each(set.bindings, [&](const auto& b) {
            save_value(dir + "/" + prefix + std::string(std::remove_cvref_t<decltype(b)>::name.view()) + ".npy",
                       b.value);
        });
    }
    template <class S>
    static void read_set(S& set, const std::string& dir, const std::string& prefix) {
        boost::hana::for_each(set.bindings, [&](auto& b) {
            read_value(dir + "/" + prefix + std::string(std::remove_cvref_t<decltype(b)>::name.view()) + ".npy",
                       b.value);
        });
    }
    template <class V>
    static void save_value(const std::string& path, const V& v) {
        save_npy(path, v);
    }
    /// Reads `path` into `v`, which keeps its type; the shapes must agree.
    template <class V>
    static void read_value(const std::string& path, V& v) {
        if constexpr (std::is_arithmetic_v<V>) {
            v = load_npy_scalar<V>(path);
        } else {
            const auto loaded = load_npy<typename V::value_type>(path);
            if (detail::shape_of(loaded) != detail::shape_of(v))
                throw io_error("trainer::load: '" + path + "' holds shape " +
                               shape_to_string(detail::shape_of(loaded)) + " but the value has shape " +
                               shape_to_string(detail::shape_of(v)));
            std::copy(loaded.begin(), loaded.end(), v.begin());
        }
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

template <Expression Loss, class... Ps, class... Ds>
trainer(const Loss&, const parameter_set<Ps...>&, const data_set<Ds...>&, descent_options = {})
    -> trainer<Loss, parameter_set<Ps...>, data_set<Ds...>>;
template <Expression Loss, class... Ps, class... Ds>
trainer(const Loss&, const parameter_set<Ps...>&, const data_set<Ds...>&, descent_options, detail::called_as)
    -> trainer<Loss, parameter_set<Ps...>, data_set<Ds...>>;

}  // namespace symdiff
