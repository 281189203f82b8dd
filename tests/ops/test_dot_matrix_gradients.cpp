// Gradients with respect to matrix symbols through matrix products, transposes and a bias
// broadcast over rows, against matrix-calculus closed forms and central differences.
#define BOOST_TEST_MODULE ops_dot_matrix_gradients
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto X = symbol<"X">;
constexpr auto W = symbol<"W">;
constexpr auto A = symbol<"A">;
constexpr auto B = symbol<"B">;
constexpr auto C = symbol<"C">;

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

BOOST_AUTO_TEST_CASE(mean_exp_of_a_matrix_product) {
    // L = mean(exp(X W)), W a matrix:  dL/dW = X^T exp(X W) / 8
    constexpr auto L = mean(exp(dot(X, W)));
    xt::xtensor<double, 2> E = matmul(Xv, Wv);
    for (auto& e : E) e = std::exp(e) / 8;
    const auto dW = evaluate(derivative(L, W), X = Xv, W = Wv);
    BOOST_TEST(all_near(dW, matmul(xt::transpose(Xv), E), 1e-14));
    BOOST_TEST(all_near(dW, gradient_by_differences([&](const auto& P) { return evaluate(L, X = Xv, W = P); }, Wv),
                        fd_tolerance));
}

BOOST_AUTO_TEST_CASE(transposed_product_times_a_matrix) {
    // L = sum((A^T B) * C):  dL/dA = B C^T,  dL/dB = A C,  dL/dC = A^T B
    constexpr auto L = sum(dot(transpose(A), B) * C);
    const xt::xtensor<double, 2> Av{{1.0, -1.0}, {0.5, 2.0}, {-0.5, 0.25}};                                // (3, 2)
    const xt::xtensor<double, 2> Bv{{0.2, 1.0, -1.0, 0.5}, {1.5, -0.5, 0.0, 2.0}, {0.1, 0.3, -0.2, 1.0}};  // (3, 4)
    const xt::xtensor<double, 2> Cv{{1.0, 2.0, -1.0, 0.5}, {-0.5, 0.25, 1.0, 3.0}};                        // (2, 4)
    const auto dA = evaluate(derivative(L, A), A = Av, B = Bv, C = Cv);
    const auto dB = evaluate(derivative(L, B), A = Av, B = Bv, C = Cv);
    const auto dC = evaluate(derivative(L, C), A = Av, B = Bv, C = Cv);
    BOOST_TEST(all_near(dA, matmul(Bv, xt::transpose(Cv)), 1e-14));
    BOOST_TEST(all_near(dB, matmul(Av, Cv), 1e-14));
    BOOST_TEST(all_near(dC, matmul(xt::transpose(Av), Bv), 1e-14));
    BOOST_TEST(all_near(dA,
                        gradient_by_differences([&](const auto& P) { return evaluate(L, A = P, B = Bv, C = Cv); }, Av),
                        fd_tolerance));
    BOOST_TEST(all_near(dB,
                        gradient_by_differences([&](const auto& P) { return evaluate(L, A = Av, B = P, C = Cv); }, Bv),
                        fd_tolerance));
}
