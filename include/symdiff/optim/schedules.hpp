#pragma once
// Learning-rate schedules with torch.optim.lr_scheduler's equations. The schedule is a function of
// the epoch e (from 0, PyTorch's `last_epoch`) and the base learning rate lr0; like a PyTorch
// scheduler stepped once per epoch, the rate changes between epochs (in a full-batch run every
// step is an epoch).
//
//   constant_lr{}                          lr0
//   step_lr{.step_size = s, .gamma = g}    lr0 g^floor(e / s)                               (StepLR)
//   exponential_lr{.gamma = g}             lr0 g^e                                     (ExponentialLR)
//   cosine_annealing_lr{.t_max = T, .eta_min = m}
//                                          m + (lr0 - m) (1 + cos(pi e / T)) / 2       (CosineAnnealingLR,
//                                                                                     its closed form)
//   linear_lr{.start_factor = a, .end_factor = b, .total_iters = n}
//                                          lr0 (a + (b - a) min(e, n) / n)    (LinearLR: a linear warm-up)
//   lambda_lr{.factor = f}                 lr0 f(e)                                        (LambdaLR)
//
// A warm-up followed by cosine annealing is a lambda_lr:
//   lambda_lr{[](std::size_t e) { return e < 5 ? (e + 1) / 5.0 : 0.5 * (1 + std::cos(pi * (e - 5) / 95)); }}
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <functional>
#include <numbers>
#include <string>
#include <variant>

namespace symdiff {

struct constant_lr {};
struct step_lr {
    std::size_t step_size = 1;
    double gamma = 0.1;
};
struct exponential_lr {
    double gamma = 0.9;
};
struct cosine_annealing_lr {
    std::size_t t_max = 1;
    double eta_min = 0;
};
struct linear_lr {
    double start_factor = 1.0 / 3;
    double end_factor = 1.0;
    std::size_t total_iters = 5;
};
struct lambda_lr {
    std::function<double(std::size_t)> factor;
};

using lr_schedule = std::variant<constant_lr, step_lr, exponential_lr, cosine_annealing_lr, linear_lr, lambda_lr>;

/// The learning rate of epoch `e` (from 0) for the base rate `lr0`.
inline double scheduled_learning_rate(const lr_schedule& schedule, double lr0, std::size_t e) {
    const double E = static_cast<double>(e);
    if (const auto* s = std::get_if<step_lr>(&schedule)) {
        const std::size_t decays = e / s->step_size;  // whole steps taken: gamma^(epoch // step_size)
        return lr0 * std::pow(s->gamma, static_cast<double>(decays));
    }
    if (const auto* s = std::get_if<exponential_lr>(&schedule)) return lr0 * std::pow(s->gamma, E);
    if (const auto* s = std::get_if<cosine_annealing_lr>(&schedule))
        return s->eta_min +
               (lr0 - s->eta_min) * (1 + std::cos(std::numbers::pi * E / static_cast<double>(s->t_max))) / 2;
    if (const auto* s = std::get_if<linear_lr>(&schedule)) {
        const double done = static_cast<double>(std::min(e, s->total_iters)) / static_cast<double>(s->total_iters);
        return lr0 * (s->start_factor + (s->end_factor - s->start_factor) * done);
    }
    if (const auto* s = std::get_if<lambda_lr>(&schedule)) return lr0 * s->factor(e);
    return lr0;
}

/// Why a schedule is unusable, or an empty string.
inline std::string schedule_problem(const lr_schedule& schedule) {
    if (const auto* s = std::get_if<step_lr>(&schedule); s && s->step_size == 0)
        return "step_lr{step_size} must be at least 1";
    if (const auto* s = std::get_if<step_lr>(&schedule); s && !(s->gamma > 0 && std::isfinite(s->gamma)))
        return "step_lr{gamma} must be a positive finite number";
    if (const auto* s = std::get_if<exponential_lr>(&schedule); s && !(s->gamma > 0 && std::isfinite(s->gamma)))
        return "exponential_lr{gamma} must be a positive finite number";
    if (const auto* s = std::get_if<cosine_annealing_lr>(&schedule); s && s->t_max == 0)
        return "cosine_annealing_lr{t_max} must be at least 1";
    if (const auto* s = std::get_if<cosine_annealing_lr>(&schedule);
        s && !(s->eta_min >= 0 && std::isfinite(s->eta_min)))
        return "cosine_annealing_lr{eta_min} must be a finite number >= 0";
    if (const auto* s = std::get_if<linear_lr>(&schedule)) {
        if (s->total_iters == 0) return "linear_lr{total_iters} must be at least 1";
        if (!(s->start_factor > 0 && s->start_factor <= 1)) return "linear_lr{start_factor} must be in (0, 1]";
        if (!(s->end_factor >= 0 && s->end_factor <= 1)) return "linear_lr{end_factor} must be in [0, 1]";
    }
    if (const auto* s = std::get_if<lambda_lr>(&schedule); s && !s->factor) return "lambda_lr{factor} is empty";
    return {};
}

}  // namespace symdiff
