#pragma once
// Matrix products on dense row-major blocks, for the dot operation:
//   gemm:    C (m x n) = op(A) op(B), op(X) = X or X^T, A and B row-major (C += ... with
//            `accumulate`). Packed panels and a register-blocked micro-kernel of MR x NR
//            (NR = two SIMD batches, or one when n fits in one), in the manner of BLIS: each
//            panel of B is read from cache MR times per load, each element of A once per NR
//            columns.
//            A product with one column or one row is a matrix-vector product (gemv_kernels.hpp).
// The packing buffers are per thread and only grow: a product of the same sizes allocates nothing.
#include <algorithm>
#include <array>
#include <cstddef>
#include <vector>

#include "../core/math.hpp"
#include "gemv_kernels.hpp"

namespace symdiff::detail {

namespace kernel {

/// The micro-tile: MR rows x NB SIMD batches of columns. Two batches (6 x 2: 12 accumulators fit
/// AVX2's 16 registers), or one batch of 12 rows for products with at most one batch of columns
/// (a softmax regression's 10 classes in float with AVX-512: 16 lanes, where two batches would
/// compute 32 columns for 10).
template <std::size_t NB>
inline constexpr std::size_t MR = NB == 1 ? 12 : 6;
template <class T, std::size_t NB>
inline constexpr std::size_t NR = NB* W<T>;
inline constexpr std::size_t KC = 256;  // depth of a packed panel
inline constexpr std::size_t MC = 96;   // rows of A packed at a time (a multiple of both MR)

template <class T>
std::vector<T>& buffer(int which) {
    thread_local std::array<std::vector<T>, 2> b;
    return b[static_cast<std::size_t>(which)];
}
template <class T>
T* scratch(int which, std::size_t n) {
    std::vector<T>& v = buffer<T>(which);
    if (v.size() < n) v.resize(n);
    return v.data();
}

/// op(A)[i][p] for row-major A stored as m x k (plain) or k x m (transposed).
template <class T>
inline T element(const T* A, bool trans, std::size_t ld_plain, std::size_t ld_trans, std::size_t i, std::size_t p) {
    return trans ? A[p * ld_trans + i] : A[i * ld_plain + p];
}

/// Packs rows [i0, i0 + mc) x depth [p0, p0 + kc) of op(A) in panels of Rows rows: panel r
/// holds, for each p, Rows consecutive values (rows past m are 0).
template <std::size_t Rows, class T>
void pack_a(const T* A, bool trans, std::size_t m, std::size_t k, std::size_t i0, std::size_t mc, std::size_t p0,
            std::size_t kc, T* out) {
    for (std::size_t ir = 0; ir < mc; ir += Rows) {
        T* panel = out + ir * kc;
        for (std::size_t p = 0; p < kc; ++p)
            for (std::size_t r = 0; r < Rows; ++r) {
                const std::size_t i = i0 + ir + r;
                panel[p * Rows + r] = i < i0 + mc && i < m ? element(A, trans, k, m, i, p0 + p) : T(0);
            }
    }
}

/// Packs depth [p0, p0 + kc) x columns [0, n) of op(B) in NR-column panels (columns past n are 0).
template <std::size_t nr, class T>
void pack_b(const T* B, bool trans, std::size_t k, std::size_t n, std::size_t p0, std::size_t kc, T* out) {
    for (std::size_t j0 = 0; j0 < n; j0 += nr) {
        T* panel = out + j0 * kc;
        const std::size_t w = std::min(nr, n - j0);
        for (std::size_t p = 0; p < kc; ++p) {
            T* dst = panel + p * nr;
            if (!trans) {
                const T* src = B + (p0 + p) * n + j0;
                for (std::size_t c = 0; c < w; ++c) dst[c] = src[c];
            } else {
                for (std::size_t c = 0; c < w; ++c) dst[c] = B[(j0 + c) * k + p0 + p];
            }
            for (std::size_t c = w; c < nr; ++c) dst[c] = T(0);
        }
    }
}

/// C[0..mr) x [0..nr) (+)= the MR x NR tile of A and a packed B panel, depth kc. A's row r at
/// depth p is a[p ps + r rs]: a packed panel (ps = MR, rs = 1) or A itself (all MR rows exist).
template <std::size_t NB, class T>
void micro(std::size_t kc, const T* a, std::size_t ps, std::size_t rs, const T* b, T* C, std::size_t ldc,
           std::size_t mr, std::size_t nr, bool add) {
    using B = batch<T>;
    constexpr std::size_t w = W<T>;
    constexpr std::size_t mr_full = MR<NB>;
    std::array<std::array<B, NB>, mr_full> c;
    for (auto& row : c)
        for (auto& v : row) v = B(T(0));
    for (std::size_t p = 0; p < kc; ++p) {
        std::array<B, NB> bv;
        for (std::size_t q = 0; q < NB; ++q) bv[q] = B::load_unaligned(b + (p * NB + q) * w);
        for (std::size_t r = 0; r < mr_full; ++r) {
            const B av(a[p * ps + r * rs]);
            for (std::size_t q = 0; q < NB; ++q) c[r][q] = xsimd::fma(av, bv[q], c[r][q]);
        }
    }
    if (mr == mr_full && nr == NB * w) {
        for (std::size_t r = 0; r < mr_full; ++r) {
            T* row = C + r * ldc;
            for (std::size_t q = 0; q < NB; ++q) {
                if (add) (B::load_unaligned(row + q * w) + c[r][q]).store_unaligned(row + q * w);
                else c[r][q].store_unaligned(row + q * w);
            }
        }
    } else {
        alignas(64) std::array<T, NB * batch<T>::size> tmp{};
        for (std::size_t r = 0; r < mr; ++r) {
            for (std::size_t q = 0; q < NB; ++q) c[r][q].store_unaligned(tmp.data() + q * w);
            T* row = C + r * ldc;
            for (std::size_t col = 0; col < nr; ++col) row[col] = add ? row[col] + tmp[col] : tmp[col];
        }
    }
}

/// The packed product with micro-tiles of NB batches of columns (see gemm).
template <std::size_t NB, class T>
void gemm_tiles(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const T* A, const T* B, T* C,
                bool accumulate) {
    constexpr std::size_t nr = NR<T, NB>;
    constexpr std::size_t mr = MR<NB>;
    static_assert(MC % mr == 0);
    const std::size_t n_pad = (n + nr - 1) / nr * nr;
    for (std::size_t p0 = 0; p0 < k; p0 += KC) {
        const std::size_t kc = std::min(KC, k - p0);
        T* bp = scratch<T>(0, n_pad * kc);
        pack_b<nr>(B, trans_b, k, n, p0, kc, bp);
        const bool add = accumulate || p0 > 0;
        if (n <= nr) {
            // one panel of columns: each element of A is read once, so A is read where it is (a
            // last panel of fewer than MR rows is packed, padded with zeros)
            T* ap = scratch<T>(1, mr * kc);
            for (std::size_t i = 0; i < m; i += mr) {
                T* c = C + i * n;
                if (i + mr <= m) {
                    const T* a = trans_a ? A + p0 * m + i : A + i * k + p0;
                    micro<NB>(kc, a, trans_a ? m : 1, trans_a ? 1 : k, bp, c, n, mr, n, add);
                } else {
                    pack_a<mr>(A, trans_a, m, k, i, m - i, p0, kc, ap);
                    micro<NB>(kc, ap, mr, 1, bp, c, n, m - i, n, add);
                }
            }
            continue;
        }
        for (std::size_t i0 = 0; i0 < m; i0 += MC) {
            const std::size_t mc = std::min(MC, m - i0);
            const std::size_t mc_pad = (mc + mr - 1) / mr * mr;
            T* ap = scratch<T>(1, mc_pad * kc);
            pack_a<mr>(A, trans_a, m, k, i0, mc, p0, kc, ap);
            for (std::size_t j0 = 0; j0 < n; j0 += nr)
                for (std::size_t ir = 0; ir < mc; ir += mr)
                    micro<NB>(kc, ap + ir * kc, mr, 1, bp + j0 * kc, C + (i0 + ir) * n + j0, n, std::min(mr, mc - ir),
                              std::min(nr, n - j0), add);
        }
    }
}
}  // namespace kernel

/// C (m x n) = op(A) op(B), or C += op(A) op(B) with `accumulate`. op(A) is m x k: A is stored
/// m x k, or k x m when trans_a; op(B) is k x n: B is stored k x n, or n x k when trans_b.
template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const T* A, const T* B, T* C,
          bool accumulate = false) {
    using namespace kernel;
    if (m == 0 || n == 0) return;
    if (k == 0) {
        if (!accumulate) std::fill(C, C + m * n, T(0));
        return;
    }
    // one column (y = op(A) b) or one row (y^T = a^T op(B) = (op(B)^T a)^T): matrix-vector
    if (n == 1) return gemv(trans_a, m, k, A, B, C, accumulate);
    if (m == 1) return gemv(!trans_b, n, k, B, A, C, accumulate);
    if (n <= W<T>) gemm_tiles<1>(trans_a, trans_b, m, n, k, A, B, C, accumulate);
    else gemm_tiles<2>(trans_a, trans_b, m, n, k, A, B, C, accumulate);
}

}  // namespace symdiff::detail
