// dot and transpose: values for every operand rank, and derivatives of vector products (forward
// and reverse mode) against closed forms; float data.
#define BOOST_TEST_MODULE ops_dot
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <set>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto X = symbol<"X">;
constexpr auto W = symbol<"W">;
constexpr auto w = symbol<"w">;
constexpr auto y = symbol<"y">;

const xt::xtensor<double, 2> Xv{{1.0, 2.0, -1.0}, {0.5, -0.5, 2.0}, {3.0, 1.0, 0.0}, {-1.0, 0.25, 1.5}};  // (4, 3)
const xt::xtensor<double, 2> Wv{{0.1, -0.2}, {0.3, 0.05}, {-0.1, 0.2}};                                   // (3, 2)

/// Plain-loop matrix product, independent of BLAS and of symdiff.
xt::xtensor<double, 2> matmul(const xt::xtensor<double, 2>& P, const xt::xtensor<double, 2>& Q) {
    xt::xtensor<double, 2> R = xt::zeros<double>({P.shape(0), Q.shape(1)});
    for (std::size_t i = 0; i < P.shape(0); ++i)
        for (std::size_t j = 0; j < Q.shape(1); ++j)
            for (std::size_t k = 0; k < P.shape(1); ++k) R(i, j) += P(i, k) * Q(k, j);
    return R;
}
}  // namespace

BOOST_AUTO_TEST_CASE(values_of_all_operand_ranks) {
    const xt::xtensor<double, 1> u{1, 2, 3};
    // vector . vector: a 0-d array (dot's rank is known only at run time), or a number under sum
    BOOST_TEST(evaluate(dot(w, y), w = u, y = xt::xtensor<double, 1>{4, 5, 6})() == 32.0);
    BOOST_TEST(evaluate(sum(dot(w, y)), w = u, y = xt::xtensor<double, 1>{4, 5, 6}) == 32.0);
    BOOST_TEST(all_near(evaluate(dot(X, w), X = Xv, w = u), xt::xtensor<double, 1>{2, 5.5, 5, 4}, 1e-15));
    BOOST_TEST(all_near(evaluate(dot(w, W), w = u, W = Wv), xt::xtensor<double, 1>{0.4, 0.5}, 1e-15));
    BOOST_TEST(all_near(evaluate(dot(X, W), X = Xv, W = Wv), matmul(Xv, Wv), 1e-15));
    BOOST_TEST(all_near(evaluate(transpose(X), X = Xv), xt::transpose(Xv), 0.0));
    BOOST_TEST(all_near(evaluate(transpose(w), w = u), u, 0.0));  // a vector is its own transpose
}

BOOST_AUTO_TEST_CASE(vector_dot_vector) {
    // d/dw (w . y) = y, by reverse mode. dot(w, y) is not a scalar by construction (for a matrix w
    // it is a vector), so derivative(dot(w, y), w) is forward mode, and with w bound to an array
    // it stops and names gradient_of (ops/for_a_number.hpp)
    const xt::xtensor<double, 1> u{1.0, -2.0, 0.5};
    const xt::xtensor<double, 1> t{3.0, 0.5, -1.0};
    BOOST_TEST(all_near(evaluate(gradient_of(dot(w, y), w), w = u, y = t), t, 0.0));
    BOOST_CHECK_THROW(evaluate(derivative(dot(w, y), w), w = u, y = t), shape_error);
    BOOST_TEST(all_near(evaluate(derivative(sum(dot(w, y)), w), w = u, y = t), t, 0.0));
    BOOST_TEST(
        all_near(evaluate(derivative(square(sum(dot(w, y))), y), w = u, y = t), 2 * (3.0 - 1.0 - 0.5) * u, 1e-15));
}

BOOST_AUTO_TEST_CASE(float_data_gives_float_gradients) {
    const xt::xtensor<float, 2> Xf{{1.0f, 2.0f}, {3.0f, 4.0f}};
    const xt::xtensor<float, 1> wf{0.5f, -0.5f};
    const auto g = evaluate(derivative(sum(dot(X, w)), w), X = Xf, w = wf);  // X^T 1 = column sums
    static_assert(std::is_same_v<typename decltype(g)::value_type, float>);
    BOOST_TEST(all_near(g, xt::xtensor<double, 1>{4.0, 6.0}, 1e-6));
}

