// gaussian_mixture: fit a mixture of 3 Gaussians with full covariances to 900 points in the plane
// by gradient descent on the negative log-likelihood, written with einsum and fill_triangular (the
// classic AD benchmark model, as in ADBench's GMM).
//
// Each component k has a mean μ_k, a weight softmax(α)_k and a precision Λ_k = Q_kᵀ Q_k, with Q_k
// lower triangular and a positive diagonal: its entries below the diagonal are free, its diagonal
// is exp of free numbers D_k. All entries of the factors are one parameter q (k x 3, the 3 entries
// of a 2 x 2 lower triangle, row by row). Per point x_n:
//   z_nk      = Q_k (x_n - μ_k)                          einsum("kij,nj->nki") - einsum("kij,kj->ki")
//   log p_nk  = α_k - lse(α) + sum_i D_ki - |z_nk|² / 2  (log det Q_k = sum_i D_ki; the constant
//                                                        -log 2π is left out)
//   loss      = -mean_n lse_k(log p_nk)
// Gradients with respect to all four parameters are derived at compile time; the driver checks
// them against finite differences before the first step.
//
// Checks: the gradient check passes; every true mean has a fitted mean within 0.15; the weights are
// within 0.05 of the true ones; the fitted covariances within 25 % (Frobenius norm) of the true ones.
// Writes gaussian_mixture.png (the points and the 2-sigma ellipses of the fitted components).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <vector>

#include <symdiff/plot/gnuplot.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "common/check.hpp"

using namespace symdiff;

namespace {

constexpr auto x = symbol<"x">;
constexpr auto mu = symbol<"mu">;
constexpr auto alpha = symbol<"alpha">;
constexpr auto q = symbol<"q">;

// [snippet:gmm_model]
constexpr auto L = fill_triangular(q);                 // k x 2 x 2, lower triangular
constexpr auto D = einsum<"kii->ki">(L);               // its diagonal: the logs of Q's
constexpr auto Q = L + einsum<"ki->kii">(exp(D) - D);  // the diagonal replaced by exp(D)
constexpr auto z = einsum<"kij,nj->nki">(Q, x) - einsum<"kij,kj->ki">(Q, mu);
constexpr auto log_p =
    alpha - sum(log_sum_exp(alpha, axis<0>)) + einsum<"ki->k">(D) - 0.5 * einsum<"nki,nki->nk">(z, z);
constexpr auto loss = -mean(log_sum_exp(log_p, axis<1>));
// [/snippet:gmm_model]

double uniform(splitmix64& rng) { return double(rng.next() >> 11) * 0x1.0p-53; }
double normal(splitmix64& rng) {  // Box-Muller
    const double u1 = std::max(uniform(rng), 1e-300), u2 = uniform(rng);
    return std::sqrt(-2 * std::log(u1)) * std::cos(2 * M_PI * u2);
}

struct component {
    double weight;
    std::array<double, 2> mean;
    std::array<double, 3> chol;  // covariance = C Cᵀ, C = [[c0, 0], [c1, c2]]
};

std::array<double, 4> covariance_of(const component& c) {
    const double a = c.chol[0], b = c.chol[1], d = c.chol[2];
    return {a * a, a * b, a * b, b * b + d * d};
}

}  // namespace

