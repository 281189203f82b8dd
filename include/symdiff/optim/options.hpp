#pragma once
// What a training run is told (descent_options) and what it reports (descent_result, step_info).
#include <cmath>
#include <cstdint>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "../core/fixed_string.hpp"
#include "../core/symbol.hpp"
#include "../eval/collective.hpp"
#include "gradient_check.hpp"
#include "optimizers.hpp"
#include "schedules.hpp"

namespace symdiff {

/// Thrown for invalid options or data, before any work is done.
struct invalid_argument_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

/// How a run shows its progress: `automatic` draws a bar (rate, ETA, loss) when the log is
/// std::cout on a terminal and writes one line per epoch otherwise.
enum class progress_mode { none, automatic, bar, lines };

struct descent_options {
    double learning_rate = 0.01;
    std::size_t steps = 100;               ///< number of updates
    optimizer method = sgd{};              ///< sgd{}, momentum{mu}, adam{...}, adamw{...} (each with weight_decay)
    lr_schedule schedule = constant_lr{};  ///< the learning rate per epoch (torch.optim.lr_scheduler's equations)
    /// A base learning rate per parameter, by name: {{"b", 0.1}} (the others use learning_rate).
    std::vector<std::pair<std::string, double>> parameter_learning_rates{};
    double clip_grad_norm = 0;       ///< > 0: scale the gradients so that their global 2-norm is at most this
    double clip_grad_value = 0;      ///< > 0: clamp every gradient entry to [-v, v] (before clip_grad_norm)
    std::size_t batch_size = 0;      ///< 0: full batch; else minibatches over the data's first axis
    std::uint64_t shuffle_seed = 0;  ///< minibatch order (reshuffled every epoch)
    bool shuffle = true;             ///< false: batches in data order
    std::size_t log_every = 0;       ///< print "step k: loss = ..." every k steps (0: never)
    std::ostream* log = &std::cout;  ///< where to print (log lines and progress)
    progress_mode progress = progress_mode::none;
    double tolerance = 0;                 ///< stop when |loss change| <= tolerance (0: never)
    std::size_t divergence_patience = 5;  ///< stop after this many rising losses above the start (0: never)
    /// Early stopping (needs validation data): stop after this many epochs without a validation
    /// loss lower than the best by more than early_stopping_min_delta (0: never).
    std::size_t early_stopping_patience = 0;
    double early_stopping_min_delta = 0;
    bool restore_best = true;          ///< after an early stop, keep the parameters of the best validation loss
    bool allow_row_broadcast = false;  ///< allow two arrays with rows to broadcast against each other ((n,1) - (n))
    bool check_gradient = false;       ///< run check_gradient before the first step
    gradient_check_options check{};    ///< its tolerances
    std::size_t threads = 1;           ///< threads that run each step's blocks of rows (same results for any count)
    /// The processes that share the rows of the data (data parallelism, docs/distributed.md):
    /// symdiff::mpi::world(). Each process passes its own rows; every process gets the same
    /// parameters. Null: this process holds all the rows.
    std::shared_ptr<collective> distributed = nullptr;
};

enum class stop_reason {
    completed,
    converged,
    diverged,
    non_finite,
    gradient_check_failed,
    early_stopped,
    stopped_by_callback,
    interrupted  ///< an exception (a callback's, a metric's) left the call; the parameters are those of the last update
};

inline const char* to_string(stop_reason r) {
    switch (r) {
        case stop_reason::completed: return "completed";
        case stop_reason::converged: return "converged";
        case stop_reason::diverged: return "diverged";
        case stop_reason::non_finite: return "non-finite";
        case stop_reason::gradient_check_failed: return "gradient check failed";
        case stop_reason::early_stopped: return "early stopped";
        case stop_reason::stopped_by_callback: return "stopped by the callback";
        case stop_reason::interrupted: return "interrupted";
    }
    return "?";
}

inline std::ostream& operator<<(std::ostream& out, stop_reason r) { return out << to_string(r); }

/// What a callback may return: `step_action::stop` ends the run after this step, keeping its
/// parameters (a callback that returns nothing always proceeds).
enum class step_action { proceed, stop };

/// What a callback sees after each step.
template <class P>
struct step_info {
    std::size_t step;        ///< 1-based, counted over every call of a trainer
    std::size_t epoch;       ///< 1-based (in a full-batch run every step is an epoch)
    double loss;             ///< the loss before this step's update (of this step's batch)
    const P& parameters;     ///< after this step's update
    double learning_rate;    ///< the base learning rate this step used (after the schedule)
    bool end_of_epoch;       ///< the last step of its epoch
    double validation_loss;  ///< at end_of_epoch with validation data; NaN otherwise
};

/// One epoch as the run saw it.
struct epoch_record {
    std::size_t epoch = 0;  ///< 1-based
    std::size_t step = 0;   ///< the last step of the epoch
    double loss = 0;        ///< the mean of the epoch's batch losses (the loss, full batch)
    double validation_loss = std::nan("");
    std::vector<double> metrics{};  ///< in the order of descent_result::metric_names
    double seconds = 0;             ///< wall time of the epoch
};

namespace detail {
/// A number that may be computed when it is first read (a pass over all the data that nobody
/// may ask for). The computation owns what it reads; a copy takes the number, computing it first.
/// Not for concurrent readers.
class deferred_number {
public:
    deferred_number() = default;
    deferred_number(double v) : value_(v) {}  // NOLINT(google-explicit-constructor): a number
    deferred_number(const deferred_number& o) : value_(o.get()) {}
    deferred_number& operator=(const deferred_number& o) {
        if (this != &o) set(o.get());
        return *this;
    }
    deferred_number& operator=(double v) {
        set(v);
        return *this;
    }
    ~deferred_number() = default;
    /// From now on, the value is what `f` returns when first read.
    void defer(std::function<double()> f) { source_ = std::move(f); }
    double get() const {
        if (source_) {
            value_ = source_();
            source_ = nullptr;
        }
        return value_;
    }

private:
    void set(double v) {
        value_ = v;
        source_ = nullptr;
    }
    mutable double value_ = std::nan("");
    mutable std::function<double()> source_;
};
}  // namespace detail

/// The state a run ended in. `parameters` are those after `steps_taken` updates, and
/// `final_loss()` is the training loss (all the data) at exactly those parameters — also after a
/// stop that kept earlier parameters; when no step computed it, it is computed the first time it
/// is read (one pass over the data), so that a loop of train(1) calls does not pay for it.
/// `loss_history[k]` is the loss evaluated before update k + 1 (the number the seed notebooks
/// print), for every step that ran.
template <class P>
struct descent_result {
    P parameters;
    std::vector<double> loss_history{};
    stop_reason reason = stop_reason::completed;
    std::string message{};
    std::size_t steps_taken = 0;
    std::optional<gradient_check_report> gradient_check{};
    std::vector<epoch_record> epochs{};
    std::vector<std::string> metric_names{};
    detail::deferred_number final_loss_value{};

    template <fixed_string Name>
    const auto& operator[](symbol_t<Name> s) const {
        return parameters[s];
    }
    /// Ended as asked: completed, converged, early stopped or stopped by the callback.
    bool ok() const {
        return reason == stop_reason::completed || reason == stop_reason::converged ||
               reason == stop_reason::early_stopped || reason == stop_reason::stopped_by_callback;
    }
    double final_loss() const { return final_loss_value.get(); }
};

}  // namespace symdiff
