// handwritten.hpp -- hand-written baselines: analytic gradients in plain C++, the practical limit
// that symdiff is measured against.
//
//   W1-W3  one fused pass over the data computing the loss and the gradient together. The
//          reductions are `#pragma omp simd reduction` loops (the benchmark is compiled with
//          -fopenmp-simd, so they vectorise without -ffast-math). The tiny fixed sizes of W1
//          (n = 4) and W3 (n = 20) get a kernel with the size as a compile-time constant, which
//          removes loop overhead from a ~5-20 ns step; any other size takes the generic loop.
//   W4     softmax regression, one full-batch step = Z = X W, a fused log-softmax pass that
//          turns Z into G = (softmax(Z + b) - onehot(y)) / n while summing the loss and db, then
//          dW = X^T G. `W4` does it with two whole-matrix products; `W4Blocked` walks X in blocks
//          of 256 rows and does both products per block, so each block of X is read from memory
//          once (Z_b = X_b W, then dW += X_b^T G_b while X_b is still in cache).
//          The products use Eigen 3.4 when SYMDIFF_BENCH_HAVE_EIGEN is defined (the faster
//          choice on the reference machine), otherwise the CBLAS interface of the linked BLAS.
//
// Every struct has the interface used by bench_main.cpp:
//   explicit X(const WnData&);  void reset();  void step();  double loss() const;
// step() performs loss + gradient + update; loss() returns the loss computed by the last step,
// i.e. at the parameters before that step's update.
#pragma once

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#if defined(SYMDIFF_BENCH_HAVE_EIGEN)
// GCC 12 with -march=native (AVX-512) reports -Wmaybe-uninitialized inside the AVX-512 intrinsics
// that Eigen's product kernels inline (a false positive, see shared TOOLCHAIN.md); it is not ours
// to fix, so it is silenced for the Eigen code only.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <Eigen/Core>
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
#include <cblas.h>  // W9's Hessian (syrk); W4's products when Eigen is absent
#include <xsimd/xsimd.hpp>

#include "timing.hpp"
#include "workloads.hpp"

namespace symdiff::bench::handwritten {

// ---------------------------------------------------------------------------------------------
// W1: f = w x, loss = mean((w X - Y)^2), dloss/dw = 2/n sum((w X - Y) X).
// ---------------------------------------------------------------------------------------------
class W1 {
public:
    explicit W1(const W1Data& d)
        : x_(d.X.begin(), d.X.end()),
          y_(d.Y.begin(), d.Y.end()),
          w0_(d.w0),
          inv_n_(1.0 / static_cast<double>(d.X.size())),
          step_scale_(d.lr * 2.0 / static_cast<double>(d.X.size())) {}

    void reset() { w_ = w0_; }

    void step() {
        if (x_.size() == fixed_n) step_fixed();
        else step_generic();
        do_not_optimize(loss_);
    }

    double loss() const { return loss_; }

private:
    static constexpr std::size_t fixed_n = 4;  // the W1 data set

    // n = 4 known at compile time: fully unrolled, pairwise sums (a shorter dependency chain
    // than a running sum: the next step waits for this one's w).
    void step_fixed() {
        const double* x = x_.data();
        const double* y = y_.data();
        double l[fixed_n], g[fixed_n];
        for (std::size_t i = 0; i < fixed_n; ++i) {
            const double r = w_ * x[i] - y[i];
            l[i] = r * r;
            g[i] = r * x[i];
        }
        loss_ = ((l[0] + l[1]) + (l[2] + l[3])) * inv_n_;
        w_ -= step_scale_ * ((g[0] + g[1]) + (g[2] + g[3]));
    }

    void step_generic() {
        const double* x = x_.data();
        const double* y = y_.data();
        const std::size_t n = x_.size();
        double l = 0.0, g = 0.0;
        for (std::size_t i = 0; i < n; ++i) {
            const double r = w_ * x[i] - y[i];
            l += r * r;
            g += r * x[i];
        }
        loss_ = l * inv_n_;
        w_ -= step_scale_ * g;
    }

    std::vector<double> x_, y_;
    double w0_, w_ = 0.0, loss_ = 0.0;
    double inv_n_, step_scale_;  // 1/n and lr * 2/n
};

// ---------------------------------------------------------------------------------------------
// W2: r = x a - y (x n x 2 row-major), loss = mean(r^2), grad = 2/n x^T r.
// ---------------------------------------------------------------------------------------------
class W2 {
public:
    explicit W2(const W2Data& d)
        : x_(d.x.begin(), d.x.end()),
          y_(d.y.begin(), d.y.end()),
          a0_(d.a0),
          inv_n_(1.0 / static_cast<double>(d.n)),
          step_scale_(d.lr * 2.0 / static_cast<double>(d.n)) {}

    void reset() { a_ = a0_; }

    // The rows are processed in groups of `lanes`, each lane with its own partial sums (a
    // vectorised inner loop with independent accumulators instead of one long dependency chain);
    // the partial sums are added at the end.
    void step() {
        constexpr std::size_t lanes = 16;
        const double* x = x_.data();
        const double* y = y_.data();
        const std::size_t n = y_.size();
        const double a0 = a_[0], a1 = a_[1];
        double l[lanes] = {}, g0[lanes] = {}, g1[lanes] = {};
        std::size_t i = 0;
        for (; i + lanes <= n; i += lanes) {
            const double* xb = x + 2 * i;
            const double* yb = y + i;
#pragma omp simd
            for (std::size_t j = 0; j < lanes; ++j) {
                const double x0 = xb[2 * j], x1 = xb[2 * j + 1];
                const double r = x0 * a0 + x1 * a1 - yb[j];
                l[j] += r * r;
                g0[j] += r * x0;
                g1[j] += r * x1;
            }
        }
        for (std::size_t j = 0; i < n; ++i, ++j) {  // the last n % lanes rows
            const double x0 = x[2 * i], x1 = x[2 * i + 1];
            const double r = x0 * a0 + x1 * a1 - y[i];
            l[j] += r * r;
            g0[j] += r * x0;
            g1[j] += r * x1;
        }
        double ls = 0.0, g0s = 0.0, g1s = 0.0;
        for (std::size_t j = 0; j < lanes; ++j) {
            ls += l[j];
            g0s += g0[j];
            g1s += g1[j];
        }
        loss_ = ls * inv_n_;
        a_[0] -= step_scale_ * g0s;
        a_[1] -= step_scale_ * g1s;
        do_not_optimize(loss_);
    }

