#pragma once
// Matrix products on dense row-major blocks, for the dot operation:
//   C (m x n) = op(A) op(B), op(X) = X or X^T, with A and B row-major.
// `accumulate`: C += op(A) op(B) instead of C = op(A) op(B).
#include <algorithm>
#include <cstddef>

namespace symdiff::detail {

template <class T>
void gemm(bool trans_a, bool trans_b, std::size_t m, std::size_t n, std::size_t k, const T* A, const T* B, T* C,
          bool accumulate = false) {
    if (!accumulate) std::fill(C, C + m * n, T(0));
    if (!trans_b) {
        // C[i, :] += A(i, p) * B[p, :]: the inner loop runs along rows of B and C
        for (std::size_t i = 0; i < m; ++i) {
            T* c = C + i * n;
            for (std::size_t p = 0; p < k; ++p) {
                const T a = trans_a ? A[p * m + i] : A[i * k + p];
                const T* b = B + p * n;
                for (std::size_t j = 0; j < n; ++j) c[j] += a * b[j];
            }
        }
    } else {
        // C[i, j] += <row i of op(A), row j of B>
        for (std::size_t i = 0; i < m; ++i)
            for (std::size_t j = 0; j < n; ++j) {
                const T* b = B + j * k;
                T s = 0;
                if (!trans_a) {
                    const T* a = A + i * k;
                    for (std::size_t p = 0; p < k; ++p) s += a[p] * b[p];
                } else {
                    for (std::size_t p = 0; p < k; ++p) s += A[p * m + i] * b[p];
                }
                C[i * n + j] += s;
            }
    }
}

}  // namespace symdiff::detail
