#pragma once
// Update rules, with PyTorch's equations so that results match torch.optim:
//   sgd:       p -= lr * g
//   momentum:  v = mu * v + g   (v = g at the first step);   p -= lr * v        (torch.optim.SGD)
//   adam:      m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
//              p -= lr * (m / (1 - b1^t)) / (sqrt(v / (1 - b2^t)) + eps)     (torch.optim.Adam)
#include <cmath>
#include <string>
#include <type_traits>
#include <variant>

#include <xtensor/xmath.hpp>

#include "../eval/bindings.hpp"

namespace symdiff {

struct sgd {};
struct momentum {
    double mu = 0.9;
};
struct adam {
    double beta1 = 0.9;
    double beta2 = 0.999;
    double eps = 1e-8;
};

using optimizer = std::variant<sgd, momentum, adam>;

inline std::string optimizer_name(const optimizer& o) {
    if (std::holds_alternative<sgd>(o)) return "sgd";
    if (std::holds_alternative<momentum>(o)) return "momentum";
    return "adam";
}

namespace detail {

/// Per-parameter optimiser state, of the parameter's own type.
template <class V>
struct slot_state {
    V first{};
    V second{};
    bool started = false;
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

/// One update of parameter `p` with gradient `g` (same shape), step number `t` (from 1).
template <class V, class G>
void apply_update(const optimizer& opt, V& p, const G& g, slot_state<V>& s, double lr, std::size_t t) {
    using T = typename element_type<V>::type;
    const T rate = static_cast<T>(lr);
    if (std::holds_alternative<sgd>(opt)) {
        p -= rate * g;
    } else if (const auto* m = std::get_if<momentum>(&opt)) {
        if (!s.started) {
            s.first = zeros_like(p);
            s.first += g;
            s.started = true;
        } else {
            s.first = static_cast<T>(m->mu) * s.first + g;
        }
        p -= rate * s.first;
    } else {
        const auto& a = std::get<adam>(opt);
        if (!s.started) {
            s.first = zeros_like(p);
            s.second = zeros_like(p);
            s.started = true;
        }
        const T b1 = static_cast<T>(a.beta1), b2 = static_cast<T>(a.beta2);
        s.first = b1 * s.first + (T(1) - b1) * g;
        if constexpr (std::is_arithmetic_v<V>) s.second = b2 * s.second + (T(1) - b2) * g * g;
        else s.second = b2 * s.second + (T(1) - b2) * xt::square(g);
        const T c1 = T(1) - static_cast<T>(std::pow(a.beta1, double(t)));
        const T c2 = T(1) - static_cast<T>(std::pow(a.beta2, double(t)));
        if constexpr (std::is_arithmetic_v<V>) {
            p -= rate * (s.first / c1) / (std::sqrt(s.second / c2) + static_cast<T>(a.eps));
        } else {
            p -= rate * (s.first / c1) / (xt::sqrt(s.second / c2) + static_cast<T>(a.eps));
        }
    }
}

}  // namespace detail
}  // namespace symdiff
