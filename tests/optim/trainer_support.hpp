#pragma once
// Shared by tests/optim/test_trainer*.cpp: a two-parameter linear model on 12 rows trained in
// minibatches with Adam and a schedule, so that every piece of state a resumed run must carry
// (moments, step counts, the shuffled order, the position in the epoch, the schedule's epoch) is
// in play; and its loss written out by hand.
#include <cmath>

#include "optim/driver_support.hpp"

namespace trainer_test {

using namespace symdiff;
using namespace driver_test;

constexpr auto model = dot(x, a) + b;
constexpr auto loss = mean(square(model - y));

inline xt::xtensor<double, 2> inputs() {
    auto m = xt::xtensor<double, 2>::from_shape({12, 2});
    for (std::size_t i = 0; i < 12; ++i) {
        m(i, 0) = std::sin(1.0 + double(i));
        m(i, 1) = std::cos(0.5 * double(i));
    }
    return m;
}
inline const xt::xtensor<double, 2> M = inputs();
inline const xt::xtensor<double, 1> T = [] {
    auto t = xt::xtensor<double, 1>::from_shape({12});
    for (std::size_t i = 0; i < 12; ++i) t(i) = 1.5 * M(i, 0) - 0.5 * M(i, 1) + 0.25 + 0.01 * std::sin(7.0 * double(i));
    return t;
}();
inline const descent_options resumable{.learning_rate = 0.05,
                                       .method = adam{},
                                       .schedule = step_lr{2, 0.7},
                                       .batch_size = 5,  // 3 batches per epoch, the last one short
                                       .shuffle_seed = 11,
                                       .divergence_patience = 0};
inline auto start() { return params(a = xt::xtensor<double, 1>{0.0, 0.0}, b = 0.0); }

template <class P>
bool same_bits(const P& p, const P& q) {
    return p[a](0) == q[a](0) && p[a](1) == q[a](1) && p[b] == q[b];
}

/// The loss written out by hand (not by symdiff) at parameters (a0, a1, b0).
inline double hand_loss(double a0, double a1, double b0) {
    double s = 0;
    for (std::size_t i = 0; i < 12; ++i) {
        const double r = a0 * M(i, 0) + a1 * M(i, 1) + b0 - T(i);
        s += r * r;
    }
    return s / 12;
}

}  // namespace trainer_test
