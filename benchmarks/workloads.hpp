// workloads.hpp -- data and hyper-parameters of the benchmark workloads W1-W4.
//
// The definitions follow the peer benchmark (shared/bench-peers, common/peers.hpp and
// common/mnist.hpp) exactly: the same splitmix64 generator, the same uniform/normal formulas,
// the same seeds and the same fill order, so that the `final_loss` column of this benchmark
// agrees with the peers' CSV to 10 significant digits. This file is self-contained (it does not
// include anything from the peer benchmark).
//
//   W1 "scale"     f = w*x, X = [1,2,3,4], Y = 2X, w0 = 0, mse, lr 0.01,
//                  1e5 steps restarting from w0 every 20; final_loss = loss of step 20.
//   W2 "linreg"    x n x 2 (x[:,0] ~ U(-1,1), x[:,1] = 1), y = x@[3,2] + U(0,1), a0 = [1,1],
//                  mse, lr 0.1, 100 steps, n = 1e2, 1e4, 1e6; final_loss = loss of step 100.
//   W3 "quadratic" t = 0..19, speed = N(0,1) + 0.5(t-9.5)^2 + 1, p0 = [0.0121,-0.6397,0.6416],
//                  f = a t^2 + b t + c, mse, lr 1e-5, 1e5 steps; final_loss = loss of step 10.
//   W4 "softmax"   Fashion-MNIST train 60000 x 784, pixel/255 in T (float or double), W 784x10
//                  and b 10 from zero, mean cross-entropy via log-softmax, lr 0.1, full batch,
//                  20 steps; final_loss = loss of step 20.
//
// "loss of step k" is the loss returned by the k-th step, i.e. evaluated at the parameters
// before that step's update.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

namespace symdiff::bench {

// ---------------------------------------------------------------------------------------------
// splitmix64: a portable generator (std:: distributions differ between standard libraries).
// ---------------------------------------------------------------------------------------------
class SplitMix64 {
public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        state_ += 0x9E3779B97F4A7C15ull;
        std::uint64_t z = state_;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }

    // Uniform on [0, 1): the top 53 bits scaled by 2^-53.
    double uniform01() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // Uniform on [lo, hi), computed as lo + (hi - lo) * u.
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform01(); }

    // Standard normal by Box-Muller, one value per call (u1 drawn first, in (0,1]).
    double normal() {
        const double u1 = 1.0 - uniform01();
        const double u2 = uniform01();
        constexpr double two_pi = 6.283185307179586476925;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(two_pi * u2);
    }

private:
    std::uint64_t state_;
};

// ---------------------------------------------------------------------------------------------
// W1
// ---------------------------------------------------------------------------------------------
struct W1Data {
    xt::xtensor<double, 1> X;
    xt::xtensor<double, 1> Y;
    double w0 = 0.0;
    double lr = 0.01;
    long steps = 100000;  // timed steps in total ...
    int restart = 20;     // ... in chunks of this many steps, each starting from w0
    std::size_t size() const { return X.size(); }
};

inline W1Data make_w1() {
    W1Data d;
    d.X = xt::xtensor<double, 1>({1.0, 2.0, 3.0, 4.0});
    d.Y = xt::xtensor<double, 1>::from_shape({d.X.size()});
    for (std::size_t i = 0; i < d.X.size(); ++i) d.Y(i) = 2.0 * d.X(i);
    return d;
}

// ---------------------------------------------------------------------------------------------
// W2
// ---------------------------------------------------------------------------------------------
struct W2Data {
    std::size_t n = 0;
    xt::xtensor<double, 2> x;  // shape {n, 2}, row-major; x(i, 1) == 1
    xt::xtensor<double, 1> y;  // shape {n}
    std::array<double, 2> a_true{3.0, 2.0};
    std::array<double, 2> a0{1.0, 1.0};
    double lr = 0.1;
    int steps = 100;
    std::size_t size() const { return n; }
};

inline const std::vector<std::size_t>& w2_sizes() {
    static const std::vector<std::size_t> sizes{100, 10000, 1000000};
    return sizes;
}

inline W2Data make_w2(std::size_t n, std::uint64_t seed = 2) {
    W2Data d;
    d.n = n;
    d.x = xt::xtensor<double, 2>::from_shape({n, 2});
    d.y = xt::xtensor<double, 1>::from_shape({n});
    SplitMix64 rng(seed + n);
    // Fill order as in torch: first the whole column x[:,0] ...
    for (std::size_t i = 0; i < n; ++i) {
        d.x(i, 0) = rng.uniform(-1.0, 1.0);
        d.x(i, 1) = 1.0;
    }
    // ... then y = x @ a_true + U(0,1), row by row.
    for (std::size_t i = 0; i < n; ++i) {
        d.y(i) = d.x(i, 0) * d.a_true[0] + d.x(i, 1) * d.a_true[1] + rng.uniform01();
    }
    return d;
}

