#pragma once
// Matrix-vector products on dense row-major blocks, for the dot operation (and gemm's products
// with one column or one row, product_kernels.hpp):
//   gemv:    y = A x and y (+)= A^T x. A x: W rows at a time, a SIMD accumulator per row; rows
//            of 1 to 7 numbers (a data matrix with 2 features) by loops of a compile-time length.
//            A^T x: up to 8 SIMD batches of sums kept in registers while the rows stream past;
//            more along each row; short rows by compile-time loops, then gathers.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <type_traits>
#include <utility>

#include "../core/math.hpp"

namespace symdiff::detail {

namespace kernel {

template <class T>
using batch = xsimd::batch<T>;
template <class T>
inline constexpr std::size_t W = batch<T>::size;

/// y (+)= A x for rows of a compile-time length K (a data matrix with a few features): the
/// compiler vectorises across rows with contiguous loads and shuffles, about twice as fast as
/// gathering each column.
template <std::size_t K, class T>
void gemv_short_rows(std::size_t m, const T* A, const T* x, T* y, bool add) {
    std::array<T, K> xs{};
    for (std::size_t p = 0; p < K; ++p) xs[p] = x[p];
    for (std::size_t i = 0; i < m; ++i) {
        T s = A[i * K] * xs[0];
        for (std::size_t p = 1; p < K; ++p) s += A[i * K + p] * xs[p];
        y[i] = add ? y[i] + s : s;
    }
}

/// y[j] (+)= sum_i A[i, j] x[i] for K columns (A k x K row-major): U rows at a time into U
/// partial sums per column, added in a fixed order at the end.
template <std::size_t K, class T>
void gemv_t_short_rows(std::size_t k, const T* A, const T* x, T* y, bool add) {
    constexpr std::size_t U = 8;
    std::array<std::array<T, K>, U> acc{};
    std::size_t i = 0;
    for (; i + U <= k; i += U)
        for (std::size_t u = 0; u < U; ++u)
            for (std::size_t j = 0; j < K; ++j) acc[u][j] += A[(i + u) * K + j] * x[i + u];
    for (std::size_t j = 0; j < K; ++j) {
        T s = acc[0][j];
        for (std::size_t u = 1; u < U; ++u) s += acc[u][j];
        for (std::size_t r = i; r < k; ++r) s += A[r * K + j] * x[r];
        y[j] = add ? y[j] + s : s;
    }
}

/// Calls f(std::integral_constant<std::size_t, K>) for the K == n in [1, Max]; false if n is not.
template <std::size_t Max, class F>
bool with_constant(std::size_t n, F&& f) {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
        return ((n == K + 1 ? (f(std::integral_constant<std::size_t, K + 1>{}), true) : false) || ...);
    }
    (std::make_index_sequence<Max>{});
}

/// with_constant for a row length in [1, 7]. (Measured with SSE2, AVX2 and AVX-512: loops of a
/// compile-time length are faster than SIMD along the row or gathers up to 7; slower at 8, where
/// the per-row SIMD path takes over.)
template <class F>
bool with_short_length(std::size_t n, F&& f) {
    return with_constant<7>(n, f);
}

/// Lane r: the sum of the lanes of acc[r].
template <class B>
B sums_of_batches(const std::array<B, B::size>& acc) {
    if constexpr (B::size == 16) {
        // xsimd 8.1's AVX-512 haddp of 16 floats puts lanes 2-5 and 10-13 in the wrong places
        // (checked against plain sums): one horizontal sum per batch instead
        alignas(64) std::array<typename B::value_type, B::size> s;
        for (std::size_t r = 0; r < B::size; ++r) s[r] = xsimd::hadd(acc[r]);
        return B::load_aligned(s.data());
    } else {
        return xsimd::haddp(acc.data());
    }
}

/// y (+)= A x, W rows at a time (A m x k row-major, k >= W): one accumulator per row, added
/// across lanes together (sums_of_batches), so a row costs no horizontal sum of its own. The
/// last k mod W numbers of a row are read as one batch (it runs into the next row, whose lanes
/// are set to 0 before the product) wherever that stays inside A. Returns the rows done (a
/// multiple of W).
template <class T>
std::size_t gemv_row_groups(std::size_t m, std::size_t k, const T* A, const T* x, T* y, bool add) {
    using B = batch<T>;
    constexpr std::size_t w = W<T>;
    const std::size_t kv = k / w * w;
    alignas(64) std::array<T, w> x_tail{}, lane{};
    for (std::size_t p = kv; p < k; ++p) x_tail[p - kv] = x[p];
    for (std::size_t l = 0; l < w; ++l) lane[l] = static_cast<T>(l);
    const B xt = B::load_aligned(x_tail.data());
    // (lanes past the row hold the next row, perhaps an inf: dropped, not multiplied by 0 = NaN)
    const auto in_row = B::load_aligned(lane.data()) < B(static_cast<T>(k - kv));
    std::size_t i = 0;
    for (; i + w <= m; i += w) {
        std::array<B, w> acc;
        for (auto& a : acc) a = B(T(0));
        const T* rows = A + i * k;
        for (std::size_t p = 0; p < kv; p += w) {
            const B xb = B::load_unaligned(x + p);
            for (std::size_t r = 0; r < w; ++r) acc[r] = xsimd::fma(B::load_unaligned(rows + r * k + p), xb, acc[r]);
        }
        B s;
        if (kv == k) {
            s = sums_of_batches(acc);
        } else if ((i + w - 1) * k + kv + w <= m * k) {
            for (std::size_t r = 0; r < w; ++r)
                acc[r] = xsimd::fma(xsimd::select(in_row, B::load_unaligned(rows + r * k + kv), B(T(0))), xt, acc[r]);
            s = sums_of_batches(acc);
        } else {  // the last rows of A: their tails one by one
            alignas(64) std::array<T, w> part;
            sums_of_batches(acc).store_aligned(part.data());
            for (std::size_t r = 0; r < w; ++r)
                for (std::size_t p = kv; p < k; ++p) part[r] += rows[r * k + p] * x[p];
            s = B::load_aligned(part.data());
        }
        if (add) s += B::load_unaligned(y + i);
        s.store_unaligned(y + i);
    }
    return i;
}

/// Batches of columns that gemv_t_in_registers keeps in registers (8: 64 doubles with AVX-512).
inline constexpr std::size_t max_register_batches = 8;

/// y (+)= A^T x (A k x m row-major, NB = ceil(m / W) batches of columns): the m sums stay in
/// registers while the rows stream past, two rows at a time into two sets of accumulators (added
/// at the end). The last m mod W columns are read as one batch that runs into the next row (its
/// extra lanes are dropped) wherever that stays inside A; the rows after that are added one by
/// one. NB is a constant: with a run-time count g++ kept the accumulators in memory (W8's
/// X^T g ran 1.5x slower than the hand-written loop).
template <std::size_t NB, class T>
void gemv_t_batches(std::size_t m, std::size_t k, const T* A, const T* x, T* y, bool add) {
    using B = batch<T>;
    constexpr std::size_t w = W<T>;
    std::array<B, NB> a0, a1;
    for (std::size_t b = 0; b < NB; ++b) a0[b] = a1[b] = B(T(0));
    std::size_t i = 0;
    for (; i + 2 <= k && (i + 1) * m + NB * w <= k * m; i += 2) {
        const T* r0 = A + i * m;
        const T* r1 = r0 + m;
        const B x0(x[i]), x1(x[i + 1]);
        for (std::size_t b = 0; b < NB; ++b) {
            a0[b] = xsimd::fma(B::load_unaligned(r0 + b * w), x0, a0[b]);
            a1[b] = xsimd::fma(B::load_unaligned(r1 + b * w), x1, a1[b]);
        }
    }
    alignas(64) std::array<T, NB * w> out;
    for (std::size_t b = 0; b < NB; ++b) (a0[b] + a1[b]).store_aligned(out.data() + b * w);
    for (; i < k; ++i)
        for (std::size_t j = 0; j < m; ++j) out[j] += A[i * m + j] * x[i];
    for (std::size_t j = 0; j < m; ++j) y[j] = add ? y[j] + out[j] : out[j];
}

/// y (+)= A^T x (A k x m row-major, W <= m <= 8 W): gemv_t_batches for m's number of batches.
template <class T>
void gemv_t_in_registers(std::size_t m, std::size_t k, const T* A, const T* x, T* y, bool add) {
    with_constant<max_register_batches>((m + W<T> - 1) / W<T>,
                                        [&](auto NB) { gemv_t_batches<NB()>(m, k, A, x, y, add); });
}

/// y = A x (A m x k row-major), or y (+)= A^T x (A k x m row-major): one number per row of op(A).
template <class T>
void gemv(bool trans, std::size_t m, std::size_t k, const T* A, const T* x, T* y, bool add) {
    using B = batch<T>;
    constexpr std::size_t w = W<T>;
    using I = std::conditional_t<sizeof(T) == 8, std::int64_t, std::int32_t>;
    if (!trans) {
        // y[i] = <A[i, :], x>
        if (with_short_length(k, [&](auto K) { gemv_short_rows<K()>(m, A, x, y, add); })) return;
        if (k < w) {
            // short rows: w rows at a time, a column gathered per step
            alignas(64) std::array<I, batch<I>::size> idx{};
            for (std::size_t l = 0; l < w; ++l) idx[l] = static_cast<I>(l * k);
            const auto stride = batch<I>::load_aligned(idx.data());
            std::size_t i = 0;
            for (; i + w <= m; i += w) {
                B acc(T(0));
                const T* rows = A + i * k;
                for (std::size_t p = 0; p < k; ++p) acc = xsimd::fma(B::gather(rows + p, stride), B(x[p]), acc);
                if (add) acc += B::load_unaligned(y + i);
                acc.store_unaligned(y + i);
            }
            for (; i < m; ++i) {
                T s = 0;
                for (std::size_t p = 0; p < k; ++p) s += A[i * k + p] * x[p];
                y[i] = add ? y[i] + s : s;
            }
        } else {
            for (std::size_t i = gemv_row_groups(m, k, A, x, y, add); i < m; ++i) {
                const T* row = A + i * k;
                B acc0(T(0)), acc1(T(0));
                std::size_t p = 0;
                for (; p + 2 * w <= k; p += 2 * w) {
                    acc0 = xsimd::fma(B::load_unaligned(row + p), B::load_unaligned(x + p), acc0);
                    acc1 = xsimd::fma(B::load_unaligned(row + p + w), B::load_unaligned(x + p + w), acc1);
                }
                for (; p + w <= k; p += w)
                    acc0 = xsimd::fma(B::load_unaligned(row + p), B::load_unaligned(x + p), acc0);
                T s = xsimd::hadd(acc0 + acc1);
                for (; p < k; ++p) s += row[p] * x[p];
                y[i] = add ? y[i] + s : s;
            }
        }
    } else {
        // y[j] = sum_i A[i, j] x[i], A k x m
        if (with_short_length(m, [&](auto M) { gemv_t_short_rows<M()>(k, A, x, y, add); })) return;
        if (m >= w && m <= max_register_batches * w) return gemv_t_in_registers(m, k, A, x, y, add);
        if (!add) std::fill(y, y + m, T(0));
        if (m < w) {
            alignas(64) std::array<I, batch<I>::size> idx{};
            for (std::size_t l = 0; l < w; ++l) idx[l] = static_cast<I>(l * m);
            const auto stride = batch<I>::load_aligned(idx.data());
            std::array<B, W<T>> acc;
            for (auto& a : acc) a = B(T(0));
            std::size_t i = 0;
            for (; i + w <= k; i += w) {
                const B xi = B::load_unaligned(x + i);
                const T* rows = A + i * m;
                for (std::size_t j = 0; j < m; ++j) acc[j] = xsimd::fma(B::gather(rows + j, stride), xi, acc[j]);
            }
            for (std::size_t j = 0; j < m; ++j) y[j] += xsimd::hadd(acc[j]);
            for (; i < k; ++i)
                for (std::size_t j = 0; j < m; ++j) y[j] += A[i * m + j] * x[i];
        } else {
            for (std::size_t i = 0; i < k; ++i) {
                const T* row = A + i * m;
                const B xi(x[i]);
                std::size_t j = 0;
                for (; j + w <= m; j += w)
                    xsimd::fma(B::load_unaligned(row + j), xi, B::load_unaligned(y + j)).store_unaligned(y + j);
                for (; j < m; ++j) y[j] += row[j] * x[i];
            }
        }
    }
}

}  // namespace kernel

}  // namespace symdiff::detail
