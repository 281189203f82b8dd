#pragma once
// Matrix products on dense row-major blocks, for the dot operation:
//   gemm:    C (m x n) = op(A) op(B), op(X) = X or X^T, A and B row-major (C += ... with
//            `accumulate`). Packed panels and a register-blocked micro-kernel of MR x NR
//            (NR = two SIMD batches, or one when n fits in one), in the manner of BLIS: each
//            panel of B is read from cache MR times per load, each element of A once per NR
//            columns.
//            A product with one column or one row is a matrix-vector product (gemv_kernels.hpp).
//            A narrow C (fewer columns than fill the micro-tile's lanes) takes a kernel that
//            computes its own entries only: dot products along the depth, or, when A is
//            transposed, SIMD along C's rows (product_path says which).
// The packing buffers are per thread and only grow: a product of the same sizes allocates nothing.
#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>
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

/// R x C SIMD accumulators, all zero.
template <class T, std::size_t R, std::size_t C>
std::array<std::array<batch<T>, C>, R> zero_accumulators() {
    std::array<std::array<batch<T>, C>, R> acc;
    for (auto& row : acc)
        for (auto& v : row) v = batch<T>(T(0));
    return acc;
}

/// C[0..mr) x [0..nr) (+)= the MR x NR tile of A and a packed B panel, depth kc. A's row r at
/// depth p is a[p ps + r rs]: a packed panel (ps = MR, rs = 1) or A itself (all MR rows exist).
template <std::size_t NB, class T>
void micro(std::size_t kc, const T* a, std::size_t ps, std::size_t rs, const T* b, T* C, std::size_t ldc,
           std::size_t mr, std::size_t nr, bool add) {
    using B = batch<T>;
    constexpr std::size_t w = W<T>;
    constexpr std::size_t mr_full = MR<NB>;
    auto c = zero_accumulators<T, mr_full, NB>();
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

// ---- narrow products: C with fewer columns than the micro-tile's ---------------------------
// A softmax regression's 10 classes fill 10 of the 16 lanes of two batches: the packed kernel
// above then spends 6 of every 16 multiplications on padding. These two kernels vectorise along
// another dimension and compute only C's own entries.

/// SIMD registers of the target: 32 with AVX-512, else 16 (AVX2, SSE on x86-64).
inline constexpr std::size_t simd_registers =
#if defined(__AVX512F__)
    32;
#else
    16;
#endif

/// Splits [0, n) into tiles of N: f(j, std::integral_constant<std::size_t, N>) at each full tile's
/// start j, then f(j, std::integral_constant<std::size_t, n - j>) for the rest, if any.
template <std::size_t N, class F>
void tiles_of(std::size_t n, F&& f) {
    std::size_t j = 0;
    for (; j + N <= n; j += N) f(j, std::integral_constant<std::size_t, N>{});
    with_constant<N - 1>(n - j, [&](auto rest) { f(j, rest); });
}

/// C (MI x NJ) (+)= A Bt^T along k: C[r][j] = sum_p A[r][p] Bt[j][p] (A MI rows of lda, Bt NJ rows
/// of ldb, both contiguous along p), in SIMD batches of p with one horizontal sum per entry.
/// 4 x 3 entries: 12 accumulators, 3 batches of Bt and one of A fit AVX2's 16 registers; 4 x 5
/// (26 registers) with AVX-512's 32.
template <std::size_t MI, std::size_t NJ, class T>
void dots_tile(std::size_t k, const T* A, std::size_t lda, const T* Bt, std::size_t ldb, T* C, std::size_t ldc,
               bool add) {
    using B = batch<T>;
    constexpr std::size_t w = W<T>;
    auto acc = zero_accumulators<T, MI, NJ>();
    std::size_t p = 0;
    for (; p + w <= k; p += w) {
        std::array<B, NJ> b;
        for (std::size_t j = 0; j < NJ; ++j) b[j] = B::load_unaligned(Bt + j * ldb + p);
        for (std::size_t r = 0; r < MI; ++r) {
            const B a = B::load_unaligned(A + r * lda + p);
            for (std::size_t j = 0; j < NJ; ++j) acc[r][j] = xsimd::fma(a, b[j], acc[r][j]);
        }
    }
    for (std::size_t r = 0; r < MI; ++r)
        for (std::size_t j = 0; j < NJ; ++j) {
            T s = xsimd::hadd(acc[r][j]);
            for (std::size_t q = p; q < k; ++q) s += A[r * lda + q] * Bt[j * ldb + q];
            C[r * ldc + j] = add ? C[r * ldc + j] + s : s;
        }
}

/// C (m x n) (+)= A op(B), A m x k row-major: dots_tile over 4 rows x 5 columns at a time (3 with
/// 16 registers). op(B)'s columns are B's rows when trans_b (B n x k), else those of a copy of B^T.
template <class T>
void gemm_dots(bool trans_b, std::size_t m, std::size_t n, std::size_t k, const T* A, const T* B, T* C, bool add) {
    constexpr std::size_t mi = 4, nj = simd_registers == 32 ? 5 : 3;
    const T* Bt = B;
    if (!trans_b) {
        T* t = scratch<T>(0, n * k);
        for (std::size_t p = 0; p < k; ++p)
            for (std::size_t j = 0; j < n; ++j) t[j * k + p] = B[p * n + j];
        Bt = t;
    }
    tiles_of<mi>(m, [&]<std::size_t R>(std::size_t i, std::integral_constant<std::size_t, R>) {
        tiles_of<nj>(n, [&]<std::size_t NJ>(std::size_t j, std::integral_constant<std::size_t, NJ>) {
            dots_tile<R, NJ>(k, A + i * k, k, Bt + j * k, k, C + i * n + j, n, add);
        });
    });
}

/// C (MV w x NJ) (+)= A^T op(B) along C's rows: C[i][j] = sum_p A[p][i] op(B)[p][j], A's row p
/// read as MV batches at A + p lda, op(B)[p][j] at Bp[p bp + j bj] broadcast. The tile's columns
/// of C are written back one number at a time (C is row-major), its first `rows` rows only.
template <std::size_t MV, std::size_t NJ, class T>
void columns_tile(std::size_t k, const T* A, std::size_t lda, const T* Bp, std::size_t bp, std::size_t bj, T* C,
                  std::size_t ldc, std::size_t rows, bool add) {
    using B = batch<T>;
    constexpr std::size_t w = W<T>;
    auto acc = zero_accumulators<T, MV, NJ>();
    for (std::size_t p = 0; p < k; ++p) {
        std::array<B, MV> a;
        for (std::size_t q = 0; q < MV; ++q) a[q] = B::load_unaligned(A + p * lda + q * w);
        for (std::size_t j = 0; j < NJ; ++j) {
            const B b(Bp[p * bp + j * bj]);
            for (std::size_t q = 0; q < MV; ++q) acc[q][j] = xsimd::fma(a[q], b, acc[q][j]);
        }
    }
    alignas(64) std::array<T, batch<T>::size> lanes;
    for (std::size_t q = 0; q < MV; ++q)
        for (std::size_t j = 0; j < NJ; ++j) {
            acc[q][j].store_aligned(lanes.data());
            for (std::size_t l = 0; l < w && q * w + l < rows; ++l) {
                T& c = C[(q * w + l) * ldc + j];
                c = add ? c + lanes[l] : lanes[l];
            }
        }
}

/// C (m x n) (+)= A^T op(B), A k x m row-major (m >= W): columns_tile over 2 batches of rows x NJ
/// columns at a time (20 accumulators with AVX-512's 32 registers, 12 with 16); the last
/// m mod W rows from a copy of their columns of A padded to one batch.
template <class T>
void gemm_columns(bool trans_b, std::size_t m, std::size_t n, std::size_t k, const T* A, const T* B, T* C, bool add) {
    constexpr std::size_t w = W<T>, mv = 2, nj = simd_registers == 32 ? 10 : 6;
    const std::size_t bp = trans_b ? 1 : n, bj = trans_b ? k : 1;
    const auto rows = [&]<std::size_t MV>(std::size_t i, const T* a, std::size_t lda, std::size_t valid,
                                          std::integral_constant<std::size_t, MV>) {
        tiles_of<nj>(n, [&]<std::size_t NJ>(std::size_t j, std::integral_constant<std::size_t, NJ>) {
            columns_tile<MV, NJ>(k, a, lda, B + j * bj, bp, bj, C + i * n + j, n, valid, add);
        });
    };
    std::size_t i = 0;
    for (; i + mv * w <= m; i += mv * w) rows(i, A + i, m, mv * w, std::integral_constant<std::size_t, mv>{});
    for (; i + w <= m; i += w) rows(i, A + i, m, w, std::integral_constant<std::size_t, 1>{});
    if (i < m) {
        T* tail = scratch<T>(1, k * w);
        for (std::size_t p = 0; p < k; ++p)
            for (std::size_t l = 0; l < w; ++l) tail[p * w + l] = i + l < m ? A[p * m + i + l] : T(0);
        rows(i, tail, w, m - i, std::integral_constant<std::size_t, 1>{});
    }
}
}  // namespace kernel

