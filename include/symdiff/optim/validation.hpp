#pragma once
// Validation for a trainer: named metrics (`metric("accuracy", expression)`), and the function
// that evaluates the validation loss and the metrics at given parameters, which owns the
// validation data and the one compiled program that computes them all.
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "../core/expression.hpp"
#include "../eval/compile.hpp"
#include "../eval/schedule.hpp"
#include "bindings.hpp"
#include "minibatch.hpp"
#include "options.hpp"
#include "trainer_checks.hpp"

namespace symdiff {

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

/// The validation loss and the metrics at parameters `p`: {loss, metric...}. The function holds
/// a copy of `validation` and the program, compiled here with the options' threads and sharing;
/// `who` names the call in its errors.
template <class P, class Loss, class... Vs, class... Es>
std::function<std::vector<double>(const P&)> validation_values(const Loss& loss, const data_set<Vs...>& validation,
                                                               const descent_options& o, const std::string& who,
                                                               const named_metric<Es>&... metrics) {
    auto held = std::make_shared<data_set<Vs...>>(validation);
    using Rows = typename array_rows<rows_of<>, Vs...>::type;
    // (every data symbol is a rows symbol, whether or not a metric reads it: the program's type,
    // not compile(), which checks that each rows symbol is read)
    auto program = std::make_shared<symdiff::program<Rows, Loss, Es...>>(loss, metrics.expr...);
    program->threads(o.threads).allow_row_broadcast(o.allow_row_broadcast).share_rows(o.distributed);
    return [held, program, who, loss, exprs = std::make_tuple(metrics.expr...)](const P& p) {
        const auto values = run_program(*program, p, held->views());
        std::vector<double> out;
        out.push_back(loss_number(loss, std::get<0>(values), who + ": the validation loss"));
        [&]<std::size_t... M>(std::index_sequence<M...>) {
            (out.push_back(loss_number(std::get<M>(exprs), std::get<M + 1>(values), who + ": a metric")), ...);
        }
        (std::index_sequence_for<Es...>{});
        return out;
    };
}

}  // namespace detail

}  // namespace symdiff