    double loss() const { return loss_; }

private:
    std::vector<double> x_, y_;
    std::array<double, 2> a0_, a_{};
    double loss_ = 0.0;
    double inv_n_, step_scale_;
};

// ---------------------------------------------------------------------------------------------
// W3: r = a t^2 + b t + c - speed, loss = mean(r^2), grad = 2/n sum(r [t^2, t, 1]).
// ---------------------------------------------------------------------------------------------
class W3 {
public:
    explicit W3(const W3Data& d)
        : t_(d.t.begin(), d.t.end()),
          s_(d.speed.begin(), d.speed.end()),
          p0_(d.p0),
          inv_n_(1.0 / static_cast<double>(d.t.size())),
          step_scale_(d.lr * 2.0 / static_cast<double>(d.t.size())) {}

    void reset() { p_ = p0_; }

    void step() {
        if (t_.size() == fixed_n) kernel<fixed_n>(fixed_n);
        else kernel<0>(t_.size());
        do_not_optimize(loss_);
    }

    double loss() const { return loss_; }

private:
    static constexpr std::size_t fixed_n = 20;  // the W3 data set

    // N > 0: the trip count is the compile-time constant N (n is ignored).
    template <std::size_t N>
    void kernel(std::size_t n) {
        const std::size_t count = N > 0 ? N : n;
        const double* t = t_.data();
        const double* s = s_.data();
        const double a = p_[0], b = p_[1], c = p_[2];
        double l = 0.0, ga = 0.0, gb = 0.0, gc = 0.0;
#pragma omp simd reduction(+ : l, ga, gb, gc)
        for (std::size_t i = 0; i < count; ++i) {
            const double ti = t[i], t2 = ti * ti;
            const double r = a * t2 + b * ti + c - s[i];
            l += r * r;
            ga += r * t2;
            gb += r * ti;
            gc += r;
        }
        loss_ = l * inv_n_;
        p_[0] -= step_scale_ * ga;
        p_[1] -= step_scale_ * gb;
        p_[2] -= step_scale_ * gc;
    }

    std::vector<double> t_, s_;
    std::array<double, 3> p0_, p_{};
    double loss_ = 0.0;
    double inv_n_, step_scale_;
};

// ---------------------------------------------------------------------------------------------
// W4 helpers
// ---------------------------------------------------------------------------------------------

// The two products of a W4 step, for `rows` rows of X (row-major, rows x d):
//   logits_product:   Z = X W        (Z rows x k and W d x k, both row-major)
//   gradient_product: dW^T = G^T X   (G rows x k row-major; the result is stored as dW^T,
//                                      k x d row-major, i.e. dW in column-major order)
// Storing dW column-major lets Eigen use its long dimension (d = 784) for the rows of its
// micro-kernel; written into a row-major dW, the same product ran 1.3-1.5x slower (Eigen 3.4,
// AVX-512, measured 2026-11-23: f64 73 vs 103-115 ms, f32 35 vs 45 ms).
template <class T>
void logits_product(const T* X, std::size_t rows, std::size_t d, const T* W, std::size_t k, T* Z) {
#if defined(SYMDIFF_BENCH_HAVE_EIGEN)
    using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Index = Eigen::Index;
    Eigen::Map<RowMajor> z(Z, Index(rows), Index(k));
    z.noalias() =
        Eigen::Map<const RowMajor>(X, Index(rows), Index(d)) * Eigen::Map<const RowMajor>(W, Index(d), Index(k));
#else
    if constexpr (sizeof(T) == 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(k), int(d), 1.0f, X, int(d), W, int(k),
                    0.0f, Z, int(k));
    else
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(rows), int(k), int(d), 1.0, X, int(d), W, int(k),
                    0.0, Z, int(k));
#endif
}

template <class T>
void gradient_product(const T* X, std::size_t rows, std::size_t d, const T* G, std::size_t k, T* dWt) {
#if defined(SYMDIFF_BENCH_HAVE_EIGEN)
    using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using ColMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::ColMajor>;
    using Index = Eigen::Index;
    Eigen::Map<ColMajor> dw(dWt, Index(d), Index(k));
    dw.noalias() = Eigen::Map<const RowMajor>(X, Index(rows), Index(d)).transpose() *
                   Eigen::Map<const RowMajor>(G, Index(rows), Index(k));
#else
    if constexpr (sizeof(T) == 4)
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(k), int(d), int(rows), 1.0f, G, int(k), X, int(d),
                    0.0f, dWt, int(d));
    else
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(k), int(d), int(rows), 1.0, G, int(k), X, int(d), 0.0,
                    dWt, int(d));
#endif
}

constexpr const char* gemm_backend() {
#if defined(SYMDIFF_BENCH_HAVE_EIGEN)
    return "Eigen " EIGEN_MAKESTRING(EIGEN_WORLD_VERSION) "." EIGEN_MAKESTRING(
        EIGEN_MAJOR_VERSION) "." EIGEN_MAKESTRING(EIGEN_MINOR_VERSION);
#else
    return "CBLAS";
#endif
}

