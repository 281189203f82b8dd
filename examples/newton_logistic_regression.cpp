// newton_logistic_regression: Newton's method with the symbolic Hessian against gradient descent,
// on a logistic regression with 4 coefficients (an intercept and 3 features) and 1000 examples.
// The features are as data come, not standardised: one is not centred and two are correlated, so
// the loss is much more curved along some directions than along others.
//
//   loss = mean(softplus(x w) - y (x w))           (binary cross-entropy on logits x w)
//   Newton:   w <- w - H^-1 g,  g = gradient, H = hessian_at(loss, w, ...) = Xᵀ diag(σ(1-σ)) X / n
//
// The Hessian comes from the same expression as the gradient: hessian_at runs hvp(loss, w, e_j)
// (forward mode over the reverse-mode gradient) once per coefficient. Newton's step is exact for the
// local quadratic model, so it converges quadratically: a handful of iterations, where gradient
// descent needs thousands of steps with the learning rate 1/L that the curvature bound
// L = λmax(XᵀX/n)/4 guarantees to decrease the loss.
//
// Checks: Newton's gradient norm falls below 1e-10 within 10 iterations; gradient descent needs more
// than 100 steps to come within 1e-6 of Newton's minimum of the loss (2639 here); both end at the
// same w.
// Writes newton_vs_gradient_descent.png (the loss above its minimum, per iteration, log scale).
//
// SANITIZER-FLAGS: -O1
#include <cmath>
#include <cstdio>
#include <vector>

#include <symdiff/plot/gnuplot.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>

#include "common/check.hpp"

using namespace symdiff;

namespace {

constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;

// [snippet:newton_model]
constexpr auto z = dot(x, w);
constexpr auto loss = mean(softplus(z) - y * z);
// [/snippet:newton_model]

double uniform(splitmix64& rng) { return double(rng.next() >> 11) * 0x1.0p-53; }

}  // namespace

int main() {
    example::checker check;

    // 1000 examples: an intercept column, x1 in [-2, 2), x2 in [2, 6) (not centred), x3 = x1 plus
    // noise in [-1, 1) (correlated with x1); labels drawn with probability sigmoid(x w_true).
    splitmix64 rng(2026);
    const std::size_t n = 1000, p = 4;
    const xt::xtensor<double, 1> w_true{-3.0, 1.5, 0.4, -1.0};
    auto X = xt::xtensor<double, 2>::from_shape({n, p});
    auto Y = xt::xtensor<double, 1>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
        X(i, 0) = 1.0;
        X(i, 1) = 4 * uniform(rng) - 2;
        X(i, 2) = 2 + 4 * uniform(rng);
        X(i, 3) = X(i, 1) + 2 * uniform(rng) - 1;
        double zi = 0;
        for (std::size_t k = 0; k < p; ++k) zi += X(i, k) * w_true(k);
        Y(i) = uniform(rng) < 1 / (1 + std::exp(-zi)) ? 1.0 : 0.0;
    }

    std::printf("loss      = %s\n", to_string(loss).c_str());
    std::printf("gradient  = %s\n", to_string(derivative(loss, w)).c_str());
    std::printf("H v       = %s\n\n", to_string(hvp(loss, w, symbol<"v">)).c_str());

    // Newton's method from w = 0.
    // [snippet:newton_step]
    auto loss_and_gradient = compile(loss, derivative(loss, w));
    xt::xtensor<double, 1> wn = xt::zeros<double>({p});
    std::vector<double> newton_losses;
    for (int it = 0; it < 20; ++it) {
        const auto [L, g] = loss_and_gradient(x = X, y = Y, w = wn);
        newton_losses.push_back(L);
        const double norm = std::sqrt(xt::sum(g * g)());
        std::printf("Newton %2d: loss %.12f  |gradient| %.3e\n", it, L, norm);
        if (norm < 1e-10) break;
        const xt::xarray<double> H = hessian_at(loss, w, x = X, y = Y, w = wn);
        wn -= xt::linalg::solve(H, xt::xarray<double>(g));
    }
    // [/snippet:newton_step]
    const double best = newton_losses.back();
    const auto newton_iterations = newton_losses.size() - 1;
    check.that("Newton converges within 10 iterations", newton_iterations <= 10,
               example::format("%zu iterations", newton_iterations));

    // Gradient descent from w = 0 with the learning rate 1/L, L = λmax(XᵀX/n)/4: the Hessian
    // Xᵀ diag(σ(1-σ)) X / n is at most XᵀX/(4n), so each step decreases the loss.
    const xt::xtensor<double, 2> gram = xt::linalg::dot(xt::transpose(X), X) / double(n);
    const double curvature = xt::amax(xt::linalg::eigvalsh(gram))() / 4;
    const double rate = 1 / curvature;
    const auto fit = gradient_descent(loss, params(w = xt::xtensor<double, 1>(xt::zeros<double>({p}))),
                                      data(x = X, y = Y), {.learning_rate = rate, .steps = 20000});
    std::size_t steps_needed = fit.loss_history.size();
    for (std::size_t k = 0; k < fit.loss_history.size(); ++k)
        if (fit.loss_history[k] - best < 1e-6) {
            steps_needed = k;
            break;
        }
    std::printf(
        "\ngradient descent (learning rate 1/L = %.4f): within 1e-6 of the minimum after %zu steps;"
        " loss %.12f after %zu\n",
        rate, steps_needed, fit.final_loss(), fit.steps_taken);
    check.that("gradient descent needs more than 100 steps to come within 1e-6", steps_needed > 100,
               example::format("%zu steps", steps_needed));
    const xt::xtensor<double, 1> wg = fit[w];
    double gap = 0;
    for (std::size_t k = 0; k < p; ++k) gap = std::max(gap, std::abs(wg(k) - wn(k)));
    std::printf("w (Newton)           = [%.6f, %.6f, %.6f, %.6f]\n", wn(0), wn(1), wn(2), wn(3));
    std::printf("w (gradient descent) = [%.6f, %.6f, %.6f, %.6f]\n", wg(0), wg(1), wg(2), wg(3));
    check.that("both end at the same coefficients (within 1e-3)", gap < 1e-3, example::format("%.2e", gap));

    // The loss above the minimum per iteration (log scale; points at the minimum are left out).
    std::vector<double> it_n, gap_n, it_g, gap_g;
    for (std::size_t k = 0; k < newton_losses.size(); ++k)
        if (newton_losses[k] - best > 1e-16) it_n.push_back(double(k)), gap_n.push_back(newton_losses[k] - best);
    for (std::size_t k = 0; k < fit.loss_history.size() && k <= 2 * steps_needed; ++k)
        if (fit.loss_history[k] - best > 1e-16) it_g.push_back(double(k)), gap_g.push_back(fit.loss_history[k] - best);
    const auto picture = plot_lines("newton_vs_gradient_descent.png",
                                    {.title = "logistic regression: loss above its minimum",
                                     .xlabel = "iteration",
                                     .ylabel = "loss - minimum",
                                     .log_y = true},
                                    {series("Newton (symbolic Hessian)", it_n, gap_n, plot_style::linespoints),
                                     series("gradient descent, learning rate 1/L", it_g, gap_g)});
    if (picture.rendered) std::printf("wrote %s\n", picture.path.c_str());
    else check.that("gnuplot is installed, so the picture must render", !gnuplot_available(), picture.message);
    return check.exit_code();
}
