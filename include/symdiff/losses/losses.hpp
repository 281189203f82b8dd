#pragma once
// Loss functions by name: each is an ordinary symdiff expression (a mean at the root, so its
// derivative is a gradient), built from the operations; print one with to_string to see it.
//
//   mse(pred, target)      mean((pred - target)^2)
//   mae(pred, target)      mean(|pred - target|)
//   rmse(pred, target)     sqrt(mse(pred, target))
//   softmax_cross_entropy(logits, labels)
//                          mean(cross_entropy(log_softmax(logits), labels)): the multi-class loss on
//                          raw scores (PyTorch's F.cross_entropy); classes on the last axis, integer
//                          labels. Its gradient with respect to the logits is (softmax - one_hot) / n.
//   nll_loss(logp, labels) mean(cross_entropy(logp, labels)) for log-probabilities (PyTorch's F.nll_loss)
//   binary_cross_entropy(p, target)
//                          -mean(target log p + (1 - target) log(1 - p)) for PROBABILITIES p in (0, 1)
//                          (PyTorch's F.binary_cross_entropy; p = 0 or 1 gives inf)
//   binary_cross_entropy_with_logits(z, target)
//                          mean(softplus(z) - target z): the same loss for p = sigmoid(z), computed
//                          stably from the LOGITS z (PyTorch's F.binary_cross_entropy_with_logits);
//                          prefer it when the model ends in a sigmoid.
// pred and target broadcast (NumPy rules). The per-row cross_entropy(logp, labels) itself is in
// ops/cross_entropy.hpp.
#include "../ops/abs.hpp"
#include "../ops/add.hpp"
#include "../ops/cross_entropy.hpp"
#include "../ops/log.hpp"
#include "../ops/multiply.hpp"
#include "../ops/negate.hpp"
#include "../ops/reductions.hpp"
#include "../ops/softmax.hpp"
#include "../ops/softplus.hpp"
#include "../ops/sqrt.hpp"
#include "../ops/square.hpp"
#include "../ops/subtract.hpp"

namespace symdiff {

/// Mean squared error.
template <Expression P, Expression T>
constexpr auto mse(P pred, T target) {
    return mean(square(subtract(pred, target)));
}

/// Mean absolute error (its derivative at pred == target is 0).
template <Expression P, Expression T>
constexpr auto mae(P pred, T target) {
    return mean(abs(subtract(pred, target)));
}

/// Root mean squared error.
template <Expression P, Expression T>
constexpr auto rmse(P pred, T target) {
    return sqrt(mse(pred, target));
}

/// Mean cross-entropy of log-probabilities against integer labels.
template <Expression P, Expression Y>
constexpr auto nll_loss(P logp, Y labels) {
    return mean(cross_entropy(logp, labels));
}

/// Mean softmax cross-entropy of raw scores (logits) against integer labels.
template <Expression Z, Expression Y>
constexpr auto softmax_cross_entropy(Z logits, Y labels) {
    return mean(cross_entropy(log_softmax(logits), labels));
}

/// Binary cross-entropy of probabilities p against targets in [0, 1].
template <Expression P, Expression T>
constexpr auto binary_cross_entropy(P p, T target) {
    return negate(mean(add(multiply(target, log(p)), multiply(subtract(one, target), log(subtract(one, p))))));
}

/// Binary cross-entropy of sigmoid(z) against targets in [0, 1], computed stably from the logits z.
template <Expression Z, Expression T>
constexpr auto binary_cross_entropy_with_logits(Z z, T target) {
    return mean(subtract(softplus(z), multiply(target, z)));
}

}  // namespace symdiff