// The fused pass between the two products, for `rows` rows of Z (k = 10 logits each):
// z <- z + b; lse = logsumexp(z); loss += lse - z[y]; z <- G = (exp(z - lse) - onehot(y)) * inv_n;
// db += G; loss += sum over the rows of (lse - z[y]) (not yet divided by n), in double.
template <class T>
void log_softmax_pass(T* Z, const std::int32_t* y, std::size_t rows, const T* b, T* db, T inv_n, double& loss) {
    constexpr std::size_t k = W4Data<T>::k;
    for (std::size_t i = 0; i < rows; ++i) {
        T* z = Z + i * k;
        const std::size_t yi = static_cast<std::size_t>(y[i]);
        T m = -std::numeric_limits<T>::infinity();
        for (std::size_t j = 0; j < k; ++j) {
            z[j] += b[j];
            m = std::max(m, z[j]);
        }
        T s = 0;
        for (std::size_t j = 0; j < k; ++j) s += std::exp(z[j] - m);
        const T lse = m + std::log(s);
        loss += static_cast<double>(lse - z[yi]);
        for (std::size_t j = 0; j < k; ++j) {
            const T g = std::exp(z[j] - lse) * inv_n - (j == yi ? inv_n : T(0));
            z[j] = g;
            db[j] += g;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// W4: softmax regression, full batch. Parameters W (784 x 10, row-major) and b (10).
// ---------------------------------------------------------------------------------------------
template <class T>
class W4 {
public:
    static constexpr std::size_t d = W4Data<T>::d, k = W4Data<T>::k;

    explicit W4(const W4Data<T>& data)
        : data_(data), W_(d * k), b_(k), dWt_(k * d), db_(k), Z_(std::max(data.n(), data.X_test.shape()[0]) * k) {}

    void reset() {
        std::fill(W_.begin(), W_.end(), T(0));
        std::fill(b_.begin(), b_.end(), T(0));
    }

    void step() { step_rows(0, data_.n()); }

    /// One step on rows [r0, r0 + n) of the training data.
    void step_rows(std::size_t r0, std::size_t n) {
        const T* X = data_.X.data() + r0 * d;
        logits_product<T>(X, n, d, W_.data(), k, Z_.data());  // Z = X W
        std::fill(db_.begin(), db_.end(), T(0));
        double loss_sum = 0.0;
        log_softmax_pass<T>(Z_.data(), data_.y.data() + r0, n, b_.data(), db_.data(), T(1) / T(n), loss_sum);
        gradient_product<T>(X, n, d, Z_.data(), k, dWt_.data());  // dW^T = G^T X
        update(loss_sum / static_cast<double>(n));
    }

    double loss() const { return loss_; }

    // argmax accuracy on the test images (not timed)
    double test_accuracy() {
        const std::size_t n = data_.X_test.shape()[0];
        logits_product<T>(data_.X_test.data(), n, d, W_.data(), k, Z_.data());
        std::size_t correct = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const T* z = Z_.data() + i * k;
            std::size_t best = 0;
            for (std::size_t j = 1; j < k; ++j)
                if (z[j] + b_[j] > z[best] + b_[best]) best = j;
            correct += (best == static_cast<std::size_t>(data_.y_test(i))) ? 1 : 0;
        }
        return static_cast<double>(correct) / static_cast<double>(n);
    }

protected:
    void update(double loss) {
        const T lr = static_cast<T>(data_.lr);
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t j = 0; j < k; ++j) W_[i * k + j] -= lr * dWt_[j * d + i];
        for (std::size_t j = 0; j < k; ++j) b_[j] -= lr * db_[j];
        loss_ = loss;
        do_not_optimize(loss_);
    }

    const W4Data<T>& data_;
    std::vector<T> W_, b_;  // parameters: W d x k row-major, b k
    std::vector<T> dWt_;    // gradient of W, stored transposed (k x d row-major)
    std::vector<T> db_;
    std::vector<T> Z_;  // logits, overwritten with G by the fused pass
    double loss_ = 0.0;
};

// The same step over blocks of 256 rows: Z_b = X_b W, fused pass, dW += X_b^T G_b. Each block of
// X (256 x 784) is read from memory once and stays in cache for the second product. Same
// arithmetic as W4 except the order in which the dW and db sums are accumulated.
template <class T>
class W4Blocked : public W4<T> {
public:
    using Base = W4<T>;
    using Base::d;
    using Base::k;
    static constexpr std::size_t block = 256;

    explicit W4Blocked(const W4Data<T>& data) : Base(data), dWtb_(k * d) {}

    void step() {
        const std::size_t n = this->data_.n();
        const T* X = this->data_.X.data();
        const std::int32_t* y = this->data_.y.data();
        T* Z = this->Z_.data();
        T* dWt = this->dWt_.data();
        const T inv_n = T(1) / T(n);
        std::fill(this->dWt_.begin(), this->dWt_.end(), T(0));
        std::fill(this->db_.begin(), this->db_.end(), T(0));
        double loss_sum = 0.0;
        for (std::size_t r0 = 0; r0 < n; r0 += block) {
            const std::size_t rows = std::min(block, n - r0);
            const T* Xb = X + r0 * d;
            logits_product<T>(Xb, rows, d, this->W_.data(), k, Z);
            log_softmax_pass<T>(Z, y + r0, rows, this->b_.data(), this->db_.data(), inv_n, loss_sum);
            gradient_product<T>(Xb, rows, d, Z, k, dWtb_.data());
            for (std::size_t i = 0; i < k * d; ++i) dWt[i] += dWtb_[i];
        }
        this->update(loss_sum / static_cast<double>(n));
    }

private:
    std::vector<T> dWtb_;  // (X_b^T G_b)^T of the current block
};

// ---------------------------------------------------------------------------------------------
// Minibatches of 128 in file order (workloads.hpp): run(steps) takes the next `steps` batches.
// W4Minibatch: W4's step on each batch. W5: the MLP 784-128(relu)-10, softmax cross-entropy,
// Adam, with the products in Eigen (or CBLAS) and the rest in fused loops:
//   Z1 = X W1 + b1, H = relu(Z1), Z2 = H W2 + b2, G2 = (softmax(Z2) - onehot(y)) / n,
//   dW2 = H^T G2, db2 = sum G2, dZ1 = (G2 W2^T) [Z1 > 0], dW1 = X^T dZ1, db1 = sum dZ1.
// ---------------------------------------------------------------------------------------------
template <class T>
class W4Minibatch {
public:
    explicit W4Minibatch(const W4Data<T>& d) : m_(d) { m_.reset(); }
    void run(std::size_t steps) {
        for (std::size_t s = 0; s < steps; ++s, ++batch_)
            m_.step_rows((batch_ % minibatch_steps) * minibatch_rows, minibatch_rows);
    }
    double loss() const { return m_.loss(); }

private:
    W4<T> m_;
    std::size_t batch_ = 0;
};

#if defined(SYMDIFF_BENCH_HAVE_EIGEN)
#define SYMDIFF_BENCH_HAVE_HANDWRITTEN_W5
template <class T>
class W5 {
public:
    static constexpr std::size_t d = 784, h = 128, k = 10, n = minibatch_rows;
    using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using Map = Eigen::Map<RowMajor>;
    using ConstMap = Eigen::Map<const RowMajor>;
    using Index = Eigen::Index;

    explicit W5(const W4Data<T>& data) : data_(data) {
        const W5Parameters<T> p = w5_initial<T>();
        W1_.assign(p.W1.begin(), p.W1.end());
        W2_.assign(p.W2.begin(), p.W2.end());
        b1_.assign(h, T(0));
        b2_.assign(k, T(0));
        for (auto* v : {&dW1_, &m1_, &v1_}) v->assign(d * h, T(0));
        for (auto* v : {&dW2_, &m2_, &v2_}) v->assign(h * k, T(0));
        for (auto* v : {&db1_, &mb1_, &vb1_}) v->assign(h, T(0));
        for (auto* v : {&db2_, &mb2_, &vb2_}) v->assign(k, T(0));
        Z1_.assign(n * h, T(0));
        dZ1_.assign(n * h, T(0));
        Z2_.assign(n * k, T(0));
    }
    void run(std::size_t steps) {
        for (std::size_t s = 0; s < steps; ++s, ++batch_) step_rows((batch_ % minibatch_steps) * n);
    }
    double loss() const { return loss_; }

private:
    void step_rows(std::size_t r0) {
        const T* X = data_.X.data() + r0 * d;
        ConstMap x(X, Index(n), Index(d));
        Map z1(Z1_.data(), Index(n), Index(h)), dz1(dZ1_.data(), Index(n), Index(h)),
            z2(Z2_.data(), Index(n), Index(k));
        Map w1(W1_.data(), Index(d), Index(h)), w2(W2_.data(), Index(h), Index(k));
        z1.noalias() = x * w1;
        for (std::size_t i = 0; i < n; ++i)  // H = relu(Z1 + b1), kept in Z1
            for (std::size_t j = 0; j < h; ++j) Z1_[i * h + j] = std::max(Z1_[i * h + j] + b1_[j], T(0));
        z2.noalias() = z1 * w2;
        std::fill(db2_.begin(), db2_.end(), T(0));
        double loss_sum = 0;
        log_softmax_pass<T>(Z2_.data(), data_.y.data() + r0, n, b2_.data(), db2_.data(), T(1) / T(n), loss_sum);
        Map(dW2_.data(), Index(h), Index(k)).noalias() = z1.transpose() * z2;
        dz1.noalias() = z2 * w2.transpose();
        std::fill(db1_.begin(), db1_.end(), T(0));
        for (std::size_t i = 0; i < n; ++i)  // dZ1 = dH [H > 0] (H > 0 exactly where Z1 + b1 > 0)
            for (std::size_t j = 0; j < h; ++j) {
                const T g = Z1_[i * h + j] > T(0) ? dZ1_[i * h + j] : T(0);
                dZ1_[i * h + j] = g;
                db1_[j] += g;
            }
        Map(dW1_.data(), Index(d), Index(h)).noalias() = x.transpose() * dz1;
        ++t_;
        adam(W1_, dW1_, m1_, v1_);
        adam(b1_, db1_, mb1_, vb1_);
        adam(W2_, dW2_, m2_, v2_);
        adam(b2_, db2_, mb2_, vb2_);
        loss_ = loss_sum / static_cast<double>(n);
        do_not_optimize(loss_);
    }
    // torch.optim.Adam: m = b1 m + (1 - b1) g, v = b2 v + (1 - b2) g^2, p -= lr m^ / (sqrt(v^) + eps)
    void adam(std::vector<T>& p, const std::vector<T>& g, std::vector<T>& m, std::vector<T>& v) const {
        const T b1 = T(0.9), b2 = T(0.999), eps = T(1e-8), lr = T(w5_learning_rate);
        const T c1 = T(1) - static_cast<T>(std::pow(0.9, double(t_))),
                c2 = T(1) - static_cast<T>(std::pow(0.999, double(t_)));
        // in SIMD batches: std::sqrt may set errno, which keeps the compiler from vectorising
        using B = xsimd::batch<T>;
        std::size_t i = 0;
        for (; i + B::size <= p.size(); i += B::size) {
            const B gi = B::load_unaligned(&g[i]);
            const B mi = B(b1) * B::load_unaligned(&m[i]) + B(T(1) - b1) * gi;
            const B vi = B(b2) * B::load_unaligned(&v[i]) + B(T(1) - b2) * (gi * gi);
            mi.store_unaligned(&m[i]);
            vi.store_unaligned(&v[i]);
            (B::load_unaligned(&p[i]) - B(lr) * (mi / B(c1)) / (xsimd::sqrt(vi / B(c2)) + B(eps)))
                .store_unaligned(&p[i]);
        }
        for (; i < p.size(); ++i) {
            m[i] = b1 * m[i] + (T(1) - b1) * g[i];
            v[i] = b2 * v[i] + (T(1) - b2) * (g[i] * g[i]);
            p[i] -= lr * (m[i] / c1) / (std::sqrt(v[i] / c2) + eps);
        }
    }

    const W4Data<T>& data_;
    std::vector<T> W1_, b1_, W2_, b2_, dW1_, db1_, dW2_, db2_, m1_, v1_, mb1_, vb1_, m2_, v2_, mb2_, vb2_;
    std::vector<T> Z1_, dZ1_, Z2_;
    std::size_t batch_ = 0, t_ = 0;
    double loss_ = 0;
};
#endif

// ---------------------------------------------------------------------------------------------
// Blocks of rows of a data matrix with p features, written by hand with xsimd (which xtensor
// brings): what a performance-minded person writes for a generalised linear model.
//   dot_rows     z = z0 + X_b w: W rows at a time, one SIMD accumulator per row, the W
//                accumulators summed across lanes together (haddp), no horizontal sum per row
//   add_xt_g     out += X_b^T g: the p sums kept in SIMD registers while the rows stream past,
//                two rows at a time into two sets of accumulators
// A block of 256 rows of 20 features (40 KB) stays in L1/L2 between the two products.
// ---------------------------------------------------------------------------------------------
namespace simd_rows {
using B = xsimd::batch<double>;
inline constexpr std::size_t W = B::size;
inline constexpr std::size_t block_rows = 256;
inline constexpr std::size_t max_batches = 8;  // add_xt_g keeps up to 8 W sums in registers

inline void dot_rows(const double* X, std::size_t rows, std::size_t p, const double* w, double z0, double* z) {
    const std::size_t pv = p / W * W;
    std::size_t r = 0;
    for (; r + W <= rows; r += W) {
        std::array<B, W> acc;
        acc.fill(B(0.0));
        const double* x = X + r * p;
        for (std::size_t j = 0; j < pv; j += W) {
            const B wb = B::load_unaligned(w + j);
            for (std::size_t u = 0; u < W; ++u) acc[u] = xsimd::fma(B::load_unaligned(x + u * p + j), wb, acc[u]);
        }
        alignas(64) std::array<double, W> sums;
        xsimd::haddp(acc.data()).store_aligned(sums.data());
        for (std::size_t u = 0; u < W; ++u) {
            double t = z0 + sums[u];
            for (std::size_t j = pv; j < p; ++j) t += x[u * p + j] * w[j];
            z[r + u] = t;
        }
    }
    for (; r < rows; ++r) {
        double t = z0;
        for (std::size_t j = 0; j < p; ++j) t += X[r * p + j] * w[j];
        z[r] = t;
    }
}

/// add_xt_g for NB whole batches of columns, NB a constant so that the accumulators stay in
/// registers (with a run-time count g++ kept them in memory: 1.5x slower).
template <std::size_t NB>
void add_xt_g_batches(const double* X, std::size_t rows, std::size_t p, const double* g, double* out) {
    std::array<B, NB> a0, a1;
    a0.fill(B(0.0));
    a1.fill(B(0.0));
    std::array<double, W> t0{}, t1{};
    std::size_t r = 0;
    for (; r + 2 <= rows; r += 2) {
        const double* x0 = X + r * p;
        const double* x1 = x0 + p;
        const B g0(g[r]), g1(g[r + 1]);
        for (std::size_t b = 0; b < NB; ++b) {
            a0[b] = xsimd::fma(B::load_unaligned(x0 + b * W), g0, a0[b]);
            a1[b] = xsimd::fma(B::load_unaligned(x1 + b * W), g1, a1[b]);
        }
        for (std::size_t j = NB * W; j < p; ++j) {
            t0[j - NB * W] += x0[j] * g[r];
            t1[j - NB * W] += x1[j] * g[r + 1];
        }
    }
    for (std::size_t b = 0; b < NB; ++b)
        (B::load_unaligned(out + b * W) + (a0[b] + a1[b])).store_unaligned(out + b * W);
    for (std::size_t j = NB * W; j < p; ++j) out[j] += t0[j - NB * W] + t1[j - NB * W];
    for (; r < rows; ++r)
        for (std::size_t j = 0; j < p; ++j) out[j] += X[r * p + j] * g[r];
}

inline void add_xt_g(const double* X, std::size_t rows, std::size_t p, const double* g, double* out) {
    const std::size_t nb = p / W;  // whole batches; the other p mod W columns one by one
    static_assert(max_batches == 8);
    switch (nb) {
        case 0: return add_xt_g_batches<0>(X, rows, p, g, out);
        case 1: return add_xt_g_batches<1>(X, rows, p, g, out);
        case 2: return add_xt_g_batches<2>(X, rows, p, g, out);
        case 3: return add_xt_g_batches<3>(X, rows, p, g, out);
        case 4: return add_xt_g_batches<4>(X, rows, p, g, out);
        case 5: return add_xt_g_batches<5>(X, rows, p, g, out);
        case 6: return add_xt_g_batches<6>(X, rows, p, g, out);
        case 7: return add_xt_g_batches<7>(X, rows, p, g, out);
        case 8: return add_xt_g_batches<8>(X, rows, p, g, out);
        default:
            for (std::size_t r = 0; r < rows; ++r) {
                const double gr = g[r];
#pragma omp simd
                for (std::size_t j = 0; j < p; ++j) out[j] += X[r * p + j] * gr;
            }
    }
}

/// e = exp(-|z|), then softplus(z) = max(z, 0) + log1p(e) and sigmoid(z), both stable.
inline void softplus_sigmoid(const B& z, B& softplus, B& sigmoid) {
    const B e = xsimd::exp(-xsimd::abs(z));
    softplus = xsimd::max(z, B(0.0)) + xsimd::log1p(e);
    const B inv = B(1.0) / (B(1.0) + e);
    sigmoid = xsimd::select(z >= B(0.0), inv, e * inv);
}
}  // namespace simd_rows

// ---------------------------------------------------------------------------------------------
// W6: z = X w + b, loss = mean(softplus(z) - y z) + lambda |w|^2,
//     dz = (sigmoid(z) - y) / n, dw = X^T dz + 2 lambda w, db = sum(dz).
// W8: loss = mean(exp(z) - y z), dz = (exp(z) - y) / n.
// One pass over the rows in blocks (simd_rows): z of the block, its loss and dz in SIMD, then
// dw += X_b^T dz while the block is in cache.
// ---------------------------------------------------------------------------------------------
template <bool Poisson>
class GLM {
public:
    explicit GLM(const GLMData& d)
        : X_(d.X.begin(), d.X.end()),
          y_(d.y.begin(), d.y.end()),
          n_(d.size()),
          p_(d.features()),
          lr_(d.lr),
          lambda_(Poisson ? 0.0 : d.lambda),
          w_(p_),
          gw_(p_),
          z_(simd_rows::block_rows) {}
    void reset() {
        std::fill(w_.begin(), w_.end(), 0.0);
        b_ = 0;
    }
    void step() {
        using simd_rows::B;
        constexpr std::size_t W = simd_rows::W;
        std::fill(gw_.begin(), gw_.end(), 0.0);
        B lsum(0.0), gsum(0.0);
        double l = 0, gb = 0;
        double* z = z_.data();
        for (std::size_t r0 = 0; r0 < n_; r0 += simd_rows::block_rows) {
            const std::size_t rows = std::min(simd_rows::block_rows, n_ - r0);
            const double* X = X_.data() + r0 * p_;
            const double* y = y_.data() + r0;
            simd_rows::dot_rows(X, rows, p_, w_.data(), b_, z);
            std::size_t i = 0;
            for (; i + W <= rows; i += W) {  // z becomes dz (not yet divided by n)
                const B zb = B::load_unaligned(z + i), yb = B::load_unaligned(y + i);
                B g;
                if constexpr (Poisson) {
                    const B e = xsimd::exp(zb);
                    lsum += e - yb * zb;
                    g = e - yb;
                } else {
                    B sp, sg;
                    simd_rows::softplus_sigmoid(zb, sp, sg);
                    lsum += sp - yb * zb;
                    g = sg - yb;
                }
                gsum += g;
                g.store_unaligned(z + i);
            }
            for (; i < rows; ++i) {
                double g;
                if constexpr (Poisson) {
                    const double e = std::exp(z[i]);
                    l += e - y[i] * z[i];
                    g = e - y[i];
                } else {
                    const double e = std::exp(-std::abs(z[i]));
                    l += std::max(z[i], 0.0) + std::log1p(e) - y[i] * z[i];
                    g = (z[i] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e)) - y[i];
                }
                gb += g;
                z[i] = g;
            }
            simd_rows::add_xt_g(X, rows, p_, z, gw_.data());
        }
        l += xsimd::hadd(lsum);
        gb += xsimd::hadd(gsum);
        const double inv_n = 1.0 / static_cast<double>(n_);
        double l2 = 0;
        for (std::size_t j = 0; j < p_; ++j) l2 += w_[j] * w_[j];
        loss_ = l * inv_n + lambda_ * l2;
        for (std::size_t j = 0; j < p_; ++j) w_[j] -= lr_ * (gw_[j] * inv_n + 2 * lambda_ * w_[j]);
        b_ -= lr_ * gb * inv_n;
        do_not_optimize(loss_);
    }
    double loss() const { return loss_; }

private:
    std::vector<double> X_, y_;
    std::size_t n_, p_;
    double lr_, lambda_;
    std::vector<double> w_, gw_, z_;
    double b_ = 0, loss_ = 0;
};
using W6 = GLM<false>;
using W8 = GLM<true>;

