#pragma once
// One update of a trainer's parameters from the values of a step (the loss, then the gradient
// with respect to each parameter): the gradients copied out, clipped by value then by global
// norm, and applied by the optimiser at each parameter's scheduled learning rate; and the scans
// for a loss, gradient or updated parameter that is not finite, which stop a run.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>

#include "../core/shape.hpp"
#include "../detail/values.hpp"
#include "bindings.hpp"
#include "evaluate_sets.hpp"
#include "optimizers.hpp"
#include "options.hpp"
#include "schedules.hpp"

namespace symdiff::detail {

/// Calls `f(k)` with each index `k` (a hana::size_c) of the parameter set `P`.
template <class P, class F>
void for_each_index(F&& f) {
    boost::hana::for_each(boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<P::size>), f);
}

/// The name of the parameter at index `K` of the set `P`.
template <class P, class K>
std::string parameter_name(K) {
    using B = std::remove_cvref_t<decltype(boost::hana::at(std::declval<P&>().bindings, K{}))>;
    return std::string(B::name.view());
}

/// What is not finite in the loss or the gradients, or an empty string.
template <class P, class Values>
std::string non_finite(double L, const Values& values, const P& parameters) {
    if (!std::isfinite(L)) return "the loss is " + detail::number_to_string(L);
    std::string fault;
    detail::for_each_index<P>([&](auto k) {
        const auto& g = std::get<decltype(k)::value + 1>(values);
        const long bad = detail::first_non_finite(g);
        if (bad >= 0 && fault.empty()) {
            const auto& b = boost::hana::at(parameters.bindings, k);
            fault = "the gradient with respect to '" + parameter_name<P>(k) + "' is not finite at " +
                    detail::entry_name(parameter_name<P>(k), b.value, static_cast<std::size_t>(bad));
        }
    });
    return fault;
}

/// The first entry of the parameters that is not finite, named (`a[3]`), or an empty string.
template <class P>
std::string first_non_finite_parameter(const P& parameters) {
    std::string overflow;
    boost::hana::for_each(parameters.bindings, [&](const auto& b) {
        const long bad = detail::first_non_finite(b.value);
        if (bad >= 0 && overflow.empty())
            overflow = detail::entry_name(std::remove_cvref_t<decltype(b)>::name.view(), b.value,
                                          static_cast<std::size_t>(bad));
    });
    return overflow;
}

/// The base learning rate of parameter `name` this epoch (its own rate, or the options').
inline double learning_rate_of(const descent_options& o, std::string_view name, std::size_t epoch) {
    double base = o.learning_rate;
    for (const auto& [n, rate] : o.parameter_learning_rates)
        if (n == name) base = rate;
    return scheduled_learning_rate(o.schedule, base, epoch - 1);
}

/// Copies the gradients, clips them (by value, then by global norm) and updates every parameter.
template <class P, class Values, class States>
void update_parameters(const Values& values, std::size_t epoch, P& parameters, P& gradient, States& states,
                       const descent_options& o, const std::string& who) {
    detail::for_each_index<P>([&](auto k) {
        auto& gb = boost::hana::at(gradient.bindings, k).value;
        const auto& pv = boost::hana::at(parameters.bindings, k).value;
        const auto& g = std::get<decltype(k)::value + 1>(values);
        using V = std::remove_cvref_t<decltype(gb)>;
        if constexpr (std::is_arithmetic_v<V>) {
            gb = static_cast<V>(detail::as_number(g));
        } else if constexpr (detail::is_number<decltype(g)>) {
            // a number for an array parameter: the loss depends on it uniformly
            gb.fill(static_cast<typename V::value_type>(g));
        } else {
            if (detail::shape_of(g) != detail::shape_of(pv))
                throw shape_error(who + ": the gradient with respect to '" + parameter_name<P>(k) + "' has shape " +
                                  shape_to_string(detail::shape_of(g)) + " but the parameter has shape " +
                                  shape_to_string(detail::shape_of(pv)));
            std::copy(g.begin(), g.end(), gb.begin());
        }
    });
    if (o.clip_grad_value > 0) {
        boost::hana::for_each(gradient.bindings, [&](auto& b) {
            detail::for_each_entry(b.value, [&](auto& e, std::size_t) {
                using T = std::remove_cvref_t<decltype(e)>;
                e = std::clamp(e, static_cast<T>(-o.clip_grad_value), static_cast<T>(o.clip_grad_value));
            });
        });
    }
    if (o.clip_grad_norm > 0) {
        // torch.nn.utils.clip_grad_norm_: g *= max_norm / (|g| + 1e-6) when that is below 1
        double squares = 0;
        boost::hana::for_each(gradient.bindings, [&](auto& b) {
            detail::for_each_entry(b.value, [&](auto& e, std::size_t) { squares += double(e) * double(e); });
        });
        const double coefficient = o.clip_grad_norm / (std::sqrt(squares) + 1e-6);
        if (coefficient < 1) {
            boost::hana::for_each(gradient.bindings, [&](auto& b) {
                detail::for_each_entry(b.value, [&](auto& e, std::size_t) {
                    using T = std::remove_cvref_t<decltype(e)>;
                    e = static_cast<T>(double(e) * coefficient);
                });
            });
        }
    }
    detail::for_each_index<P>([&](auto k) {
        auto& b = boost::hana::at(parameters.bindings, k);
        auto& g = boost::hana::at(gradient.bindings, k).value;
        detail::apply_update(o.method, b.value, g, std::get<decltype(k)::value>(states),
                             learning_rate_of(o, parameter_name<P>(k), epoch));
    });
}

}  // namespace symdiff::detail
