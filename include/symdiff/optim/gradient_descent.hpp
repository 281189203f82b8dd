#pragma once
// A generic gradient-descent driver for any scalar loss expression.
//
//   auto fit = gradient_descent(mean(square(w * x - y)), params(w = 0.0), data(x = X, y = Y),
//                               {.learning_rate = 0.01, .steps = 20});
//   fit[w];              // the fitted parameter
//   fit.loss_history;    // the loss at each step (before that step's update, as the seeds print it)
//
// The gradient is derived at compile time (one expression per parameter); each step evaluates the
// loss and all gradients in one call, sharing their common subexpressions. Faults stop the run
// with a message and keep the last parameters whose loss was finite.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <limits>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/size.hpp>
#include <xtensor/xview.hpp>

#include "../diff/derivative.hpp"
#include "../print/to_string.hpp"
#include "bindings.hpp"
#include "../eval/compile.hpp"
#include "evaluate_sets.hpp"
#include "gradient_check.hpp"
#include "optimizers.hpp"
#include "random.hpp"

namespace symdiff {

/// Thrown for invalid options or data, before any work is done.
struct invalid_argument_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

struct descent_options {
    double learning_rate = 0.01;
    std::size_t steps = 100;               ///< number of updates
    optimizer method = sgd{};              ///< sgd{}, momentum{mu}, adam{...}
    std::size_t batch_size = 0;            ///< 0: full batch; else minibatches over the data's first axis
    std::uint64_t shuffle_seed = 0;        ///< minibatch order (reshuffled every epoch)
    bool shuffle = true;                   ///< false: batches in data order
    std::size_t log_every = 0;             ///< print "step k: loss = ..." every k steps (0: never)
    std::ostream* log = &std::cout;        ///< where to print
    double tolerance = 0;                  ///< stop when |loss change| <= tolerance (0: never)
    std::size_t divergence_patience = 5;   ///< stop after this many rising losses above the start (0: never)
    bool check_gradient = false;           ///< run check_gradient before the first step
    gradient_check_options check{};        ///< its tolerances
    std::size_t threads = 1;               ///< threads that run each step's blocks of rows (same results for any count)
};

enum class stop_reason { completed, converged, diverged, non_finite, gradient_check_failed };

inline const char* to_string(stop_reason r) {
    switch (r) {
        case stop_reason::completed: return "completed";
        case stop_reason::converged: return "converged";
        case stop_reason::diverged: return "diverged";
        case stop_reason::non_finite: return "non-finite";
        case stop_reason::gradient_check_failed: return "gradient check failed";
    }
    return "?";
}

/// What a callback sees after each step.
template <class P>
struct step_info {
    std::size_t step;     ///< 1-based
    std::size_t epoch;    ///< 1-based (always 1 + (step - 1) for full batch)
    double loss;          ///< the loss before this step's update
    const P& parameters;  ///< after this step's update
};

template <class P>
struct descent_result {
    P parameters;
    std::vector<double> loss_history;
    stop_reason reason = stop_reason::completed;
    std::string message;
    std::size_t steps_taken = 0;
    std::optional<gradient_check_report> gradient_check;

    template <fixed_string Name>
    const auto& operator[](symbol_t<Name> s) const {
        return parameters[s];
    }
    bool ok() const { return reason == stop_reason::completed || reason == stop_reason::converged; }
    double final_loss() const { return loss_history.empty() ? std::nan("") : loss_history.back(); }
};

namespace detail {

template <class V>
std::size_t first_extent(const V& v) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<V>>) return 0;
    else return v.dimension() == 0 ? 0 : v.shape()[0];
}

/// The optimiser's constants: momentum 0 <= mu < 1; Adam 0 <= beta1, beta2 < 1 and eps > 0
/// (torch.optim's ranges, except that a momentum of 1 or more, which never forgets a gradient, is
/// refused too).
inline void validate(const optimizer& method) {
    const auto in_unit = [](double v) { return v >= 0 && v < 1; };
    if (const auto* m = std::get_if<momentum>(&method); m && !in_unit(m->mu))
        throw invalid_argument_error("gradient_descent: momentum{mu} must be in [0, 1), got " + std::to_string(m->mu));
    if (const auto* a = std::get_if<adam>(&method)) {
        if (!in_unit(a->beta1))
            throw invalid_argument_error("gradient_descent: adam{beta1} must be in [0, 1), got " + std::to_string(a->beta1));
        if (!in_unit(a->beta2))
            throw invalid_argument_error("gradient_descent: adam{beta2} must be in [0, 1), got " + std::to_string(a->beta2));
        if (!(a->eps > 0) || !std::isfinite(a->eps))
            throw invalid_argument_error("gradient_descent: adam{eps} must be a positive finite number, got " +
                                         std::to_string(a->eps));
    }
}

