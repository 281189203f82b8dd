// quadratic_fit: fit f(t) = a t^2 + b t + c to 20 noisy measurements (seed 002, the fastai
// book's "SGD example: quadratic function").
//
// The notebook's seven steps: initialise the parameters, predict, compute the loss, compute the
// gradient, step, repeat, stop. gradient_descent does steps 2 to 6; we choose the model, the
// loss, the starting point, the learning rate and when to stop. Then the same fit with two other
// losses (mean absolute error and root mean squared error), and what a learning rate that is too
// low or too high does.
//
// Data: t = 0..19, speed = N(0, 1) + 0.5 (t - 9.5)^2 + 1, from the peer benchmark's generator
// (workload W3) rather than torch.randn, so the numbers differ from the notebook's in the digits
// but follow the same path (notebook: 679 -> 359 -> 298 -> ... -> 284; here 685 -> 358 -> 296 ->
// ... -> 281). The start p0 = (0.0121, -0.6397, 0.6416) is what the notebook's torch.randn(3) gave.
//
// Writes quadratic_fit_curves.png, quadratic_fit_loss_functions.png and
// quadratic_fit_learning_rates.png into the working directory (when gnuplot is installed).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include <symdiff/plot/gnuplot.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xtensor.hpp>

#include "common/check.hpp"
#include "common/seed_data.hpp"

using namespace symdiff;

namespace {

// The peer benchmark's references for W3 (shared/bench-peers/results): the loss returned by
// step 10, and by step 100000, starting from p0 with lr 1e-5.
constexpr double w3_reference_step_10 = 281.1518931;
constexpr double w3_reference_step_100000 = 165.2679857;

bool falls_every_step(const std::vector<double>& losses) {
    for (std::size_t i = 1; i < losses.size(); ++i)
        if (!(losses[i] < losses[i - 1])) return false;
    return true;
}

void print_losses(const char* name, const std::vector<double>& losses) {
    std::printf("%-6s", name);
    for (double l : losses) std::printf(std::abs(l) < 1e5 ? " %9.3f" : " %9.2e", l);
    std::printf("\n");
}

void print_step_numbers(std::size_t steps) {
    std::printf("step  ");
    for (std::size_t k = 1; k <= steps; ++k) std::printf(" %9zu", k);
    std::printf("\n");
}

void report(example::checker& check, const plot_result& r) {
    if (r.rendered) {
        std::printf("  %s\n", std::filesystem::absolute(r.path).c_str());
    } else {
        std::printf("  skipped %s: %s\n", r.path.c_str(), r.message.c_str());
        check.that("gnuplot is installed, so " + r.path + " must render", !gnuplot_available(), r.message);
    }
}

}  // namespace