// The product kernels take different paths by the length of a row (1 to 7 numbers: loops of a
// compile-time length; up to 8 SIMD batches: sums kept in registers; longer: along the row) and
// by the row count (groups of a SIMD batch's width, pairs, a rest; reads that run into the next
// row except at the end of the matrix). Every path against a plain loop, in both directions, set
// and added, in double and float.
template <class T>
void check_matrix_vector_products(double tolerance) {
    std::vector<std::size_t> lengths;
    for (std::size_t k = 1; k <= 20; ++k) lengths.push_back(k);
    for (const std::size_t k : {31, 32, 33, 64, 65, 70, 129, 140}) lengths.push_back(k);
    for (const std::size_t k : lengths)
        for (const std::size_t m : {1, 7, 8, 9, 16, 17, 33}) {
            std::vector<T> A(m * k), v(k), u(m);
            for (std::size_t i = 0; i < A.size(); ++i)
                A[i] = static_cast<T>(std::sin(0.7 * static_cast<double>(i) + 0.1));
            for (std::size_t p = 0; p < k; ++p) v[p] = static_cast<T>(0.5 - 0.01 * static_cast<double>(p));
            for (std::size_t i = 0; i < m; ++i) u[i] = static_cast<T>(std::cos(0.3 * static_cast<double>(i)));
            for (const bool add : {false, true}) {
                // y = A v (m numbers) and z = A^T u (k numbers), starting from 1 when added
                std::vector<T> y(m, T(1)), z(k, T(1));
                symdiff::detail::gemm(false, false, m, 1, k, A.data(), v.data(), y.data(), add);
                symdiff::detail::gemm(true, false, k, 1, m, A.data(), u.data(), z.data(), add);
                for (std::size_t i = 0; i < m; ++i) {
                    double e = add ? 1.0 : 0.0;
                    for (std::size_t p = 0; p < k; ++p) e += static_cast<double>(A[i * k + p]) * v[p];
                    BOOST_TEST(std::abs(y[i] - e) <= tolerance, "A v, k = " << k << ", m = " << m << ", row " << i);
                }
                for (std::size_t p = 0; p < k; ++p) {
                    double e = add ? 1.0 : 0.0;
                    for (std::size_t i = 0; i < m; ++i) e += static_cast<double>(A[i * k + p]) * u[i];
                    BOOST_TEST(std::abs(z[p] - e) <= tolerance,
                               "A^T u, k = " << k << ", m = " << m << ", column " << p);
                }
            }
        }
}

BOOST_AUTO_TEST_CASE(matrix_vector_products_of_every_path) {
    check_matrix_vector_products<double>(1e-12);
    check_matrix_vector_products<float>(2e-4);
}

// Matrix products: micro-tiles of one SIMD batch of columns (12 rows) or two (6 rows), edges of
// both, depths across a packed panel (256), A and B transposed or not; the narrow kernels' tiles
// (4 rows x 3 or 5 columns of dot products; 2 batches of rows x 6 or 10 columns) and their edges;
// against plain loops. Every kernel of product_path must have run.
template <class T>
void check_matrix_products(double tolerance) {
    using symdiff::detail::product_kernel;
    std::set<product_kernel> ran;
    for (const bool ta : {false, true})
        for (const bool tb : {false, true})
            for (const std::size_t m : {2, 5, 12, 13, 37, 100})
                for (const std::size_t n : {2, 3, 7, 8, 10, 11, 16, 17, 33, 41})
                    for (const std::size_t k : {1, 7, 67, 300}) {
                        ran.insert(symdiff::detail::product_path<T>(ta, m, n, k));
                        std::vector<T> A(m * k), Bm(k * n);
                        for (std::size_t i = 0; i < A.size(); ++i)
                            A[i] = static_cast<T>(std::sin(0.37 * static_cast<double>(i)));
                        for (std::size_t i = 0; i < Bm.size(); ++i)
                            Bm[i] = static_cast<T>(std::cos(0.23 * static_cast<double>(i)));
                        // op(A)[i][p] and op(B)[p][j] of the row-major storage
                        const auto a = [&](std::size_t i, std::size_t p) { return ta ? A[p * m + i] : A[i * k + p]; };
                        const auto b = [&](std::size_t p, std::size_t j) { return tb ? Bm[j * k + p] : Bm[p * n + j]; };
                        for (const bool add : {false, true}) {
                            std::vector<T> C(m * n, T(1));
                            symdiff::detail::gemm(ta, tb, m, n, k, A.data(), Bm.data(), C.data(), add);
                            double worst = 0;
                            for (std::size_t i = 0; i < m; ++i)
                                for (std::size_t j = 0; j < n; ++j) {
                                    double e = add ? 1.0 : 0.0;
                                    for (std::size_t p = 0; p < k; ++p)
                                        e += static_cast<double>(a(i, p)) * static_cast<double>(b(p, j));
                                    worst = std::max(worst, std::abs(C[i * n + j] - e));
                                }
                            BOOST_TEST(worst <= tolerance, "op(A) op(B), m = " << m << ", n = " << n << ", k = " << k
                                                                               << ", trans " << ta << tb << ", add "
                                                                               << add);
                        }
                    }
    BOOST_TEST(ran.count(product_kernel::dots) == 1);
    BOOST_TEST(ran.count(product_kernel::columns) == 1);
    BOOST_TEST(ran.count(product_kernel::packed) == 1);
}

BOOST_AUTO_TEST_CASE(matrix_products_of_every_tile) {
    check_matrix_products<double>(1e-12);
    check_matrix_products<float>(1e-3);
}