/// The kernels of gemm.
enum class product_kernel {
    matrix_vector,  ///< one column or one row (gemv_kernels.hpp)
    dots,           ///< narrow C, A not transposed: dot products along the depth (kernel::gemm_dots)
    columns,        ///< narrow C, A transposed: along C's rows, whose A is contiguous (kernel::gemm_columns)
    packed,         ///< the packed micro-tiles (kernel::gemm_tiles)
};

/// The kernel gemm runs for op(A) (m x k) op(B) (k x n), for tests to check and gemm to follow.
/// The packed kernel computes its micro-tile's NR columns, so a narrow C (a softmax regression's
/// 10 classes: 10 of 16 lanes) goes to a kernel that computes C's own entries only: with A
/// transposed (the gradient's X^T G), up to 40 columns; else, where the packed kernel would leave
/// more than a fifth of its lanes idle, where op(B) fits in L1 (32 KiB) and the depth is enough
/// for the horizontal sums (4 batches). Measured on SSE2, AVX2 and AVX-512 against the packed
/// kernel: 0.3-0.9x its time on these shapes; the dots kernel is slower when op(B) spills L1 or
/// the depth is short, the columns kernel when C is wider.
template <class T>
product_kernel product_path(bool trans_a, std::size_t m, std::size_t n, std::size_t k) {
    using namespace kernel;
    if (n == 1 || m == 1) return product_kernel::matrix_vector;
    if (trans_a) return n <= 40 ? product_kernel::columns : product_kernel::packed;
    const std::size_t nr = n <= W<T> ? W<T> : 2 * W<T>;
    const std::size_t lanes = (n + nr - 1) / nr * nr;
    const bool idle = 5 * n < 4 * lanes;
    const bool in_l1 = n * k * sizeof(T) <= std::size_t{32} * 1024;
    return idle && in_l1 && k >= 4 * W<T> ? product_kernel::dots : product_kernel::packed;
}

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
    switch (product_path<T>(trans_a, m, n, k)) {
        // one column (y = op(A) b) or one row (y^T = a^T op(B) = (op(B)^T a)^T): matrix-vector
        case product_kernel::matrix_vector:
            if (n == 1) return gemv(trans_a, m, k, A, B, C, accumulate);
            return gemv(!trans_b, n, k, B, A, C, accumulate);
        case product_kernel::dots: return gemm_dots(trans_b, m, n, k, A, B, C, accumulate);
        case product_kernel::columns: return gemm_columns(trans_b, m, n, k, A, B, C, accumulate);
        case product_kernel::packed:
            if (n <= W<T>) return gemm_tiles<1>(trans_a, trans_b, m, n, k, A, B, C, accumulate);
            return gemm_tiles<2>(trans_a, trans_b, m, n, k, A, B, C, accumulate);
    }
}

}  // namespace symdiff::detail
