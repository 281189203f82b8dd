// sine_network: a 2-layer tanh network fitted to noisy sin(x), trained as a PyTorch user would:
// a validation split, AdamW, a cosine learning-rate schedule, minibatches, early stopping on the
// validation loss, a checkpoint written to disk, then reloaded into a new trainer that predicts on
// new points.
//
//   hidden = tanh(dot(x, W1) + b1)       x: n x 1, W1: 1 x 16, b1: 16
//   f      = dot(hidden, w2) + b2        w2: 16, b2: a number
//   loss   = mean(square(f - y))
//
// Checks: the validation RMSE comes near the noise level (0.1), the reloaded network predicts the
// same numbers as the trained one, and on a grid over [-3, 3] it differs from sin(x) by less than
// 0.05 (rms) and 0.15 (at most; the ends of the interval have the fewest samples).
// Writes sine_network_fit.png (the data, sin(x) and the fit) when gnuplot is installed, and the
// checkpoint into sine_network_checkpoint/ (numpy.load reads every parameter there).
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include <symdiff/plot/gnuplot.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xbuilder.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "common/check.hpp"

using namespace symdiff;

namespace {

constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto W1 = symbol<"W1">;
constexpr auto b1 = symbol<"b1">;
constexpr auto w2 = symbol<"w2">;
constexpr auto b2 = symbol<"b2">;

// [snippet:sine_model]
constexpr auto hidden = tanh(dot(x, W1) + b1);
constexpr auto f = dot(hidden, w2) + b2;
constexpr auto loss = mean(square(f - y));
// [/snippet:sine_model]

constexpr std::size_t width = 16;

/// A uniform draw in [lo, hi) and a standard normal one, from the portable generator.
double uniform(splitmix64& rng, double lo, double hi) { return lo + (hi - lo) * double(rng.next() >> 11) * 0x1.0p-53; }
double normal(splitmix64& rng) {
    const double u1 = (double(rng.next() >> 11) + 0.5) * 0x1.0p-53, u2 = double(rng.next() >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * std::numbers::pi * u2);
}

}  // namespace

int main() {
    example::checker check;

    // 500 points x in [-3, 3), y = sin(x) + noise of standard deviation 0.1; 400 to train on, 100
    // held out for validation.
    splitmix64 rng(7);
    const std::size_t n = 500, n_train = 400;
    auto X = xt::xtensor<double, 2>::from_shape({n, 1});
    auto Y = xt::xtensor<double, 1>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
        X(i, 0) = uniform(rng, -3, 3);
        Y(i) = std::sin(X(i, 0)) + 0.1 * normal(rng);
    }
    const xt::xtensor<double, 2> X_train = xt::view(X, xt::range(0, n_train), xt::all());
    const xt::xtensor<double, 1> Y_train = xt::view(Y, xt::range(0, n_train));
    const xt::xtensor<double, 2> X_valid = xt::view(X, xt::range(n_train, n), xt::all());
    const xt::xtensor<double, 1> Y_valid = xt::view(Y, xt::range(n_train, n));

    // Glorot-like initial weights, zero biases.
    auto W1_0 = xt::xtensor<double, 2>::from_shape({1, width});
    auto w2_0 = xt::xtensor<double, 1>::from_shape({width});
    for (auto& v : W1_0) v = normal(rng);
    for (auto& v : w2_0) v = normal(rng) / std::sqrt(double(width));
    const auto initial =
        params(W1 = W1_0, b1 = xt::xtensor<double, 1>(xt::zeros<double>({width})), w2 = w2_0, b2 = 0.0);

    const std::size_t batch = 20, epochs = 400, steps = epochs * (n_train / batch);
    // [snippet:sine_train]
    trainer net(loss, initial, data(x = X_train, y = Y_train),
                {.learning_rate = 0.02,
                 .method = adamw{.weight_decay = 1e-4},
                 .schedule = cosine_annealing_lr{.t_max = epochs, .eta_min = 1e-4},
                 .batch_size = batch,
                 .shuffle_seed = 1,
                 .progress = progress_mode::automatic,
                 .early_stopping_patience = 50,
                 .early_stopping_min_delta = 1e-5,
                 .check_gradient = true});
    net.validate_on(data(x = X_valid, y = Y_valid), metric("rmse", sqrt(mean(square(f - y)))));
    const auto& fit = net.train(steps);
    net.save("sine_network_checkpoint");
    // [/snippet:sine_train]
    std::printf("%s after %zu of %zu epochs\n", to_string(fit.reason), fit.epochs.size(), epochs);
    std::printf("before step 1, the %s\n", fit.gradient_check->summary().c_str());
    check.that("training ended as asked", fit.ok(), fit.message);
    check.that("the gradient check passed", fit.gradient_check && fit.gradient_check->passed);

    double best_rmse = 1e300;
    for (const auto& e : fit.epochs) best_rmse = std::min(best_rmse, e.metrics.at(0));
    std::printf("training loss at the kept parameters %.5f; best validation RMSE %.4f (noise: 0.1)\n", fit.final_loss(),
                best_rmse);
    check.that("the validation RMSE comes near the noise level", best_rmse < 0.13, example::format("%.4f", best_rmse));

    // [snippet:sine_reload]
    trainer reloaded(loss, initial, data(x = X_train, y = Y_train), net.options());
    reloaded.load("sine_network_checkpoint");
    const xt::xtensor<double, 1> grid = xt::linspace(-3.0, 3.0, 121);
    const xt::xtensor<double, 2> grid_x = xt::view(grid, xt::all(), xt::newaxis());
    const auto predicted = evaluate(f, reloaded.parameters(), x = grid_x);
    // [/snippet:sine_reload]
    const auto original = evaluate(f, net.parameters(), x = grid_x);
    check.that("the reloaded network predicts what the trained one does", predicted == original);
    double worst = 0, squares = 0;
    for (std::size_t i = 0; i < grid.size(); ++i) {
        const double e = predicted(i) - std::sin(grid(i));
        worst = std::max(worst, std::abs(e));
        squares += e * e;
    }
    const double rms = std::sqrt(squares / double(grid.size()));
    std::printf("on 121 new points in [-3, 3] the prediction differs from sin(x) by %.4f (rms), %.4f at most\n", rms,
                worst);
    check.that("the fit is close to sin(x) on [-3, 3] (rms below 0.05)", rms < 0.05, example::format("%.4f", rms));
    check.that("and nowhere off by more than 0.15", worst < 0.15, example::format("%.4f", worst));

    const auto picture = plot_lines(
        "sine_network_fit.png",
        {.title = "a 16-unit tanh network fitted to noisy sin(x)", .xlabel = "x", .ylabel = "y"},
        {series("training data", xt::xtensor<double, 1>(xt::view(X_train, xt::all(), 0)), Y_train, plot_style::points),
         series("validation data", xt::xtensor<double, 1>(xt::view(X_valid, xt::all(), 0)), Y_valid,
                plot_style::points),
         series("sin(x)", grid, xt::xtensor<double, 1>(xt::sin(grid))),
         series("the reloaded network", grid, predicted)});
    if (picture.rendered) std::printf("wrote %s\n", picture.path.c_str());
    else check.that("gnuplot is installed, so the picture must render", !gnuplot_available(), picture.message);
    return check.exit_code();
}
