#pragma once
// A trainer's checkpoint: the whole state of a run (parameters, loss history, optimiser
// moments, minibatch order, counters and stopping records) as .npy files in a directory that
// NumPy can open, and its reading back, checked against the trainer (parameters, optimiser,
// rows), so that a run continues from the checkpoint bit for bit.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>

#include "../core/shape.hpp"
#include "../io/npy.hpp"
#include "bindings.hpp"
#include "optimizers.hpp"
#include "options.hpp"
#include "parameter_update.hpp"
#include "trainer_shared.hpp"
#include "training_run.hpp"

namespace symdiff::detail {

/// The version of the checkpoint's layout, its first counter.
inline constexpr std::uint64_t checkpoint_format_version = 1;
/// The counters before the optimiser's, two per parameter (started, t).
inline constexpr std::size_t checkpoint_fixed_fields = 12;

/// Whether the optimiser keeps a second moment (Adam, AdamW) besides the first.
inline bool two_moments(const optimizer& method) {
    return std::holds_alternative<adam>(method) || std::holds_alternative<adamw>(method);
}

/// Writes `v` (a number or an array) to `path`.
template <class V>
void save_value(const std::string& path, const V& v) {
    save_npy(path, v);
}
/// Reads `path` into `v`, which keeps its type; the shapes must agree.
template <class V>
void read_value(const std::string& path, V& v) {
    if constexpr (std::is_arithmetic_v<V>) {
        v = load_npy_scalar<V>(path);
    } else {
        const auto loaded = load_npy<typename V::value_type>(path);
        if (detail::shape_of(loaded) != detail::shape_of(v))
            throw io_error("trainer::load: '" + path + "' holds shape " + shape_to_string(detail::shape_of(loaded)) +
                           " but the value has shape " + shape_to_string(detail::shape_of(v)));
        std::copy(loaded.begin(), loaded.end(), v.begin());
    }
}
/// Writes each value of `set` to `dir/<prefix><name>.npy`.
template <class S>
void write_set(const S& set, const std::string& dir, const std::string& prefix) {
    boost::hana::for_each(set.bindings, [&](const auto& b) {
        save_value(dir + "/" + prefix + std::string(std::remove_cvref_t<decltype(b)>::name.view()) + ".npy", b.value);
    });
}
/// Reads each value of `set` from `dir/<prefix><name>.npy` (read_value).
template <class S>
void read_set(S& set, const std::string& dir, const std::string& prefix) {
    boost::hana::for_each(set.bindings, [&](auto& b) {
        read_value(dir + "/" + prefix + std::string(std::remove_cvref_t<decltype(b)>::name.view()) + ".npy", b.value);
    });
}

/// A value read from a checkpoint (`path`), refused when not finite.
template <class V>
void require_finite_in_checkpoint(const std::string& path, const std::string& name, const V& v) {
    const long bad = first_non_finite(v);
    if (bad >= 0)
        throw io_error("trainer::load: '" + path + "' holds a non-finite value at " +
                       entry_name(name, v, static_cast<std::size_t>(bad)) + ": the checkpoint is damaged");
}
/// The same for each value of `set`, read from `dir/<prefix><name>.npy`.
template <class S>
void require_finite_set(const S& set, const std::string& dir, const std::string& prefix) {
    boost::hana::for_each(set.bindings, [&](const auto& b) {
        const std::string name(std::remove_cvref_t<decltype(b)>::name.view());
        require_finite_in_checkpoint(dir + "/" + prefix + name + ".npy", name, b.value);
    });
}
/// Whether a number, or an element of an array, is negative.
template <class V>
bool has_negative(const V& v) {
    if constexpr (std::is_arithmetic_v<V>) return v < 0;
    else return std::any_of(v.begin(), v.end(), [](const auto e) { return e < 0; });
}

/// Writes the whole state of `r` to `dir` (created if needed), as .npy files: `<name>.npy` per
/// parameter (numpy.load reads them), `loss.npy`, and under `state/` the optimiser's moments,
/// the minibatch order, the counters and the stopping state.
template <class Loss, class... Ps, class... Ds>
void write_checkpoint(const training_run<Loss, parameter_set<Ps...>, data_set<Ds...>>& r, const std::string& dir) {
    using P = parameter_set<Ps...>;
    static_assert(!has_parameter_named_loss<P>,
                  "trainer.save: a parameter is named \"loss\", but a checkpoint keeps the loss history in "
                  "loss.npy beside the parameters' files: give the symbol another name");
    create_directories("trainer::save", dir + "/state");
    write_set(r.result_.parameters, dir, "");
    save_npy(dir + "/loss.npy", r.result_.loss_history);
    write_set(r.last_finite_, dir, "state/last_finite.");
    write_set(r.best_, dir, "state/best.");
    write_set(r.best_validation_, dir, "state/best_validation.");
    std::vector<std::uint64_t> counters{checkpoint_format_version,
                                        static_cast<std::uint64_t>(r.o_.method.index()),
                                        sizeof...(Ps),
                                        r.step_count_,
                                        r.result_.steps_taken,
                                        r.rng_.state,
                                        r.rising_,
                                        r.best_updates_,
                                        r.last_finite_updates_,
                                        r.best_validation_updates_,
                                        r.waiting_,
                                        r.epoch_steps_};
    detail::for_each_index<P>([&](auto k) {
        const auto& s = std::get<decltype(k)::value>(r.states_);
        counters.push_back(s.started);
        counters.push_back(s.t);
        if (s.started) {
            const std::string base = dir + "/state/optimizer." + parameter_name<P>(k);
            save_value(base + ".first.npy", s.first);                                  // momentum's buffer, Adam's m
            if (two_moments(r.o_.method)) save_value(base + ".second.npy", s.second);  // Adam's v
        }
    });
    save_npy(dir + "/state/counters.npy", counters);
    save_npy(dir + "/state/values.npy",
             std::vector<double>{r.start_loss_, r.best_loss_, r.previous_, r.last_finite_loss_, r.best_validation_loss_,
                                 r.epoch_loss_sum_});
    save_npy(dir + "/state/order.npy", std::vector<std::uint64_t>(r.order_.begin(), r.order_.end()));
}

/// Reads into `r` a state written by write_checkpoint for a run with the same parameters (names,
/// shapes) and optimiser; the next train() continues that run exactly.
template <class Loss, class... Ps, class... Ds>
void read_checkpoint(training_run<Loss, parameter_set<Ps...>, data_set<Ds...>>& r, const std::string& dir) {
    using P = parameter_set<Ps...>;
    static_assert(!has_parameter_named_loss<P>,
                  "trainer.load: a parameter is named \"loss\", but a checkpoint keeps the loss history in "
                  "loss.npy beside the parameters' files: give the symbol another name");
    // read everything first: a failed load leaves the trainer as it was (on every process:
    // with shared rows, a read that fails on one process fails on all of them)
    std::vector<std::uint64_t> counters, order;
    std::vector<double> values, history;
    P parameters = r.result_.parameters, last_finite = r.last_finite_, best = r.best_,
      best_validation = r.best_validation_;
    auto states = r.states_;
    trainer_failures::agree(r.shared(), [&] {
        counters = load_npy_vector<std::uint64_t>(dir + "/state/counters.npy");
        if (counters.size() != checkpoint_fixed_fields + 2 * sizeof...(Ps) || counters[0] != checkpoint_format_version)
            throw io_error("trainer::load: '" + dir + "' is not a checkpoint of a trainer with " +
                           std::to_string(sizeof...(Ps)) + " parameters");
        if (counters[1] != r.o_.method.index())
            throw io_error("trainer::load: the checkpoint in '" + dir +
                           "' was written with a different optimiser than " + optimizer_name(r.o_.method));
        values = load_npy_vector<double>(dir + "/state/values.npy");
        order = load_npy_vector<std::uint64_t>(dir + "/state/order.npy");
        if (values.size() != 6)
            throw io_error("trainer::load: '" + dir + "/state/values.npy' holds " + std::to_string(values.size()) +
                           " values, not 6: the checkpoint is damaged");
        if (order.size() != r.all_rows_)
            throw io_error("trainer::load: the checkpoint in '" + dir + "' was written for " +
                           std::to_string(order.size()) + " rows of data, this trainer has " +
                           std::to_string(r.all_rows_));
        std::vector<bool> seen(r.all_rows_, false);
        for (const auto i : order) {
            if (i >= r.all_rows_ || seen[i])
                throw io_error("trainer::load: '" + dir + "/state/order.npy' is not an order of the " +
                               std::to_string(r.all_rows_) + " rows");
            seen[i] = true;
        }
        read_set(parameters, dir, "");
        read_set(last_finite, dir, "state/last_finite.");
        read_set(best, dir, "state/best.");
        read_set(best_validation, dir, "state/best_validation.");
        detail::for_each_index<P>([&](auto k) {
            auto& st = std::get<decltype(k)::value>(states);
            st.started = counters[checkpoint_fixed_fields + 2 * decltype(k)::value] != 0;
            st.t = counters[checkpoint_fixed_fields + 2 * decltype(k)::value + 1];
            if (st.started) {
                const std::string base = dir + "/state/optimizer." + parameter_name<P>(k);
                st.first = boost::hana::at(parameters.bindings, k).value;
                read_value(base + ".first.npy", st.first);
                require_finite_in_checkpoint(base + ".first.npy", parameter_name<P>(k), st.first);
                if (two_moments(r.o_.method)) {
                    st.second = st.first;
                    read_value(base + ".second.npy", st.second);
                    require_finite_in_checkpoint(base + ".second.npy", parameter_name<P>(k), st.second);
                    if (has_negative(st.second))
                        throw io_error("trainer::load: '" + base +
                                       ".second.npy' holds a negative second moment: the checkpoint is damaged");
                }
            }
        });
        // a damaged checkpoint is refused rather than trained from
        require_finite_set(parameters, dir, "");
        require_finite_set(last_finite, dir, "state/last_finite.");
        require_finite_set(best, dir, "state/best.");
        require_finite_set(best_validation, dir, "state/best_validation.");
        if (counters[4] > counters[3])
            throw io_error("trainer::load: '" + dir + "/state/counters.npy' counts " + std::to_string(counters[4]) +
                           " updates in " + std::to_string(counters[3]) + " steps: the checkpoint is damaged");
        for (std::size_t i = 7; i <= 9; ++i)  // the updates at the best, last finite, best validation states
            if (counters[i] > counters[3])
                throw io_error("trainer::load: '" + dir + "/state/counters.npy' records a state after " +
                               std::to_string(counters[i]) + " updates in " + std::to_string(counters[3]) +
                               " steps: the checkpoint is damaged");
        history = load_npy_vector<double>(dir + "/loss.npy");
    });

    r.result_.parameters = std::move(parameters);
    r.last_finite_ = std::move(last_finite);
    r.best_ = std::move(best);
    r.best_validation_ = std::move(best_validation);
    r.states_ = std::move(states);
    r.result_.loss_history = std::move(history);
    r.step_count_ = counters[3];
    r.result_.steps_taken = counters[4];
    r.rng_.state = counters[5];
    r.rising_ = counters[6];
    r.best_updates_ = counters[7];
    r.last_finite_updates_ = counters[8];
    r.best_validation_updates_ = counters[9];
    r.waiting_ = counters[10];
    r.epoch_steps_ = counters[11];
    r.start_loss_ = values[0];
    r.best_loss_ = values[1];
    r.previous_ = values[2];
    r.last_finite_loss_ = values[3];
    r.best_validation_loss_ = values[4];
    r.epoch_loss_sum_ = values[5];
    r.order_.assign(order.begin(), order.end());
    // the loaded state, described like the state after a call: the loss at these parameters
    r.result_.reason = stop_reason::completed;
    r.result_.message.clear();
    r.result_.gradient_check.reset();
    r.result_.epochs.clear();
    r.known_final_ = false;
    r.finish(nullptr);
}

}  // namespace symdiff::detail
