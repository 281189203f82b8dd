#pragma once
// Gradient check: the symbolic gradient against central finite differences, entry by entry, with
// torch.autograd.gradcheck's semantics: an entry passes when
//     |analytic - numeric| <= atol + rtol * |numeric|,   numeric = (L(p + eps) - L(p - eps)) / (2 eps)
// defaults eps = 1e-6, atol = 1e-5, rtol = 1e-3 (meant for double precision).
// Large parameters are checked on a seeded sample of entries. Parameters are restored exactly.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <ostream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/size.hpp>
#include <boost/hana/zip.hpp>

#include "../diff/derivative.hpp"
#include "../print/to_string.hpp"
#include "evaluate_sets.hpp"
#include "random.hpp"

namespace symdiff {

/// Tolerances of torch.autograd.gradcheck, meant for double precision. For float parameters the
/// check uses at least eps = 1e-3, atol = 1e-3, rtol = 1e-2: a central difference with eps = 1e-6
/// in float is dominated by rounding (it would reject correct gradients).
struct gradient_check_options {
    double eps = 1e-6;
    double atol = 1e-5;
    double rtol = 1e-3;
    std::size_t max_entries_per_parameter = 64;  ///< above this, a seeded sample is checked
    std::uint64_t seed = 0;
};

/// One compared entry.
struct gradient_check_entry {
    std::string name;  ///< e.g. "w" or "W[(3, 1)]"
    double analytic = 0, numeric = 0, error = 0, allowed = 0;
};

struct gradient_check_report {
    bool passed = true;
    std::size_t checked = 0;
    std::size_t failed = 0;
    gradient_check_entry worst;  ///< the entry with the largest error / allowed ratio
    std::string summary() const {
        std::ostringstream os;
        os << "gradient check " << (passed ? "passed" : "FAILED") << ": " << checked << " entries, " << failed
           << " outside tolerance; worst " << worst.name << ": analytic " << worst.analytic << ", numeric "
           << worst.numeric << " (|diff| " << worst.error << ", allowed " << worst.allowed << ")";
        return os.str();
    }
};

namespace detail {

template <class V>
const auto& entry_at(const V& v, std::size_t i) {
    if constexpr (std::is_arithmetic_v<V>) return (void)i, v;
    else return *(v.begin() + static_cast<std::ptrdiff_t>(i));
}

/// What is wrong with the check's options, or "": a step eps > 0, tolerances >= 0, all finite,
/// and at least one entry per parameter (a bad option would read as a wrong gradient, or pass
/// having checked nothing).
inline std::string gradient_check_problem(const gradient_check_options& o) {
    if (!(o.eps > 0) || !std::isfinite(o.eps))
        return "eps must be a positive finite number, got " + detail::number_to_string(o.eps);
    if (!(o.atol >= 0) || !std::isfinite(o.atol))
        return "atol must be a finite number >= 0, got " + detail::number_to_string(o.atol);
    if (!(o.rtol >= 0) || !std::isfinite(o.rtol))
        return "rtol must be a finite number >= 0, got " + detail::number_to_string(o.rtol);
    if (o.max_entries_per_parameter == 0) return "max_entries_per_parameter must be at least 1";
    return {};
}

/// Compares candidate gradient expressions (one per parameter, in order) with finite differences.
template <class Loss, class Grads, class P, class D>
gradient_check_report check_candidates(const Loss& loss, const Grads& grads, P p, const D& d,
                                       const gradient_check_options& o) {
    if (const std::string problem = gradient_check_problem(o); !problem.empty())
        throw std::invalid_argument("check_gradient: " + problem);
    gradient_check_report report;
    double worst_ratio = -1;
    const auto analytic_values = evaluate_on(grads, p, d);
    constexpr auto n =
        decltype(boost::hana::size(p.bindings)){};  // a type: p.bindings may hold arrays (not literal types)
    boost::hana::for_each(boost::hana::make_range(boost::hana::size_c<0>, n), [&](auto k) {
        auto& b = boost::hana::at(p.bindings, k);
        const auto& g = boost::hana::at(analytic_values, k);
        auto& value = b.value;
        const std::size_t count = entry_count(value);
        const std::size_t gcount = [&] {
            if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(g)>>) return std::size_t{1};
            else return g.size();
        }();
        if (gcount != count)
            throw shape_error("gradient check: the gradient for '" +
                              std::string(std::remove_cvref_t<decltype(b)>::name.view()) + "' has " +
                              std::to_string(gcount) + " entries but the parameter has " + std::to_string(count));
        std::vector<std::size_t> entries(count);
        for (std::size_t i = 0; i < count; ++i) entries[i] = i;
        if (count > o.max_entries_per_parameter) {
            splitmix64 rng(o.seed + decltype(k)::value);
            shuffle(entries, rng);
            entries.resize(o.max_entries_per_parameter);
            std::sort(entries.begin(), entries.end());
        }
        using element = typename element_type<std::remove_cvref_t<decltype(value)>>::type;
        const bool single = sizeof(element) < sizeof(double);
        const double eps = single ? std::max(o.eps, 1e-3) : o.eps;
        const double atol = single ? std::max(o.atol, 1e-3) : o.atol;
        const double rtol = single ? std::max(o.rtol, 1e-2) : o.rtol;
        for (std::size_t i : entries) {
            auto& entry = [&]() -> auto& {
                if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(value)>>) return value;
                else return *(value.begin() + static_cast<std::ptrdiff_t>(i));
            }
            ();
            const auto saved = entry;
            entry = static_cast<element>(saved + eps);
            const double up = as_number(evaluate_on(loss, p, d));
            entry = static_cast<element>(saved - eps);
            const double down = as_number(evaluate_on(loss, p, d));
            entry = saved;
            // the step actually taken (saved +- eps rounded to the parameter's type)
            const double step = static_cast<double>(static_cast<element>(saved + eps)) -
                                static_cast<double>(static_cast<element>(saved - eps));
            const double numeric = (up - down) / step;
            const double analytic = static_cast<double>(entry_at(g, i));
            const double error = std::abs(analytic - numeric);
            const double allowed = atol + rtol * std::abs(numeric);
            const bool ok = error <= allowed;  // false for NaN too
            ++report.checked;
            if (!ok) ++report.failed;
            const double ratio = std::isnan(error) ? std::numeric_limits<double>::infinity() : error / allowed;
            if (ratio > worst_ratio) {
                worst_ratio = ratio;
                report.worst = gradient_check_entry{entry_name(std::remove_cvref_t<decltype(b)>::name.view(), value, i),
                                                    analytic, numeric, error, allowed};
            }
        }
    });
    report.passed = report.failed == 0;
    return report;
}

}  // namespace detail

/// Checks the symbolic gradient of `loss` with respect to every parameter against finite
/// differences: `check_gradient(loss, params(w = 0.0), data(x = X, y = Y))`.
template <Expression Loss, class... Ps, class... Ds>
gradient_check_report check_gradient(const Loss& loss, const parameter_set<Ps...>& p, const data_set<Ds...>& d,
                                     const gradient_check_options& o = {}) {
    const auto grads = boost::hana::make_tuple(gradient_of(loss, symbol<Ps::name>)...);
    return detail::check_candidates(loss, grads, p, d, o);
}

/// Checks hand-written gradient expressions (one per parameter, in the order of `p`) against
/// finite differences of `loss`: the check a hand-derived gradient should have had.
template <Expression Loss, class... G, class... Ps, class... Ds>
gradient_check_report check_gradient(const Loss& loss, const boost::hana::tuple<G...>& candidate,
                                     const parameter_set<Ps...>& p, const data_set<Ds...>& d,
                                     const gradient_check_options& o = {}) {
    static_assert(sizeof...(G) == sizeof...(Ps), "check_gradient: give one gradient expression per parameter");
    return detail::check_candidates(loss, candidate, p, d, o);
}

}  // namespace symdiff
