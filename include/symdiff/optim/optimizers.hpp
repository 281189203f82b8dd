#pragma once
// Update rules, with PyTorch's equations so that results match torch.optim (g is the gradient
// after clipping, t the update's number from 1, lr the learning rate of this step):
//   sgd:       g += wd p;                      p -= lr g                         (torch.optim.SGD)
//   momentum:  g += wd p;  v = mu v + g  (v = g at the first update);  p -= lr v
//   adam:      g += wd p (L2);  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//              p -= lr (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)     (torch.optim.Adam)
//   adamw:     p -= lr wd p (decoupled), then adam's update without the L2 term (torch.optim.AdamW)
#include <cmath>
#include <string>
#include <type_traits>
#include <variant>

#include <xtensor/xmath.hpp>
#include <xtensor/xnoalias.hpp>

#include "../core/math.hpp"
#include "../eval/bindings.hpp"

namespace symdiff {

struct sgd {
    double weight_decay = 0;  ///< L2: adds weight_decay * p to the gradient
};
struct momentum {
    double mu = 0.9;
    double weight_decay = 0;  ///< L2, as in sgd
};
struct adam {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0;  ///< L2: adds weight_decay * p to the gradient (torch.optim.Adam)
};
struct adamw {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
    double weight_decay = 0.01;  ///< decoupled: p -= lr * weight_decay * p before the Adam step
};

using optimizer = std::variant<sgd, momentum, adam, adamw>;

inline std::string optimizer_name(const optimizer& o) {
    constexpr const char* names[] = {"sgd", "momentum", "adam", "adamw"};
    return names[o.index()];
}

namespace detail {

/// Per-parameter optimiser state, of the parameter's own type.
template <class V>
struct slot_state {
    V first{};
    V second{};
    bool started = false;
    std::size_t t = 0;  ///< updates made with this state (Adam's bias correction)
};

template <class V>
V zeros_like(const V& v) {
    if constexpr (std::is_arithmetic_v<V>) {
        return V(0);
    } else {
        V z = v;
        z.fill(typename V::value_type(0));
        return z;
    }
}

inline double weight_decay_of(const optimizer& opt) {
    return std::visit([](const auto& o) { return o.weight_decay; }, opt);
}

/// The Adam step shared by adam and adamw: m, v and the bias-corrected update.
template <class V, class A>
void adam_step(const A& a, V& p, const V& g, slot_state<V>& s, double lr) {
    const std::size_t t = s.t;
    using T = typename element_type<V>::type;
    if (!s.started) {
        s.first = zeros_like(p);
        s.second = zeros_like(p);
        s.started = true;
    }
    const T rate = static_cast<T>(lr), b1 = static_cast<T>(a.beta1), b2 = static_cast<T>(a.beta2);
    const T c1 = T(1) - static_cast<T>(std::pow(a.beta1, double(t)));
    const T c2 = T(1) - static_cast<T>(std::pow(a.beta2, double(t)));
    const T eps = static_cast<T>(a.eps);
    // m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr (m / c1) / (sqrt(v / c2) + eps), on
    // numbers or on SIMD batches
    const auto update = [&](auto& mi, auto& vi, auto& wi, const auto& di) {
        using U = std::remove_cvref_t<decltype(mi)>;
        mi = U(b1) * mi + U(T(1) - b1) * di;
        vi = U(b2) * vi + U(T(1) - b2) * (di * di);
        wi = wi - U(rate) * (mi / U(c1)) / (math::sqrt(vi / U(c2)) + U(eps));
    };
    if constexpr (std::is_arithmetic_v<V>) {
        update(s.first, s.second, p, g);
    } else {
        // one pass over the four arrays in SIMD batches (std::sqrt may set errno, which keeps the
        // compiler from vectorising the loop itself; v is never negative), then the rest
        T* m = s.first.data();
        T* v = s.second.data();
        T* w = p.data();
        const T* d = g.data();
        using B = xsimd::batch<T>;
        const std::size_t n = p.size();
        std::size_t i = 0;
        for (; i + B::size <= n; i += B::size) {
            B mi = B::load_unaligned(m + i), vi = B::load_unaligned(v + i), wi = B::load_unaligned(w + i);
            update(mi, vi, wi, B::load_unaligned(d + i));
            mi.store_unaligned(m + i);
            vi.store_unaligned(v + i);
            wi.store_unaligned(w + i);
        }
        for (; i < n; ++i) update(m[i], v[i], w[i], d[i]);
    }
}

/// One update of parameter `p` with gradient `g` (same type and shape; `g` may be changed: the
/// L2 term is added to it) and learning rate `lr`; the state `s` counts the updates.
template <class V>
void apply_update(const optimizer& opt, V& p, V& g, slot_state<V>& s, double lr) {
    s.t += 1;
    using T = typename element_type<V>::type;
    const T rate = static_cast<T>(lr);
    const T wd = static_cast<T>(weight_decay_of(opt));
    if (wd != T(0) && !std::holds_alternative<adamw>(opt)) g += wd * p;  // L2: the gradient of wd/2 |p|^2
    if (std::holds_alternative<sgd>(opt)) {
        p -= rate * g;
    } else if (const auto* m = std::get_if<momentum>(&opt)) {
        if (!s.started) {
            s.first = g;
            s.started = true;
        } else {
            s.first = static_cast<T>(m->mu) * s.first + g;
        }
        p -= rate * s.first;
    } else if (const auto* a = std::get_if<adam>(&opt)) {
        adam_step(*a, p, g, s, lr);
    } else {
        const auto& aw = std::get<adamw>(opt);
        if (wd != T(0)) p *= T(1) - rate * wd;  // decoupled weight decay
        adam_step(aw, p, g, s, lr);
    }
}

}  // namespace detail
}  // namespace symdiff