int main() {
    example::checker check;
    const auto [T, speed] = example::make_quadratic_data();

    // [snippet:quadratic_model]
    // Step 1, initialise; the model and its loss first. a, b, c are the parameters, t and y the data.
    constexpr auto t = symbol<"t">;
    constexpr auto y = symbol<"y">;
    constexpr auto a = symbol<"a">;
    constexpr auto b = symbol<"b">;
    constexpr auto c = symbol<"c">;
    constexpr auto f = a * square(t) + b * t + c;  // the model
    constexpr auto mse = mean(square(f - y));      // the mean squared error
    const auto p0 = params(a = 0.0121, b = -0.6397, c = 0.6416);

    std::printf("f(t)     = %s\n", to_string(f).c_str());
    std::printf("loss     = %s\n", to_string(mse).c_str());
    std::printf("d loss/da = %s\n", to_string(derivative(mse, a)).c_str());
    std::printf("d loss/db = %s\n", to_string(derivative(mse, b)).c_str());
    std::printf("d loss/dc = %s\n", to_string(derivative(mse, c)).c_str());
    // [/snippet:quadratic_model]
    check.same_text("d loss/da", to_string(derivative(mse, a)), "mean(2 * (a * t^2 + b * t + c - y) * t^2)");

    // ---------------------------------------------------------------------------------------
    // Steps 2-6: predict, loss, gradient, step, repeat. The notebook prints the loss at p0, takes
    // one step by hand, then calls apply_step 10 times: 11 steps, 11 losses.
    // ---------------------------------------------------------------------------------------
    std::printf("\n== mean squared error, lr 1e-5: the notebook's 11 steps ==\n");
    // [snippet:quadratic_train]
    const auto fit = gradient_descent(mse, p0, data(t = T, y = speed), {.learning_rate = 1e-5, .steps = 11});
    print_step_numbers(fit.loss_history.size());
    print_losses("loss", fit.loss_history);
    std::printf("a = %.4f, b = %.4f, c = %.4f\n", fit[a], fit[b], fit[c]);
    // [/snippet:quadratic_train]
    check.that("the MSE run completed", fit.ok(), fit.message);
    check.that("the MSE falls at every step", falls_every_step(fit.loss_history));
    check.near("the loss returned by step 10 (W3 reference)", fit.loss_history.at(9), w3_reference_step_10, 1e-6);

    // Step 7, stop: the notebook stops after 10 steps "arbitrarily". Plain gradient descent is
    // slow here: t^2 reaches 361 while t and 1 stay small, so a learning rate small enough for a
    // is far too small for b and c. After 100 000 steps the loss is still falling.
    const auto long_fit = gradient_descent(mse, p0, data(t = T, y = speed), {.learning_rate = 1e-5, .steps = 100000});
    std::printf("step 100000 returned the loss %.7f; then a = %.4f, b = %.4f, c = %.4f\n", long_fit.loss_history.back(),
                long_fit[a], long_fit[b], long_fit[c]);
    std::printf("(the curve the data came from has a = 0.5, b = -9.5, c = 46.125)\n");
    check.near("the loss returned by step 100000 (W3 note)", long_fit.loss_history.back(), w3_reference_step_100000,
               1e-6);

    // ---------------------------------------------------------------------------------------
    // Other losses: L1 (mean absolute error) and RMSE. Their gradients are much smaller than the
    // MSE's (d RMSE = d MSE / (2 RMSE), about 50 times smaller here), so they get lr 1e-4.
    // ---------------------------------------------------------------------------------------
    std::printf("\n== other loss functions, lr 1e-4 ==\n");
    // [snippet:quadratic_losses]
    constexpr auto l1 = mean(abs(f - y));             // mean absolute error
    constexpr auto rmse = sqrt(mean(square(f - y)));  // root mean squared error
    std::printf("L1:   d loss/da = %s\n", to_string(derivative(l1, a)).c_str());
    std::printf("RMSE: d loss/da = %s\n", to_string(derivative(rmse, a)).c_str());
    const auto fit_l1 = gradient_descent(l1, p0, data(t = T, y = speed), {.learning_rate = 1e-4, .steps = 11});
    const auto fit_rmse = gradient_descent(rmse, p0, data(t = T, y = speed), {.learning_rate = 1e-4, .steps = 11});
    print_step_numbers(fit_l1.loss_history.size());
    print_losses("L1", fit_l1.loss_history);
    print_losses("RMSE", fit_rmse.loss_history);
    // [/snippet:quadratic_losses]
    check.same_text("d L1/da", to_string(derivative(l1, a)), "mean(sign(a * t^2 + b * t + c - y) * t^2)");
    check.that("the L1 run completed", fit_l1.ok(), fit_l1.message);
    check.that("the RMSE run completed", fit_rmse.ok(), fit_rmse.message);
    check.that("the L1 loss falls at every step", falls_every_step(fit_l1.loss_history));
    check.that("the RMSE falls at every step", falls_every_step(fit_rmse.loss_history));
    check.near("RMSE at p0 = sqrt(MSE at p0)", fit_rmse.loss_history.front(), std::sqrt(fit.loss_history.front()),
               1e-9);

    // ---------------------------------------------------------------------------------------
    // The learning rate: too low, about right, too high.
    // ---------------------------------------------------------------------------------------
    std::printf("\n== the learning rate, MSE, 11 steps ==\n");
    // [snippet:quadratic_learning_rates]
    const auto too_low = gradient_descent(mse, p0, data(t = T, y = speed), {.learning_rate = 1e-7, .steps = 11});
    const auto too_high = gradient_descent(mse, p0, data(t = T, y = speed), {.learning_rate = 1e-4, .steps = 11});
    print_step_numbers(too_low.loss_history.size());
    print_losses("1e-7", too_low.loss_history);
    print_losses("1e-5", fit.loss_history);
    print_losses("1e-4", too_high.loss_history);
    std::printf("lr 1e-4: %s: %s\n", to_string(too_high.reason), too_high.message.c_str());
    // [/snippet:quadratic_learning_rates]
    const double drop_low = 1 - too_low.final_loss() / too_low.loss_history.front();
    const double drop_right = 1 - fit.final_loss() / fit.loss_history.front();
    std::printf("in 10 updates the loss fell by %.1f%% with lr 1e-7 and by %.1f%% with lr 1e-5\n", 100 * drop_low,
                100 * drop_right);
    check.that("lr 1e-7: the loss barely moves (falls by less than 10%)", drop_low > 0 && drop_low < 0.10,
               example::format("%.3f", drop_low));
    check.that("lr 1e-5: the loss falls by more than half", drop_right > 0.5, example::format("%.3f", drop_right));

    // With lr 1e-4 the loss rises at every step; the driver's divergence watchdog stops the run
    // once it has risen 5 times in a row. The parameters it returns are those with the lowest
    // loss it saw (here the starting point: the loss only grew).
    const std::size_t stopped_at = too_high.loss_history.size();
    check.that("lr 1e-4: stopped as diverged", too_high.reason == stop_reason::diverged, to_string(too_high.reason));
    check.that("lr 1e-4: the message names the step",
               too_high.message.find("step " + std::to_string(stopped_at)) != std::string::npos, too_high.message);

    // A larger rate, with the watchdog switched off (divergence_patience = 0), runs until the
    // loss overflows to infinity; the driver then returns the last parameters whose loss was finite.
    // [snippet:quadratic_non_finite]
    const auto overflow = gradient_descent(mse, p0, data(t = T, y = speed),
                                           {.learning_rate = 1e-2, .steps = 1000, .divergence_patience = 0});
    std::printf("lr 1e-2, no watchdog: %s: %s\n", to_string(overflow.reason), overflow.message.c_str());
    std::printf("  returned a = %.4g, b = %.4g, c = %.4g, their loss %.4g (the last in the history)\n", overflow[a],
                overflow[b], overflow[c], overflow.final_loss());
    // [/snippet:quadratic_non_finite]
    check.that("lr 1e-2: stopped as non-finite", overflow.reason == stop_reason::non_finite,
               to_string(overflow.reason));
    const std::size_t failed_step = overflow.loss_history.size() + 1;  // the step whose loss was not finite
    check.that("lr 1e-2: the message names the step",
               overflow.message.find("step " + std::to_string(failed_step)) != std::string::npos, overflow.message);

    // Both faulty runs return finite parameters: after divergence those with the lowest loss
    // recorded, after an overflow the last ones whose loss was finite (the last in the history).
    // (Equal up to rounding: the driver evaluates the loss together with its gradient, sharing
    // subexpressions, which may change the last bit.)
    for (const auto* r : {&too_high, &overflow}) {
        const bool diverged = r == &too_high;
        const char* name = diverged ? "lr 1e-4" : "lr 1e-2";
        const double a_ = (*r)[a], b_ = (*r)[b], c_ = (*r)[c];
        const double loss_there = evaluate(mse, a = a_, b = b_, c = c_, t = T, y = speed);
        const double expected =
            diverged ? *std::min_element(r->loss_history.begin(), r->loss_history.end()) : r->final_loss();
        check.that(std::string(name) + ": the returned parameters are finite",
                   std::isfinite(a_) && std::isfinite(b_) && std::isfinite(c_),
                   example::format("a = %g, b = %g, c = %g", a_, b_, c_));
        check.that(std::string(name) + (diverged ? ": their loss is the lowest in the history"
                                                 : ": their loss is finite and the last in the history"),
                   std::isfinite(loss_there) && std::abs(loss_there - expected) <= 1e-12 * std::abs(expected),
                   example::format("loss %g, expected %g", loss_there, expected));
    }

    // ---------------------------------------------------------------------------------------
    // Pictures.
    // ---------------------------------------------------------------------------------------
    // [snippet:quadratic_plots]
    // The model on a fine grid of t, for each set of parameters.
    const xt::xtensor<double, 1> grid = xt::linspace(0.0, 19.0, 96);
    const auto curve = [&](const std::string& name, const auto& p) {
        return series(name, grid, evaluate(f, a = p[a], b = p[b], c = p[c], t = grid));
    };
    std::printf("\npictures:\n");
    report(check,
           plot_lines("quadratic_fit_curves.png",
                      plot_options{.title = "f(t) = a t^2 + b t + c, mean squared error, lr 1e-5",
                                   .xlabel = "time t",
                                   .ylabel = "speed"},
                      {series("data", T, speed, plot_style::points), curve("start p0", p0),
                       curve("after 10 steps", fit.parameters), curve("after 100000 steps", long_fit.parameters)}));
    report(check, plot_lines("quadratic_fit_loss_functions.png",
                             plot_options{.title = "three losses, each falling at every step",
                                          .xlabel = "step",
                                          .ylabel = "loss",
                                          .log_y = true},
                             {series("MSE, lr 1e-5", fit.loss_history, plot_style::linespoints),
                              series("L1, lr 1e-4", fit_l1.loss_history, plot_style::linespoints),
                              series("RMSE, lr 1e-4", fit_rmse.loss_history, plot_style::linespoints)}));
    report(check, plot_lines("quadratic_fit_learning_rates.png",
                             plot_options{.title = "mean squared error for three learning rates",
                                          .xlabel = "step",
                                          .ylabel = "loss",
                                          .log_y = true},
                             {series("lr 1e-7 (too low)", too_low.loss_history, plot_style::linespoints),
                              series("lr 1e-5", fit.loss_history, plot_style::linespoints),
                              series("lr 1e-4 (too high)", too_high.loss_history, plot_style::linespoints)}));
    // [/snippet:quadratic_plots]

    return check.exit_code();
}