// ---------------------------------------------------------------------------------------------
// W3
// ---------------------------------------------------------------------------------------------
struct W3Data {
    xt::xtensor<double, 1> t;      // 0, 1, ..., 19
    xt::xtensor<double, 1> speed;  // N(0,1) + 0.5 (t - 9.5)^2 + 1
    std::array<double, 3> p0{0.0121, -0.6397, 0.6416};
    double lr = 1e-5;
    long steps = 100000;  // timed: consecutive steps from p0
    int loss_steps = 10;  // final_loss = loss returned by this step
    std::size_t size() const { return t.size(); }
};

inline W3Data make_w3(std::uint64_t seed = 3) {
    constexpr std::size_t n = 20;
    W3Data d;
    d.t = xt::xtensor<double, 1>::from_shape({n});
    d.speed = xt::xtensor<double, 1>::from_shape({n});
    SplitMix64 rng(seed);
    for (std::size_t i = 0; i < n; ++i) {
        const double t = static_cast<double>(i);
        d.t(i) = t;
        d.speed(i) = rng.normal() + 0.5 * (t - 9.5) * (t - 9.5) + 1.0;
    }
    return d;
}

// ---------------------------------------------------------------------------------------------
// W4 (data loaded from files by bench_main.cpp through symdiff/data/fashion_mnist.hpp)
// ---------------------------------------------------------------------------------------------
template <class T>
struct W4Data {
    static constexpr std::size_t d = 784;  // features (28 x 28 pixels)
    static constexpr std::size_t k = 10;   // classes
    xt::xtensor<T, 2> X;                   // train images, {60000, 784}, pixel / 255 in T
    xt::xtensor<std::int32_t, 1> y;        // train labels 0..9
    xt::xtensor<T, 2> X_test;              // test images, {10000, 784}
    xt::xtensor<std::int32_t, 1> y_test;   // test labels
    double lr = 0.1;
    int steps = 20;  // full-batch steps; final_loss = loss returned by the last one
    std::size_t n() const { return X.shape()[0]; }
    std::size_t size() const { return n(); }
};

// ---------------------------------------------------------------------------------------------
// Minibatches of 128 on the W4 data, in file order (the peer harness's W4_mb128): W4 with SGD
// (lr 0.1) and W5, the MLP 784-128(relu)-10 with Adam (lr 1e-3), f32. One warm-up step, then 467
// timed steps: batches 0..467 of the 468 whole batches of one epoch; final_loss = the loss of
// batch 467.
// ---------------------------------------------------------------------------------------------
inline constexpr std::size_t minibatch_rows = 128;
inline constexpr std::size_t minibatch_steps = 468;
inline constexpr double w5_learning_rate = 1e-3;

/// W5's starting point: W1 (784 x 128) and W2 (128 x 10) uniform in +-0.087 and +-0.2 (about
/// 1/sqrt(fan-in)), from splitmix64(3); the biases zero.
template <class T>
struct W5Parameters {
    xt::xtensor<T, 2> W1, W2;
    xt::xtensor<T, 1> b1, b2;
};
template <class T>
W5Parameters<T> w5_initial() {
    SplitMix64 rng(3);
    const auto init = [&](std::size_t r, std::size_t c, double scale) {
        xt::xtensor<T, 2> a = xt::xtensor<T, 2>::from_shape({r, c});
        for (auto& v : a) v = static_cast<T>(rng.uniform(-scale, scale));
        return a;
    };
    W5Parameters<T> p;
    p.W1 = init(784, 128, 0.087);
    p.W2 = init(128, 10, 0.2);
    p.b1 = xt::zeros<T>({std::size_t{128}});
    p.b2 = xt::zeros<T>({std::size_t{10}});
    return p;
}

// ---------------------------------------------------------------------------------------------
// W6 logistic regression + L2, W8 Poisson regression: n rows of p features, 100 full-batch
// steps from zero. W7: a degree-5 polynomial in t, 6 scalar parameters, 1000 steps from zero.
// (The shapes; the data is synthetic, from splitmix64.)
// ---------------------------------------------------------------------------------------------
struct GLMData {
    xt::xtensor<double, 2> X;  // n x p, N(0, 1) / sqrt(p)
    xt::xtensor<double, 1> y;  // W6: labels 0 / 1; W8: counts
    double lr = 0.5;
    double lambda = 1e-3;  // W6: the L2 weight
    int steps = 100;
    std::size_t size() const { return y.size(); }
    std::size_t features() const { return X.shape()[1]; }
};

namespace detail {
inline GLMData glm_features(std::size_t n, std::size_t p, SplitMix64& rng, std::vector<double>& z) {
    GLMData d;
    d.X = xt::xtensor<double, 2>::from_shape({n, p});
    d.y = xt::xtensor<double, 1>::from_shape({n});
    std::vector<double> w(p);
    for (double& v : w) v = rng.uniform(-1.0, 1.0);
    z.assign(n, 0.2);
    const double scale = 1.0 / std::sqrt(static_cast<double>(p));
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < p; ++j) {
            d.X(i, j) = rng.normal() * scale;
            z[i] += d.X(i, j) * w[j];
        }
    return d;
}
}  // namespace detail