template <class D>
void validate(const descent_options& o, const D& d) {
    if (!(o.learning_rate > 0) || !std::isfinite(o.learning_rate))
        throw invalid_argument_error("gradient_descent: learning_rate must be a positive finite number, got " +
                                     std::to_string(o.learning_rate));
    if (o.steps == 0) throw invalid_argument_error("gradient_descent: steps must be at least 1");
    if (o.threads == 0) throw invalid_argument_error("gradient_descent: threads must be at least 1");
    if (o.tolerance < 0 || !std::isfinite(o.tolerance))
        throw invalid_argument_error("gradient_descent: tolerance must be >= 0");
    validate(o.method);
    std::string first_name;
    std::size_t rows = 0;
    boost::hana::for_each(d.bindings, [&](const auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        const std::string name(B::name.view());
        const auto& v = b.value;
        if constexpr (!std::is_arithmetic_v<std::remove_cvref_t<decltype(v)>>) {
            if (v.size() == 0)
                throw invalid_argument_error("gradient_descent: data '" + name + "' is empty (shape " +
                                             shape_to_string(shape_of(v)) + ")");
            const std::size_t n = first_extent(v);
            if (n > 0 && rows == 0) {
                rows = n;
                first_name = name;
            } else if (n > 0 && n != rows) {
                throw invalid_argument_error("gradient_descent: data '" + first_name + "' has " + std::to_string(rows) +
                                             " rows but '" + name + "' has " + std::to_string(n) + " (shape " +
                                             shape_to_string(shape_of(v)) + ")");
            }
        }
        const long bad = first_non_finite(v);
        if (bad >= 0)
            throw invalid_argument_error("gradient_descent: data '" + name + "' has a non-finite value at " +
                                         entry_name(name, v, static_cast<std::size_t>(bad)));
    });
    if (o.batch_size > 0 && rows > 0 && o.batch_size > rows)
        throw invalid_argument_error("gradient_descent: batch_size " + std::to_string(o.batch_size) +
                                     " is larger than the data (" + std::to_string(rows) + " rows)");
    if (o.batch_size > 0 && rows == 0)
        throw invalid_argument_error("gradient_descent: batch_size is set but no data array has rows to batch");
}

template <class D>
std::size_t data_rows(const D& d) {
    std::size_t rows = 0;
    boost::hana::for_each(d.bindings, [&](const auto& b) { rows = std::max(rows, first_extent(b.value)); });
    return rows;
}

/// The data set as references (numbers are copied): the full-batch and the minibatch steps then
/// evaluate with the same binding types, so the training step is compiled once, not twice.
template <class... Bs>
auto data_views(const boost::hana::tuple<Bs...>& bindings) {
    auto views = boost::hana::transform(bindings, [](const auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        using V = std::remove_cvref_t<decltype(b.value)>;
        if constexpr (std::is_arithmetic_v<V>) return binding<B::name, V>{b.value};
        else return binding<B::name, const V&>{b.value};
    });
    return boost::hana::unpack(views, [](auto... b) { return data_set<decltype(b)...>{boost::hana::make_tuple(b...)}; });
}

/// Owned copies of the rows `idx` of every array (numbers are passed through). Contiguous
/// containers keep their type, so `data_views` of a batch has the same type as of the full data.
template <class... Bs>
auto gather_rows(const data_set<Bs...>& d, const std::vector<std::size_t>& idx) {
    return boost::hana::transform(d.bindings, [&](const auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        using V = std::remove_cvref_t<decltype(b.value)>;
        if constexpr (std::is_arithmetic_v<V>) {
            return binding<B::name, V>{b.value};
        } else {
            using C = std::conditional_t<is_row_major_array<V>::value, V, xt::xarray<typename V::value_type>>;
            return binding<B::name, C>{C(xt::view(b.value, xt::keep(idx)))};
        }
    });
}

}  // namespace detail

namespace detail {
/// The data symbols that hold arrays: rows of examples, which the step reads in blocks of rows.
template <class Rows, class... Ds>
struct array_rows {
    using type = Rows;
};
template <fixed_string... Names, class D, class... Ds>
struct array_rows<rows_of<Names...>, D, Ds...>
    : array_rows<std::conditional_t<is_number<decltype(std::declval<D>().value)>, rows_of<Names...>,
                                    rows_of<Names..., std::remove_cvref_t<D>::name>>,
                 Ds...> {};

/// Runs the compiled step on the parameters and the data; a std::tuple of the loss and gradients.
template <class Step, class P, class D>
auto run_step(Step& step, const P& p, const D& d) {
    return boost::hana::unpack(boost::hana::concat(p.views(), d.bindings),
                               [&](const auto&... b) { return step(b...); });
}
}  // namespace detail