// ---------------------------------------------------------------------------------------------
// W9: L = mean(softplus(z) - y z) + lambda |w|^2, z = X w, at a fixed w. With s = sigmoid(z):
//   gradient  X^T (s - y) / n + 2 lambda w                               one pass over the rows
//   hvp       X^T (s (1 - s) (X v)) / n + 2 lambda v                     one pass: both dots per row
//   Hessian   X^T diag(s (1 - s)) X / n + 2 lambda I = Xs^T Xs / n + 2 lambda I, with the rows of
//             X scaled by sqrt(s (1 - s)): one pass, then BLAS's syrk (the upper half, mirrored)
// The pass runs in blocks of rows with the simd_rows kernels, as W6 does.
// ---------------------------------------------------------------------------------------------
enum class W9Kind { gradient, hvp, hessian };

template <W9Kind K>
class W9 {
public:
    explicit W9(const W9Data& d)
        : X_(d.glm.X.begin(), d.glm.X.end()),
          y_(d.glm.y.begin(), d.glm.y.end()),
          w_(d.w.begin(), d.w.end()),
          v_(d.v.begin(), d.v.end()),
          n_(d.size()),
          p_(d.features()),
          lambda_(d.glm.lambda),
          out_(K == W9Kind::hessian ? p_ * p_ : p_),
          scaled_(K == W9Kind::hessian ? n_ * p_ : 0),
          z_(simd_rows::block_rows),
          u_(simd_rows::block_rows) {}
    void reset() {}
    void step() {
        using simd_rows::B;
        constexpr std::size_t W = simd_rows::W;
        std::fill(out_.begin(), out_.end(), 0.0);
        const double inv_n = 1.0 / static_cast<double>(n_);
        double* z = z_.data();
        double* u = u_.data();
        for (std::size_t r0 = 0; r0 < n_; r0 += simd_rows::block_rows) {
            const std::size_t rows = std::min(simd_rows::block_rows, n_ - r0);
            const double* X = X_.data() + r0 * p_;
            const double* y = y_.data() + r0;
            simd_rows::dot_rows(X, rows, p_, w_.data(), 0.0, z);
            if constexpr (K == W9Kind::hvp) simd_rows::dot_rows(X, rows, p_, v_.data(), 0.0, u);
            // z becomes the row's weight: (s - y) / n, s (1 - s) (x v) / n, or sqrt(s (1 - s) / n)
            std::size_t i = 0;
            for (; i + W <= rows; i += W) {
                B sp, sg;
                simd_rows::softplus_sigmoid(B::load_unaligned(z + i), sp, sg);
                B t;
                if constexpr (K == W9Kind::gradient) t = (sg - B::load_unaligned(y + i)) * B(inv_n);
                else if constexpr (K == W9Kind::hvp) t = sg * (B(1.0) - sg) * B::load_unaligned(u + i) * B(inv_n);
                else t = xsimd::sqrt(sg * (B(1.0) - sg) * B(inv_n));
                t.store_unaligned(z + i);
            }
            for (; i < rows; ++i) {
                const double e = std::exp(-std::abs(z[i]));
                const double sg = z[i] >= 0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                if constexpr (K == W9Kind::gradient) z[i] = (sg - y[i]) * inv_n;
                else if constexpr (K == W9Kind::hvp) z[i] = sg * (1 - sg) * u[i] * inv_n;
                else z[i] = std::sqrt(sg * (1 - sg) * inv_n);
            }
            if constexpr (K == W9Kind::hessian) {
                double* xs = scaled_.data() + r0 * p_;
                for (std::size_t r = 0; r < rows; ++r) {
                    const double t = z[r];
#pragma omp simd
                    for (std::size_t j = 0; j < p_; ++j) xs[r * p_ + j] = t * X[r * p_ + j];
                }
            } else {
                simd_rows::add_xt_g(X, rows, p_, z, out_.data());
            }
        }
        double* out = out_.data();
        const double* w = w_.data();
        const double* v = v_.data();
        if constexpr (K == W9Kind::hessian) {
            cblas_dsyrk(CblasRowMajor, CblasUpper, CblasTrans, int(p_), int(n_), 1.0, scaled_.data(), int(p_), 0.0, out,
                        int(p_));
            for (std::size_t i = 0; i < p_; ++i) {
                out[i * p_ + i] += 2 * lambda_;
                for (std::size_t j = 0; j < i; ++j) out[i * p_ + j] = out[j * p_ + i];
            }
        } else {
            const double* add = K == W9Kind::gradient ? w : v;
            for (std::size_t j = 0; j < p_; ++j) out[j] += 2 * lambda_ * add[j];
        }
        checksum_ = 0;
        for (double o : out_) checksum_ += o;
        do_not_optimize(checksum_);
    }
    /// The sum of the result's entries (the CSV's final_loss column: equal across implementations).
    double loss() const { return checksum_; }

private:
    std::vector<double> X_, y_, w_, v_;
    std::size_t n_, p_;
    double lambda_;
    std::vector<double> out_, scaled_, z_, u_;
    double checksum_ = 0;
};

