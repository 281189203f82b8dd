#pragma once
// A generic gradient-descent driver for any scalar loss expression: one run of a trainer.
//
//   auto fit = gradient_descent(mean(square(w * x - y)), params(w = 0.0), data(x = X, y = Y),
//                               {.learning_rate = 0.01, .steps = 20});
//   fit[w];              // the fitted parameter
//   fit.loss_history;    // the loss at each step (before that step's update, as the seeds print it)
//   fit.final_loss();    // the loss at the fitted parameters
//
// For training that continues over several calls, validation data, early stopping and
// checkpoints, use a trainer (trainer.hpp); this function is `trainer(...).train(options.steps)`.
#include <utility>

#include "trainer.hpp"

namespace symdiff {

/// Runs gradient descent on `loss` over the parameters `p`, with the data `d`.
/// `on_step(const step_info<P>&)` is called after every step (optional) and may return
/// step_action::stop.
template <Expression Loss, class... Ps, class... Ds, class Callback = std::nullptr_t>
descent_result<parameter_set<Ps...>> gradient_descent(const Loss& loss, const parameter_set<Ps...>& initial,
                                                      const data_set<Ds...>& d, const descent_options& o = {},
                                                      Callback on_step = nullptr) {
    trainer t(loss, initial, d, o, detail::called_as{"gradient_descent"});
    t.train(o.steps, std::move(on_step));
    return t.result();
}

/// (parameters or data not wrapped in params(...) and data(...): a compile error that says how)
template <Expression Loss, class P, class D, class... Rest>
requires(!detail::is_parameter_set<P> || !detail::is_data_set<D>) auto gradient_descent(const Loss&, const P&, const D&,
                                                                                        const Rest&...) {
    static_assert(detail::misuse<P, D>,
                  "gradient_descent(loss, params(w = 0.0, ...), data(x = X, y = Y), {options}): the parameters "
                  "go in params(...), the data in data(...)");
    return 0;  // (the deduced return type makes the assertion fire at the call)
}

}  // namespace symdiff
