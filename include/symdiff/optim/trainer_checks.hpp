#pragma once
// The checks a trainer makes before any work: at compile time, that every parameter and data
// symbol occurs in the loss; at run time, that the options are in range and the data finite with
// one row count, and that a loss or metric evaluated to a number. Each failure is an error that
// names the call, the option or the value.
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include <boost/hana/for_each.hpp>

#include "../core/fixed_string.hpp"
#include "../core/shape.hpp"
#include "../core/symbol.hpp"
#include "../core/traits.hpp"
#include "../detail/values.hpp"
#include "../print/to_string.hpp"
#include "bindings.hpp"
#include "evaluate_sets.hpp"
#include "gradient_check.hpp"
#include "optimizers.hpp"
#include "options.hpp"
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

namespace detail {

/// A compile error for each parameter or data symbol that does not occur in `Loss`.
template <class Loss, class... Ps, class... Ds>
constexpr void check_symbols(std::type_identity<parameter_set<Ps...>>, std::type_identity<data_set<Ds...>>) {
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

template <class V>
std::size_t first_extent(const V& v) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<V>>) return 0;
    else return v.dimension() == 0 ? 0 : v.shape()[0];
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

/// Rows of the data (checked: every array of rows has as many), and, when `finite`, the data
/// finite. (`shared`: this process's share of rows shared across processes, which may hold none)
template <class D>
std::size_t validate_data(const D& d, const std::string& which, bool shared = false, bool finite = true) {
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
        if (!finite) return;
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

}  // namespace detail

}  // namespace symdiff
