// matrix_factorization: fill in the missing entries of a ratings-like matrix from a low-rank model
// written with einsum, trained by gradient descent.
//
//   prediction  P = U Vᵀ            einsum("ik,jk->ij", U, V)         (users x items, rank 3)
//   loss        sum(M ∘ (P - Y)²) / #observed  +  λ (‖U‖² + ‖V‖²)    ‖U‖² = einsum("ik,ik->", U, U)
//
// M is 1 where an entry of Y was observed (half of them), 0 elsewhere. The gradients are einsums
// too, derived at compile time (every derivative of an einsum is an einsum); the driver checks them
// against finite differences before the first step.
//
// Checks: the gradient check passes; the error on the entries that were NOT observed falls below a
// third of their spread (the model generalises from the observed half); the loss decreases.
#include <cmath>
#include <cstdio>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "common/check.hpp"

using namespace symdiff;

namespace {

constexpr auto Y = symbol<"Y">;  // the matrix, 0 where not observed
constexpr auto M = symbol<"M">;  // 1 where observed
constexpr auto U = symbol<"U">;
constexpr auto V = symbol<"V">;

// [snippet:factorization_model]
constexpr auto prediction = einsum<"ik,jk->ij">(U, V);  // U Vᵀ
constexpr auto loss =
    sum(M * square(prediction - Y)) / sum(M) + 0.001 * (einsum<"ik,ik->">(U, U) + einsum<"jk,jk->">(V, V));
// [/snippet:factorization_model]

double uniform(splitmix64& rng) { return double(rng.next() >> 11) * 0x1.0p-53; }

}  // namespace

int main() {
    example::checker check;
    const std::size_t users = 40, items = 30, rank = 3;

    // the truth: a rank-3 matrix; half of its entries observed
    splitmix64 rng(7);
    auto Ut = xt::xtensor<double, 2>::from_shape({users, rank});
    auto Vt = xt::xtensor<double, 2>::from_shape({items, rank});
    for (double& e : Ut) e = 2 * uniform(rng) - 1;
    for (double& e : Vt) e = 2 * uniform(rng) - 1;
    auto truth = xt::xtensor<double, 2>::from_shape({users, items});
    auto Yv = xt::xtensor<double, 2>::from_shape({users, items});
    auto Mv = xt::xtensor<double, 2>::from_shape({users, items});
    for (std::size_t i = 0; i < users; ++i)
        for (std::size_t j = 0; j < items; ++j) {
            double t = 0;
            for (std::size_t k = 0; k < rank; ++k) t += Ut(i, k) * Vt(j, k);
            truth(i, j) = t;
            Mv(i, j) = uniform(rng) < 0.5 ? 1.0 : 0.0;
            Yv(i, j) = Mv(i, j) * t;
        }

    std::printf("loss       = %s\n", to_string(loss).c_str());
    std::printf("d loss/d U = %s\n\n", to_string(derivative(loss, U)).c_str());

    // [snippet:factorization_fit]
    auto U0 = xt::xtensor<double, 2>::from_shape({users, rank});
    auto V0 = xt::xtensor<double, 2>::from_shape({items, rank});
    for (double& e : U0) e = 0.1 * (2 * uniform(rng) - 1);  // (not 0: a saddle point)
    for (double& e : V0) e = 0.1 * (2 * uniform(rng) - 1);
    const auto fit = gradient_descent(loss, params(U = U0, V = V0), data(Y = Yv, M = Mv),
                                      {.learning_rate = 0.02, .steps = 3000, .method = adam{}, .check_gradient = true});
    const xt::xtensor<double, 2> filled_in = evaluate(prediction, fit.parameters);
    // [/snippet:factorization_fit]

    // error on the hidden entries, against their spread
    double err = 0, spread = 0;
    std::size_t hidden = 0;
    for (std::size_t i = 0; i < users; ++i)
        for (std::size_t j = 0; j < items; ++j)
            if (Mv(i, j) == 0.0) {
                err += std::pow(filled_in(i, j) - truth(i, j), 2);
                spread += truth(i, j) * truth(i, j);
                ++hidden;
            }
    const double rms_err = std::sqrt(err / double(hidden)), rms = std::sqrt(spread / double(hidden));
    if (fit.gradient_check) std::printf("%s\n", fit.gradient_check->summary().c_str());
    std::printf("loss %.6f -> %.6f after %zu steps\n", fit.loss_history.front(), fit.final_loss(), fit.steps_taken);
    std::printf("hidden entries: %zu, rms %.4f, rms error of the filled-in values %.4f\n", hidden, rms, rms_err);

    check.that("the gradient check passed", fit.gradient_check && fit.gradient_check->passed);
    check.that("the loss decreased", fit.final_loss() < fit.loss_history.front());
    check.that("hidden entries recovered within a third of their spread", rms_err < rms / 3,
               example::format("%.4f against %.4f", rms_err, rms));
    return check.exit_code();
}