/// Runs gradient descent on `loss` over the parameters `p`, with the data `d`.
/// `on_step(const step_info<P>&)` is called after every step (optional).
template <Expression Loss, class... Ps, class... Ds, class Callback = std::nullptr_t>
auto gradient_descent(const Loss& loss, const parameter_set<Ps...>& initial, const data_set<Ds...>& d,
                      const descent_options& o = {}, Callback on_step = nullptr) {
    using P = parameter_set<Ps...>;
    detail::validate(o, d);
    boost::hana::for_each(initial.bindings, [&](const auto& b) {
        const long bad = detail::first_non_finite(b.value);
        if (bad >= 0)
            throw invalid_argument_error("gradient_descent: the initial value of '" +
                                         std::string(std::remove_cvref_t<decltype(b)>::name.view()) +
                                         "' is not finite at " +
                                         detail::entry_name(std::remove_cvref_t<decltype(b)>::name.view(), b.value,
                                                            static_cast<std::size_t>(bad)));
    });

    // loss and the gradient with respect to each parameter, derived at compile time, compiled into
    // one program that keeps its plan and workspace from step to step
    auto step_program = compile(typename detail::array_rows<detail::rows_of<>, Ds...>::type{},
                                boost::hana::make_tuple(loss, gradient_of(loss, symbol<Ps::name>)...));
    step_program.threads(o.threads);

    descent_result<P> result{initial, {}, stop_reason::completed, {}, 0, std::nullopt};
    P& p = result.parameters;
    P last_finite = initial;
    std::tuple<detail::slot_state<std::remove_cvref_t<decltype(Ps::value)>>...> states;

    if (o.check_gradient) {
        const auto report = check_gradient(loss, p, d, o.check);
        result.gradient_check = report;
        if (!report.passed) {
            result.reason = stop_reason::gradient_check_failed;
            result.message = "gradient_descent: stopped before the first step: " + report.summary();
            return result;
        }
    }

    const std::size_t rows = detail::data_rows(d);
    const bool batched = o.batch_size > 0 && o.batch_size < rows;
    std::vector<std::size_t> order(rows);
    for (std::size_t i = 0; i < rows; ++i) order[i] = i;
    splitmix64 rng(o.shuffle_seed);
    const std::size_t batches_per_epoch = batched ? (rows + o.batch_size - 1) / o.batch_size : 1;

    double start_loss = std::nan("");
    double best_loss = std::numeric_limits<double>::infinity();
    std::size_t best_step = 0;
    P best = initial;
    double previous = std::nan("");
    std::size_t rising = 0;

    for (std::size_t step = 1; step <= o.steps; ++step) {
        const std::size_t epoch = (step - 1) / batches_per_epoch + 1;
        const std::size_t batch = (step - 1) % batches_per_epoch;
        auto values = [&] {
            if (!batched) return detail::run_step(step_program, p, detail::data_views(d.bindings));
            if (batch == 0 && o.shuffle) shuffle(order, rng);
            const std::size_t lo = batch * o.batch_size, hi = std::min(rows, lo + o.batch_size);
            const std::vector<std::size_t> idx(order.begin() + static_cast<std::ptrdiff_t>(lo),
                                               order.begin() + static_cast<std::ptrdiff_t>(hi));
            const auto batch_data = detail::gather_rows(d, idx);
            return detail::run_step(step_program, p, detail::data_views(batch_data));
        }();
        const auto& loss_value = std::get<0>(values);
        if constexpr (!detail::is_number<decltype(loss_value)>) {
            if (loss_value.size() != 1)
                throw invalid_argument_error("gradient_descent: the loss must be a number, but '" + to_string(loss) +
                                             "' evaluated to shape " + shape_to_string(detail::shape_of(loss_value)) +
                                             "; reduce it with mean() or sum()");
        }
        const double L = detail::as_number(loss_value);

        // Faults: a non-finite loss or gradient keeps the parameters of the last finite loss.
        std::string fault;
        if (!std::isfinite(L)) {
            fault = "the loss is " + std::to_string(L);
        } else {
            boost::hana::for_each(boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<sizeof...(Ps)>),
                                  [&](auto k) {
                                      const auto& g = std::get<decltype(k)::value + 1>(values);
                                      const long bad = detail::first_non_finite(g);
                                      if (bad >= 0 && fault.empty()) {
                                          const auto& b = boost::hana::at(p.bindings, k);
                                          fault = "the gradient with respect to '" +
                                                  std::string(std::remove_cvref_t<decltype(b)>::name.view()) +
                                                  "' is not finite at " +
                                                  detail::entry_name(std::remove_cvref_t<decltype(b)>::name.view(),
                                                                     b.value, static_cast<std::size_t>(bad));
                                      }
                                  });
        }
        if (!fault.empty()) {
            result.reason = stop_reason::non_finite;
            result.message = "gradient_descent: stopped at step " + std::to_string(step) + ": " + fault +
                             "; the parameters are those of step " + std::to_string(step - 1) +
                             ", the last with a finite loss";
            p = last_finite;
            return result;
        }
        result.loss_history.push_back(L);
        last_finite = p;
        if (step == 1) start_loss = L;
        if (!(L >= best_loss)) {
            best_loss = L;
            best_step = step;
            best = p;
        }

        // Divergence: the loss rose `patience` times in a row and is above where it started.
        rising = (step > 1 && L > previous) ? rising + 1 : 0;
        if (o.divergence_patience > 0 && rising >= o.divergence_patience && L > start_loss && !batched) {
            result.reason = stop_reason::diverged;
            std::ostringstream msg;
            msg << "gradient_descent: stopped at step " << step << ": the loss rose " << rising
                << " steps in a row, from " << start_loss << " at step 1 to " << L
                << "; the learning rate (" << o.learning_rate << ") is probably too high. The parameters are those "
                << "of step " << best_step << ", the lowest loss seen (" << best_loss << ")";
            result.message = msg.str();
            p = best;
            return result;
        }

        // Update every parameter; shapes were fixed by the gradient, check them anyway.
        boost::hana::for_each(
            boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<sizeof...(Ps)>), [&](auto k) {
                auto& b = boost::hana::at(p.bindings, k);
                const auto& g = std::get<decltype(k)::value + 1>(values);
                using V = std::remove_cvref_t<decltype(b.value)>;
                if constexpr (std::is_arithmetic_v<V>) {
                    detail::apply_update(o.method, b.value, static_cast<V>(detail::as_number(g)), std::get<decltype(k)::value>(states),
                                         o.learning_rate, step);
                } else if constexpr (detail::is_number<decltype(g)>) {
                    // A number for an array parameter: the loss does not depend on it (gradient 0),
                    // or depends on it uniformly. Spread it over the parameter's shape.
                    V spread = detail::zeros_like(b.value);
                    spread.fill(static_cast<typename V::value_type>(g));
                    detail::apply_update(o.method, b.value, spread, std::get<decltype(k)::value>(states), o.learning_rate, step);
                } else {
                    if (detail::shape_of(g) != detail::shape_of(b.value))
                        throw shape_error("gradient_descent: the gradient with respect to '" +
                                          std::string(std::remove_cvref_t<decltype(b)>::name.view()) + "' has shape " +
                                          shape_to_string(detail::shape_of(g)) + " but the parameter has shape " +
                                          shape_to_string(detail::shape_of(b.value)));
                    detail::apply_update(o.method, b.value, g, std::get<decltype(k)::value>(states), o.learning_rate, step);
                }
            });
        // An update can overflow even when the loss and gradient were finite (a huge step).
        std::string overflow;
        boost::hana::for_each(p.bindings, [&](const auto& b) {
            const long bad = detail::first_non_finite(b.value);
            if (bad >= 0 && overflow.empty())
                overflow = detail::entry_name(std::remove_cvref_t<decltype(b)>::name.view(), b.value,
                                              static_cast<std::size_t>(bad));
        });
        if (!overflow.empty()) {
            result.reason = stop_reason::non_finite;
            result.message = "gradient_descent: stopped at step " + std::to_string(step) + ": the update made " +
                             overflow + " non-finite; the parameters are those of step " + std::to_string(step) +
                             ", the last with a finite loss";
            p = last_finite;
            return result;
        }
        result.steps_taken = step;

        if (o.log_every > 0 && o.log && (step % o.log_every == 0 || step == 1))
            *o.log << "step " << step << ": loss = " << L << "\n";
        if constexpr (!std::is_same_v<Callback, std::nullptr_t>) on_step(step_info<P>{step, epoch, L, p});

        // (minibatch losses differ from batch to batch: the tolerance applies to full batches only)
        if (o.tolerance > 0 && !batched && step > 1 && std::abs(L - previous) <= o.tolerance) {
            result.reason = stop_reason::converged;
            result.message = "gradient_descent: converged at step " + std::to_string(step) +
                             ": the loss changed by less than the tolerance";
            return result;
        }
        previous = L;
    }
    return result;
}

}  // namespace symdiff