inline GLMData make_w6(std::size_t n = 10000, std::size_t p = 20, std::uint64_t seed = 6) {
    SplitMix64 rng(seed);
    std::vector<double> z;
    GLMData d = detail::glm_features(n, p, rng, z);
    for (std::size_t i = 0; i < n; ++i) d.y(i) = rng.uniform01() < 1.0 / (1.0 + std::exp(-3.0 * z[i])) ? 1.0 : 0.0;
    d.lr = 0.5;
    return d;
}

inline GLMData make_w8(std::size_t n = 10000, std::size_t p = 20, std::uint64_t seed = 8) {
    SplitMix64 rng(seed);
    std::vector<double> z;
    GLMData d = detail::glm_features(n, p, rng, z);
    for (std::size_t i = 0; i < n; ++i) {  // Poisson(exp(z_i)) by inversion
        const double mean = std::exp(z[i]);
        double k = 0, prob = std::exp(-mean), cdf = prob;
        const double u = rng.uniform01();
        while (u > cdf && k < 100) {
            k += 1;
            prob *= mean / k;
            cdf += prob;
        }
        d.y(i) = k;
    }
    d.lr = 0.1;
    return d;
}

struct W7Data {
    xt::xtensor<double, 1> t;  // uniform on [-1, 1)
    xt::xtensor<double, 1> y;  // 0.5 - t + 2 t^2 + 0.3 t^3 - t^4 + 0.5 t^5 + 0.1 N(0, 1)
    double lr = 0.1;
    int steps = 1000;
    std::size_t size() const { return t.size(); }
};

inline W7Data make_w7(std::size_t n = 200, std::uint64_t seed = 7) {
    SplitMix64 rng(seed);
    W7Data d;
    d.t = xt::xtensor<double, 1>::from_shape({n});
    d.y = xt::xtensor<double, 1>::from_shape({n});
    for (std::size_t i = 0; i < n; ++i) {
        const double t = rng.uniform(-1.0, 1.0);
        d.t(i) = t;
        d.y(i) = 0.5 - t + 2 * t * t + 0.3 * t * t * t - t * t * t * t + 0.5 * t * t * t * t * t + 0.1 * rng.normal();
    }
    return d;
}

// W9: second order of W6's loss without the bias, mean(softplus(X w) - y X w) + lambda |w|^2, at a
// fixed w: the whole Hessian (p x p), a Hessian-vector product, and one gradient for scale. Each
// "step" is one evaluation; `steps` of them are timed.
struct W9Data {
    GLMData glm;
    xt::xtensor<double, 1> w;  // where the derivatives are taken
    xt::xtensor<double, 1> v;  // the direction of the Hessian-vector product
    int steps = 20;
    std::size_t size() const { return glm.size(); }
    std::size_t features() const { return glm.features(); }
};

inline W9Data make_w9(std::size_t n = 10000, std::size_t p = 20) {
    W9Data d{make_w6(n, p), xt::xtensor<double, 1>::from_shape({p}), xt::xtensor<double, 1>::from_shape({p})};
    SplitMix64 rng(9);
    for (std::size_t j = 0; j < p; ++j) {
        d.w(j) = rng.uniform(-1.0, 1.0);
        d.v(j) = rng.normal();
    }
    return d;
}

// W10: the negative log-likelihood of a Gaussian mixture with full triangular precision factors
// (ADBench's GMM, as examples/gaussian_mixture.cpp writes it) and its gradient with respect to all
// parameters, at a fixed point: n points in d dimensions, k components. Parameters: alpha (k), the
// log weights; mu (k, d); q (k, d (d + 1) / 2), the entries of each lower-triangular factor L_k row
// by row, whose diagonal holds the logs of Q_k's (Q_k = L_k with its diagonal exponentiated):
//   loss = -mean_n lse_k(alpha_k - lse(alpha) + sum_i D_ki - |Q_k (x_n - mu_k)|^2 / 2)
// Each "step" is one evaluation of the loss and the three gradients.
struct W10Data {
    std::size_t n = 0, d = 0, k = 0;
    xt::xtensor<double, 2> X;
    xt::xtensor<double, 1> alpha;
    xt::xtensor<double, 2> mu, q;
    int steps = 20;
    std::size_t size() const { return n; }
};

inline W10Data make_w10(std::size_t n = 1000, std::size_t d = 10, std::size_t k = 25) {
    W10Data w;
    w.n = n, w.d = d, w.k = k;
    const std::size_t m = d * (d + 1) / 2;
    SplitMix64 rng(10);
    w.X = xt::xtensor<double, 2>::from_shape({n, d});
    w.alpha = xt::xtensor<double, 1>::from_shape({k});
    w.mu = xt::xtensor<double, 2>::from_shape({k, d});
    w.q = xt::xtensor<double, 2>::from_shape({k, m});
    for (double& e : w.X) e = rng.normal();
    for (double& e : w.alpha) e = rng.normal();
    for (double& e : w.mu) e = rng.normal();
    for (double& e : w.q) e = 0.1 * rng.normal();
    return w;
}

template <class T>
constexpr const char* precision_tag() {
    return sizeof(T) == 4 ? "f32" : "f64";
}

}  // namespace symdiff::bench