int main() {
    example::checker check;
    const std::vector<component> truth{
        {0.5, {-2.0, 0.0}, {0.8, 0.3, 0.4}}, {0.3, {2.0, 1.5}, {0.5, -0.2, 0.7}}, {0.2, {1.0, -2.5}, {0.9, 0.0, 0.3}}};
    const std::size_t n = 900, k = truth.size();
    splitmix64 rng(11);
    auto X = xt::xtensor<double, 2>::from_shape({n, 2});
    std::size_t row = 0;
    for (const component& c : truth)
        for (std::size_t i = 0; i < std::size_t(c.weight * double(n)); ++i, ++row) {
            const double e0 = normal(rng), e1 = normal(rng);
            X(row, 0) = c.mean[0] + c.chol[0] * e0;
            X(row, 1) = c.mean[1] + c.chol[1] * e0 + c.chol[2] * e1;
        }

    // start: identity precisions, equal weights, means at three data points (one from each group
    // of rows, which the data happens to be ordered by)
    auto mu0 = xt::xtensor<double, 2>::from_shape({k, 2});
    const std::array<std::size_t, 3> starts{0, 450, 720};
    for (std::size_t c = 0; c < k; ++c) mu0(c, 0) = X(starts[c], 0), mu0(c, 1) = X(starts[c], 1);
    const xt::xtensor<double, 1> alpha0 = xt::zeros<double>({k});
    const xt::xtensor<double, 2> q0 = xt::zeros<double>({k, std::size_t(3)});
    // [snippet:gmm_fit]
    const auto fit = gradient_descent(loss, params(mu = mu0, alpha = alpha0, q = q0), data(x = X),
                                      {.learning_rate = 0.05, .steps = 1500, .method = adam{}, .check_gradient = true});
    // [/snippet:gmm_fit]
    if (fit.gradient_check) std::printf("%s\n", fit.gradient_check->summary().c_str());
    std::printf("negative log-likelihood per point: %.6f -> %.6f after %zu steps\n", fit.loss_history.front(),
                fit.final_loss(), fit.steps_taken);
    check.that("the gradient check passed", fit.gradient_check && fit.gradient_check->passed);

    const xt::xtensor<double, 2> m = fit[mu];
    const xt::xtensor<double, 1> a = fit[alpha];
    const xt::xtensor<double, 3> Qv = evaluate(Q, fit.parameters);
    double amax = a(0), total = 0;
    for (std::size_t c = 0; c < k; ++c) amax = std::max(amax, a(c));
    for (std::size_t c = 0; c < k; ++c) total += std::exp(a(c) - amax);

    // each true component against the nearest fitted mean
    std::vector<std::vector<double>> ex, ey;
    for (std::size_t c = 0; c < k; ++c) {
        std::size_t best = 0;
        double dist = 1e300;
        for (std::size_t f = 0; f < k; ++f) {
            const double dd = std::hypot(m(f, 0) - truth[c].mean[0], m(f, 1) - truth[c].mean[1]);
            if (dd < dist) dist = dd, best = f;
        }
        const double w = std::exp(a(best) - amax) / total;
        // covariance (QᵀQ)^-1 = Q^-1 Q^-T, Q = [[p, 0], [r, s]]: Q^-1 = [[1/p, 0], [-r/(p s), 1/s]]
        const double p = Qv(best, 0, 0), r = Qv(best, 1, 0), s = Qv(best, 1, 1);
        const double i00 = 1 / p, i10 = -r / (p * s), i11 = 1 / s;
        const std::array<double, 4> cov{i00 * i00, i00 * i10, i00 * i10, i10 * i10 + i11 * i11};
        const std::array<double, 4> ref = covariance_of(truth[c]);
        double diff = 0, norm = 0;
        for (std::size_t e = 0; e < 4; ++e) diff += std::pow(cov[e] - ref[e], 2), norm += ref[e] * ref[e];
        std::printf(
            "component %zu: mean (%.3f, %.3f) [true (%.1f, %.1f)], weight %.3f [%.1f], covariance "
            "[[%.3f, %.3f], [%.3f, %.3f]] [true [[%.3f, %.3f], [%.3f, %.3f]]]\n",
            c, m(best, 0), m(best, 1), truth[c].mean[0], truth[c].mean[1], w, truth[c].weight, cov[0], cov[1], cov[2],
            cov[3], ref[0], ref[1], ref[2], ref[3]);
        check.that("a fitted mean within 0.15 of each true mean", dist < 0.15, example::format("%.3f", dist));
        check.that("the weights within 0.05", std::abs(w - truth[c].weight) < 0.05,
                   example::format("%.3f against %.1f", w, truth[c].weight));
        check.that("the covariances within 25 %", std::sqrt(diff / norm) < 0.25,
                   example::format("%.3f", std::sqrt(diff / norm)));
        // its 2-sigma ellipse: x = μ + 2 Q^-1 (cos t, sin t)
        ex.emplace_back();
        ey.emplace_back();
        for (int t = 0; t <= 100; ++t) {
            const double ct = 2 * std::cos(2 * M_PI * t / 100), st = 2 * std::sin(2 * M_PI * t / 100);
            ex.back().push_back(m(best, 0) + i00 * ct);
            ey.back().push_back(m(best, 1) + i10 * ct + i11 * st);
        }
    }

    std::vector<double> px(X.shape()[0]), py(X.shape()[0]);
    for (std::size_t i = 0; i < n; ++i) px[i] = X(i, 0), py[i] = X(i, 1);
    std::vector<series> all{series("points", px, py, plot_style::points)};
    for (std::size_t c = 0; c < k; ++c)
        all.push_back(series("component " + std::to_string(c) + " (2 sigma)", ex[c], ey[c]));
    const auto picture = plot_lines("gaussian_mixture.png",
                                    {.title = "a mixture of 3 Gaussians fitted by gradient descent (einsum model)",
                                     .xlabel = "x_1",
                                     .ylabel = "x_2",
                                     .width = 700,
                                     .height = 600},
                                    all);
    if (picture.rendered) std::printf("wrote %s\n", picture.path.c_str());
    else check.that("gnuplot is installed, so the picture must render", !gnuplot_available(), picture.message);
    return check.exit_code();
}
