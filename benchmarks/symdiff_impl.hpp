#ifndef SYMDIFF_BENCHMARKS_SYMDIFF_IMPL_HPP
#define SYMDIFF_BENCHMARKS_SYMDIFF_IMPL_HPP

// symdiff implementations of the seed workloads: each step runs one compiled program (the loss
// and its compile-time gradients, shared subexpressions computed once, the data read in blocks of
// rows), then the update. The models are written exactly as a user would write them.
#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <symdiff/symdiff.hpp>

#include "timing.hpp"
#include "workloads.hpp"

#define SYMDIFF_BENCH_HAVE_W1
#define SYMDIFF_BENCH_HAVE_W2
#define SYMDIFF_BENCH_HAVE_W3
#define SYMDIFF_BENCH_HAVE_W4
#define SYMDIFF_BENCH_HAVE_W9

namespace symdiff::bench::with_symdiff {

namespace hana = boost::hana;

/// Threads of the programs that read large data (W4, W6, W8): bench_main's --threads.
inline std::size_t threads = 1;

inline constexpr auto x = symbol<"x">;
inline constexpr auto y = symbol<"y">;
inline constexpr auto w = symbol<"w">;
inline constexpr auto a = symbol<"a">;
inline constexpr auto b = symbol<"b">;
inline constexpr auto c = symbol<"c">;
inline constexpr auto t = symbol<"t">;

// W1: f = w x, mean squared error.
struct W1 {
    static constexpr auto objective = mean(square(w * x - y));
    decltype(compile(rows(x, y), objective, derivative(objective, w))) program{objective, derivative(objective, w)};
    const W1Data& d;
    double wv = 0, L = 0;
    explicit W1(const W1Data& data) : d(data) {}
    void reset() { wv = d.w0; }
    void step() {
        const auto [l, g] = program(w = wv, x = d.X, y = d.Y);
        L = l;
        wv -= d.lr * g;
        do_not_optimize(L);
    }
    double loss() const { return L; }
};

// W2: linear regression with a parameter vector, mse(x a, y).
struct W2 {
    static constexpr auto objective = mean(square(dot(x, a) - y));
    decltype(compile(rows(x, y), objective, derivative(objective, a))) program{objective, derivative(objective, a)};
    const W2Data& d;
    xt::xtensor<double, 1> av{};
    double L = 0;
    explicit W2(const W2Data& data) : d(data), av({data.a0[0], data.a0[1]}) {}
    void reset() { av = {d.a0[0], d.a0[1]}; }
    void step() {
        const auto& [l, g] = program(a = av, x = d.x, y = d.y);
        L = l;
        av -= d.lr * g;
        do_not_optimize(L);
    }
    double loss() const { return L; }
};

// W3: quadratic a t^2 + b t + c, mean squared error, three scalar parameters.
struct W3 {
    static constexpr auto objective = mean(square(a * square(t) + b * t + c - y));
    decltype(compile(rows(t, y), objective, derivative(objective, a), derivative(objective, b),
                     derivative(objective, c))) program{objective, derivative(objective, a), derivative(objective, b),
                                                        derivative(objective, c)};
    const W3Data& d;
    double av = 0, bv = 0, cv = 0, L = 0;
    explicit W3(const W3Data& data) : d(data) { reset(); }
    void reset() {
        av = d.p0[0];
        bv = d.p0[1];
        cv = d.p0[2];
    }
    void step() {
        const auto [l, ga, gb, gc] = program(a = av, b = bv, c = cv, t = d.t, y = d.speed);
        L = l;
        av -= d.lr * ga;
        bv -= d.lr * gb;
        cv -= d.lr * gc;
        do_not_optimize(L);
    }
    double loss() const { return L; }
};

// W4: softmax regression on Fashion-MNIST, one full-batch step: mean cross-entropy of
// log_softmax(x W + b); the gradients are the compact matrix expressions (one product for W).
inline constexpr auto X = symbol<"X">;
inline constexpr auto W = symbol<"W">;
template <class T>
struct W4 {
    static constexpr auto objective = mean(cross_entropy(log_softmax(dot(X, W) + b), y));
    decltype(compile(rows(X, y), objective, derivative(objective, W), derivative(objective, b))) program{
        objective, derivative(objective, W), derivative(objective, b)};
    const W4Data<T>& d;
    xt::xtensor<T, 2> Wv;
    xt::xtensor<T, 1> bv;
    double L = 0;
    explicit W4(const W4Data<T>& data) : d(data) {
        program.threads(threads);
        reset();
    }
    void reset() {
        Wv = xt::zeros<T>({W4Data<T>::d, W4Data<T>::k});
        bv = xt::zeros<T>({W4Data<T>::k});
    }
    void step() {
        const auto& [l, gW, gb] = program(W = Wv, b = bv, X = d.X, y = d.y);
        L = static_cast<double>(l);
        const T lr = static_cast<T>(d.lr);
        Wv -= lr * gW;
        bv -= lr * gb;
        do_not_optimize(L);
    }
    double loss() const { return L; }
};

// W6 and W8: a generalised linear model with a vector parameter w and a bias b; one compiled
// program computes the loss and both gradients in one pass over the rows.
template <class Objective>
struct GLM {
    static constexpr auto objective = Objective::value;
    decltype(compile(rows(X, y), objective, derivative(objective, w), derivative(objective, b))) program{
        objective, derivative(objective, w), derivative(objective, b)};
    const GLMData& d;
    xt::xtensor<double, 1> wv;
    double bv = 0, L = 0;
    explicit GLM(const GLMData& data) : d(data) {
        program.threads(threads);
        reset();
    }
    void reset() {
        wv = xt::zeros<double>({d.features()});
        bv = 0;
    }
    void step() {
        const auto& [l, gw, gb] = program(w = wv, b = bv, X = d.X, y = d.y);
        L = l;
        wv -= d.lr * gw;
        bv -= d.lr * gb;
        do_not_optimize(L);
    }
    double loss() const { return L; }
};
// W6: logistic regression with an L2 penalty, as a user writes it.
struct logistic_l2 {
    static constexpr auto z = dot(X, w) + b;
    static constexpr auto value = mean(softplus(z) - y * z) + 1e-3 * sum(square(w));
};
// W8: Poisson regression (log link).
struct poisson {
    static constexpr auto z = dot(X, w) + b;
    static constexpr auto value = mean(exp(z) - y * z);
};
using W6 = GLM<logistic_l2>;
using W8 = GLM<poisson>;

// W9: second order of the logistic loss (without the bias) at a fixed w, as a user writes it:
// hessian_at for the whole Hessian, a compiled hvp, and a compiled gradient for scale.
inline constexpr auto v = symbol<"v">;
struct W9Loss {
    static constexpr auto z = dot(X, w);
    static constexpr auto value = mean(softplus(z) - y * z) + 1e-3 * sum(square(w));
};
template <class Loss>
struct W9GradientOf {
    decltype(compile(rows(X, y), derivative(Loss::value, w))) program{derivative(Loss::value, w)};
    const W9Data& d;
    double checksum = 0;
    explicit W9GradientOf(const W9Data& data) : d(data) {}
    void reset() {}
    void step() {
        const auto& [g] = program(w = d.w, X = d.glm.X, y = d.glm.y);
        checksum = xt::sum(g)();
        do_not_optimize(checksum);
    }
    double loss() const { return checksum; }
};
using W9Gradient = W9GradientOf<W9Loss>;
struct W9Hvp {
    decltype(compile(rows(X, y), hvp(W9Loss::value, w, v))) program{hvp(W9Loss::value, w, v)};
    const W9Data& d;
    double checksum = 0;
    explicit W9Hvp(const W9Data& data) : d(data) {}
    void reset() {}
    void step() {
        const auto& [hv] = program(w = d.w, v = d.v, X = d.glm.X, y = d.glm.y);
        checksum = xt::sum(hv)();
        do_not_optimize(checksum);
    }
    double loss() const { return checksum; }
};
struct W9Hessian {
    const W9Data& d;
    double checksum = 0;
    explicit W9Hessian(const W9Data& data) : d(data) {}
    void reset() {}
    void step() {
        const xt::xarray<double> H = hessian_at(W9Loss::value, w, rows(X, y), w = d.w, X = d.glm.X, y = d.glm.y);
        checksum = xt::sum(H)();
        do_not_optimize(checksum);
    }
    double loss() const { return checksum; }
};

// W9 gradient written with einsum instead of dot: the same work, X w and Xᵀ g as contractions.
struct W9EinsumLoss {
    static constexpr auto z = einsum<"ri,i->r">(X, w);
    static constexpr auto value = mean(softplus(z) - y * z) + 1e-3 * einsum<"i,i->">(w, w);
};
using W9EinsumGradient = W9GradientOf<W9EinsumLoss>;

// Minibatches of 128 in file order (workloads.hpp), as a user trains them: a trainer with
// batch_size 128 and shuffle off; run(steps) trains `steps` more steps (each: copy the batch's
// rows, run the compiled step program, update). The trainer checks all the data for NaN/Inf when
// it is built (not timed), and each train() call computes final_loss() over all the data after its
// last step: the driver makes one call for the 467 timed steps, so that pass is spread over them.
inline descent_options minibatch_options(double lr, optimizer method) {
    return {.learning_rate = lr,
            .method = method,
            .batch_size = minibatch_rows,
            .shuffle = false,
            .log = nullptr,
            .divergence_patience = 0,
            .threads = threads};
}

template <class T>
struct W4Minibatch {
    static auto make(const W4Data<T>& d) {
        const xt::xtensor<T, 2> W0 = xt::zeros<T>({W4Data<T>::d, W4Data<T>::k});
        const xt::xtensor<T, 1> b0 = xt::zeros<T>({W4Data<T>::k});
        return trainer(W4<T>::objective, params(W = W0, b = b0), data(X = d.X, y = d.y),
                       minibatch_options(d.lr, sgd{}));
    }
    decltype(make(std::declval<const W4Data<T>&>())) t;
    explicit W4Minibatch(const W4Data<T>& d) : t(make(d)) {}
    void run(std::size_t steps) { t.train(steps); }
    double loss() const { return t.result().loss_history.back(); }  // the last batch's loss
};

// W5: the MLP 784-128(relu)-10, softmax cross-entropy, Adam.
inline constexpr auto W1h = symbol<"W1">;
inline constexpr auto b1h = symbol<"b1">;
inline constexpr auto W2h = symbol<"W2">;
inline constexpr auto b2h = symbol<"b2">;
template <class T>
struct W5 {
    static constexpr auto objective = mean(cross_entropy(log_softmax(dot(relu(dot(X, W1h) + b1h), W2h) + b2h), y));
    static auto make(const W4Data<T>& d) {
        const W5Parameters<T> p = w5_initial<T>();
        return trainer(objective, params(W1h = p.W1, b1h = p.b1, W2h = p.W2, b2h = p.b2), data(X = d.X, y = d.y),
                       minibatch_options(w5_learning_rate, adam{}));
    }
    decltype(make(std::declval<const W4Data<T>&>())) t;
    explicit W5(const W4Data<T>& d) : t(make(d)) {}
    void run(std::size_t steps) { t.train(steps); }
    double loss() const { return t.result().loss_history.back(); }  // the last batch's loss
};

// W10: the Gaussian mixture as examples/gaussian_mixture.cpp writes it; loss and gradients in one
// compiled program (the points are rows of data).
#define SYMDIFF_BENCH_HAVE_W10
inline constexpr auto gx = symbol<"x">;
inline constexpr auto galpha = symbol<"alpha">;
inline constexpr auto gmu = symbol<"mu">;
inline constexpr auto gq = symbol<"q">;
struct W10Loss {
    static constexpr auto L = fill_triangular(gq);
    static constexpr auto D = einsum<"kii->ki">(L);
    static constexpr auto Q = L + einsum<"ki->kii">(exp(D) - D);
    static constexpr auto z = einsum<"kij,nj->nki">(Q, gx) - einsum<"kij,kj->ki">(Q, gmu);
    static constexpr auto log_p =
        galpha - sum(log_sum_exp(galpha, axis<0>)) + einsum<"ki->k">(D) - 0.5 * einsum<"nki,nki->nk">(z, z);
    static constexpr auto value = -mean(log_sum_exp(log_p, axis<1>));
};
struct W10 {
    decltype(compile(rows(gx), W10Loss::value, gradient_of(W10Loss::value, galpha), gradient_of(W10Loss::value, gmu),
                     gradient_of(W10Loss::value, gq))) program{W10Loss::value, gradient_of(W10Loss::value, galpha),
                                                               gradient_of(W10Loss::value, gmu),
                                                               gradient_of(W10Loss::value, gq)};
    const W10Data& d;
    double checksum = 0;
    explicit W10(const W10Data& data) : d(data) {}
    void reset() {}
    void step() {
        const auto& [L, ga, gm, gqv] = program(gx = d.X, galpha = d.alpha, gmu = d.mu, gq = d.q);
        checksum = L + xt::sum(ga)() + xt::sum(gm)() + xt::sum(gqv)();
        do_not_optimize(checksum);
    }
    double loss() const { return checksum; }
};

// W7: a degree-5 polynomial written with integer powers.
inline constexpr auto c0 = symbol<"c0">;
inline constexpr auto c1 = symbol<"c1">;
inline constexpr auto c2 = symbol<"c2">;
inline constexpr auto c3 = symbol<"c3">;
inline constexpr auto c4 = symbol<"c4">;
inline constexpr auto c5 = symbol<"c5">;
struct W7 {
    static constexpr auto objective = mean(square(c0 + c1 * t + c2 * pow(t, exact<2>) + c3 * pow(t, exact<3>) +
                                                  c4 * pow(t, exact<4>) + c5 * pow(t, exact<5>) - y));
    decltype(compile(rows(t, y), objective, derivative(objective, c0), derivative(objective, c1),
                     derivative(objective, c2), derivative(objective, c3), derivative(objective, c4),
                     derivative(objective, c5))) program{objective,
                                                         derivative(objective, c0),
                                                         derivative(objective, c1),
                                                         derivative(objective, c2),
                                                         derivative(objective, c3),
                                                         derivative(objective, c4),
                                                         derivative(objective, c5)};
    const W7Data& d;
    std::array<double, 6> c{};
    double L = 0;
    explicit W7(const W7Data& data) : d(data) {}
    void reset() { c = {}; }
    void step() {
        const auto [l, g0, g1, g2, g3, g4, g5] =
            program(c0 = c[0], c1 = c[1], c2 = c[2], c3 = c[3], c4 = c[4], c5 = c[5], t = d.t, y = d.y);
        L = l;
        const std::array<double, 6> g{g0, g1, g2, g3, g4, g5};
        for (std::size_t k = 0; k < 6; ++k) c[k] -= d.lr * g[k];
        do_not_optimize(L);
    }
    double loss() const { return L; }
};

}  // namespace symdiff::bench::with_symdiff

#endif  // SYMDIFF_BENCHMARKS_SYMDIFF_IMPL_HPP
