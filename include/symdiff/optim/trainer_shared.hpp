#pragma once
// What a trainer does when the rows of the data are shared across processes (data parallelism,
// docs/distributed.md), where every process must make the same collective calls: every process
// starts from rank 0's parameters, checks that all called train() alike, and takes rank 0's
// verdict of the gradient check; a failure on one process is raised on every one.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include <boost/hana/for_each.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>

#include "../eval/collective.hpp"
#include "../eval/lower.hpp"
#include "../io/npy.hpp"
#include "bindings.hpp"
#include "gradient_check.hpp"
#include "options.hpp"

namespace symdiff::detail {

/// With shared rows, a failure on one process is raised on every process; these library types
/// are raised as themselves (an option, a checkpoint that cannot be read), others by their kind.
using trainer_failures = failures<invalid_argument_error, io_error>;

/// Gives every process rank 0's values of `set` (a sum in which the other ranks add zeros).
template <class P>
void from_rank_0(P& set, collective& c) {
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

/// With shared rows, every process must call train() alike (the same steps, a callback or
/// none, validation data or none, the same options that decide which collective calls a step
/// makes): checked with one gather per call, of a hash of all that (`validating`: validation
/// data given; `steps_run`: the steps run before this call).
inline void agree_on_call(collective* c, const std::string& who, const descent_options& o, std::size_t steps,
                          bool callback, bool validating, std::size_t steps_run) {
    if (!c) return;
    const auto bits = [](double v) {
        std::uint64_t u = 0;
        std::memcpy(&u, &v, sizeof u);
        return u;
    };
    std::uint64_t h = 0;
    for (const std::uint64_t v :
         {std::uint64_t{steps}, std::uint64_t{callback}, std::uint64_t{validating}, std::uint64_t{steps_run},
          std::uint64_t{o.batch_size}, std::uint64_t{o.shuffle}, o.shuffle_seed, std::uint64_t{o.check_gradient},
          std::uint64_t{o.early_stopping_patience}, std::uint64_t{o.divergence_patience},
          std::uint64_t{o.method.index()}, bits(o.learning_rate), bits(o.tolerance), bits(o.clip_grad_norm),
          bits(o.clip_grad_value)})
        h = detail::hash_mix(h, v);
    const std::vector<std::uint64_t> calls = c->gather(h);
    for (std::size_t r = 1; r < calls.size(); ++r)
        if (calls[r] != calls[0])
            throw invalid_argument_error(
                who + ": the processes called train() differently (rank 0 and rank " + std::to_string(r) +
                " differ in the number of steps, the callback, the validation data, the steps taken so far or "
                "the options): with shared rows every process makes the same calls with the same options");
}

/// The views of `d`'s values, as a data set (what check_gradient reads).
template <class... Ds>
auto views_set(const data_set<Ds...>& d) {
    return boost::hana::unpack(d.views(),
                               [](auto... b) { return data_set<decltype(b)...>{boost::hana::make_tuple(b...)}; });
}

/// The gradient check, once: by rank 0 on its rows when the rows are shared (the symbolic
/// gradient does not depend on which rows), its report kept in `report_out` (rank 0's). The
/// failure's summary, or an empty string.
template <class Loss, class P, class... Ds>
std::string check_gradient_once(collective* c, const Loss& loss, const P& parameters, const data_set<Ds...>& data,
                                const gradient_check_options& o, std::optional<gradient_check_report>& report_out) {
    if (!c) {
        const auto report = check_gradient(loss, parameters, views_set(data), o);
        report_out = report;
        return report.passed ? std::string() : report.summary();
    }
    // rank 0's verdict: 0 passed, 1 failed (the summary), 2 an exception (its failure)
    std::uint64_t verdict = 0;
    shared_failure said;
    if (c->rank() == 0) {
        try {
            const auto report = check_gradient(loss, parameters, views_set(data), o);
            report_out = report;
            if (!report.passed) {
                verdict = 1;
                said = shared_failure{failure_kind::runtime, 0, report.summary()};
            }
        } catch (...) {
            verdict = 2;
            said = trainer_failures::of(std::current_exception(), 0);
        }
    }
    verdict = c->gather(verdict)[0];
    if (verdict == 0) return {};
    const shared_failure first = c->first_failure(said);
    if (verdict == 2) trainer_failures::raise(first, c->size());
    return first.message;  // (the report itself is rank 0's)
}

}  // namespace symdiff::detail