// ---------------------------------------------------------------------------------------------
// W10: the Gaussian mixture's loss and gradient (workloads.hpp), derived by hand. With
// z_nk = Q_k (x_n - mu_k), log p_nk as in workloads.hpp, r_nk = softmax_k(log p_nk) and w =
// softmax(alpha):
//   d alpha_j = w_j - mean_n r_nj
//   d mu_k    = -(1/n) sum_n r_nk Q_kᵀ z_nk
//   d Q_k     =  (1/n) sum_n r_nk z_nk (x_n - mu_k)ᵀ          (its lower triangle)
//   d L_k     = d Q_k below the diagonal; on it, d Q_ii exp(D_i) - mean_n r_nk
// One pass over the points; per point, each component's z and log p, then the responsibilities
// and the accumulations (Q_kᵀ z by columns of the triangle, the outer product by rows).
// ---------------------------------------------------------------------------------------------
class W10 {
public:
    explicit W10(const W10Data& w)
        : n_(w.n),
          d_(w.d),
          k_(w.k),
          m_(w.d * (w.d + 1) / 2),
          X_(w.X.begin(), w.X.end()),
          alpha_(w.alpha.begin(), w.alpha.end()),
          mu_(w.mu.begin(), w.mu.end()),
          q_(w.q.begin(), w.q.end()),
          Q_(k_ * d_ * d_),
          z_(k_ * d_),
          diff_(k_ * d_),
          logp_(k_),
          g_alpha_(k_),
          g_mu_(k_ * d_),
          g_Q_(k_ * d_ * d_),
          g_q_(k_ * m_) {}
    void reset() {}
    void step() {
        const std::size_t d = d_, k = k_;
        // the factors: Q_k lower triangular, diagonal exp(D)
        std::vector<double> logdet(k, 0.0);
        for (std::size_t c = 0; c < k; ++c)
            for (std::size_t i = 0; i < d; ++i)
                for (std::size_t j = 0; j < d; ++j) {
                    const double v = j <= i ? q_[c * m_ + i * (i + 1) / 2 + j] : 0.0;
                    Q_[(c * d + i) * d + j] = i == j ? std::exp(v) : v;
                    if (i == j) logdet[c] += v;
                }
        double amax = alpha_[0], asum = 0;
        for (double a : alpha_) amax = std::max(amax, a);
        for (double a : alpha_) asum += std::exp(a - amax);
        const double lse_alpha = amax + std::log(asum);
        std::fill(g_mu_.begin(), g_mu_.end(), 0.0);
        std::fill(g_Q_.begin(), g_Q_.end(), 0.0);
        std::vector<double> rsum(k, 0.0);
        const double inv_n = 1.0 / static_cast<double>(n_);
        double loss = 0;
        for (std::size_t p = 0; p < n_; ++p) {
            const double* x = X_.data() + p * d;
            double best = -1e300;
            for (std::size_t c = 0; c < k; ++c) {
                double* df = diff_.data() + c * d;
                double* z = z_.data() + c * d;
                const double* Qc = Q_.data() + c * d * d;
                for (std::size_t j = 0; j < d; ++j) df[j] = x[j] - mu_[c * d + j];
                double sq = 0;
                for (std::size_t i = 0; i < d; ++i) {
                    double t = 0;
                    for (std::size_t j = 0; j <= i; ++j) t += Qc[i * d + j] * df[j];
                    z[i] = t;
                    sq += t * t;
                }
                logp_[c] = alpha_[c] - lse_alpha + logdet[c] - 0.5 * sq;
                best = std::max(best, logp_[c]);
            }
            double total = 0;
            for (std::size_t c = 0; c < k; ++c) total += std::exp(logp_[c] - best);
            loss -= best + std::log(total);
            for (std::size_t c = 0; c < k; ++c) {
                const double r = std::exp(logp_[c] - best) / total * inv_n;
                rsum[c] += r;
                const double* z = z_.data() + c * d;
                const double* df = diff_.data() + c * d;
                const double* Qc = Q_.data() + c * d * d;
                double* gm = g_mu_.data() + c * d;
                double* gQ = g_Q_.data() + c * d * d;
                for (std::size_t i = 0; i < d; ++i) {
                    const double rz = r * z[i];
                    for (std::size_t j = 0; j <= i; ++j) {
                        gm[j] -= rz * Qc[i * d + j];  // Qᵀ z, one row of Q at a time
                        gQ[i * d + j] += rz * df[j];
                    }
                }
            }
        }
        loss *= inv_n;
        for (std::size_t c = 0; c < k; ++c) {
            g_alpha_[c] = std::exp(alpha_[c] - lse_alpha) - rsum[c];
            for (std::size_t i = 0; i < d; ++i)
                for (std::size_t j = 0; j <= i; ++j) {
                    const double gq = g_Q_[(c * d + i) * d + j];
                    g_q_[c * m_ + i * (i + 1) / 2 + j] = i == j ? gq * Q_[(c * d + i) * d + i] - rsum[c] : gq;
                }
        }
        checksum_ = loss;
        for (double v : g_alpha_) checksum_ += v;
        for (double v : g_mu_) checksum_ += v;
        for (double v : g_q_) checksum_ += v;
        do_not_optimize(checksum_);
    }
    /// The loss plus the sum of every gradient entry (equal across implementations).
    double loss() const { return checksum_; }

private:
    std::size_t n_, d_, k_, m_;
    std::vector<double> X_, alpha_, mu_, q_, Q_, z_, diff_, logp_, g_alpha_, g_mu_, g_Q_, g_q_;
    double checksum_ = 0;
};

// ---------------------------------------------------------------------------------------------
// W7: f = c0 + c1 t + ... + c5 t^5, loss = mean((f - y)^2), dc_k = 2/n sum((f - y) t^k).
// ---------------------------------------------------------------------------------------------
class W7 {
public:
    explicit W7(const W7Data& d) : t_(d.t.begin(), d.t.end()), y_(d.y.begin(), d.y.end()), lr_(d.lr) {}
    void reset() { c_ = {}; }
    void step() {
        const std::size_t n = t_.size();
        const double* t = t_.data();
        const double* y = y_.data();
        const double c0 = c_[0], c1 = c_[1], c2 = c_[2], c3 = c_[3], c4 = c_[4], c5 = c_[5];
        double l = 0, g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0;
#pragma omp simd reduction(+ : l, g0, g1, g2, g3, g4, g5)
        for (std::size_t i = 0; i < n; ++i) {
            const double t1 = t[i], t2 = t1 * t1, t3 = t2 * t1, t4 = t2 * t2, t5 = t4 * t1;
            const double r = c0 + c1 * t1 + c2 * t2 + c3 * t3 + c4 * t4 + c5 * t5 - y[i];
            l += r * r;
            g0 += r;
            g1 += r * t1;
            g2 += r * t2;
            g3 += r * t3;
            g4 += r * t4;
            g5 += r * t5;
        }
        const double s = lr_ * 2.0 / static_cast<double>(n);
        loss_ = l / static_cast<double>(n);
        c_[0] -= s * g0;
        c_[1] -= s * g1;
        c_[2] -= s * g2;
        c_[3] -= s * g3;
        c_[4] -= s * g4;
        c_[5] -= s * g5;
        do_not_optimize(loss_);
    }
    double loss() const { return loss_; }

private:
    std::vector<double> t_, y_;
    double lr_;
    std::array<double, 6> c_{};
    double loss_ = 0;
};

}  // namespace symdiff::bench::handwritten
