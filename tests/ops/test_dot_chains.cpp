// Gradients through a product followed by a broadcast bias, and through a chain of three
// matrix products, against matrix-calculus closed forms and central differences.
#define BOOST_TEST_MODULE ops_dot_chains
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
constexpr auto b = symbol<"b">;
constexpr auto A = symbol<"A">;
constexpr auto B = symbol<"B">;
constexpr auto C = symbol<"C">;

const xt::xtensor<double, 2> Xv{{1.0, 2.0, -1.0}, {0.5, -0.5, 2.0}, {3.0, 1.0, 0.0}, {-1.0, 0.25, 1.5}};  // (4, 3)
const xt::xtensor<double, 2> Wv{{0.1, -0.2}, {0.3, 0.05}, {-0.1, 0.2}};                                   // (3, 2)
const xt::xtensor<double, 1> bv{0.5, -1.0};                                                               // (2)

/// Plain-loop matrix product, independent of BLAS and of symdiff.
xt::xtensor<double, 2> matmul(const xt::xtensor<double, 2>& P, const xt::xtensor<double, 2>& Q) {
    xt::xtensor<double, 2> R = xt::zeros<double>({P.shape(0), Q.shape(1)});
    for (std::size_t i = 0; i < P.shape(0); ++i)
        for (std::size_t j = 0; j < Q.shape(1); ++j)
            for (std::size_t k = 0; k < P.shape(1); ++k) R(i, j) += P(i, k) * Q(k, j);
    return R;
}
}  // namespace

BOOST_AUTO_TEST_CASE(bias_broadcast_over_the_rows_of_a_product) {
    // L = sum((X W + b)^2), b (2) added to each row:
    // dL/db = sum over rows of 2 (X W + b),  dL/dW = X^T 2 (X W + b),  dL/dX = 2 (X W + b) W^T
    constexpr auto L = sum(square(dot(X, W) + b));
    xt::xtensor<double, 2> Z = matmul(Xv, Wv);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 2; ++j) Z(i, j) = 2 * (Z(i, j) + bv(j));
    xt::xtensor<double, 1> gb = xt::zeros<double>({2});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 2; ++j) gb(j) += Z(i, j);
    const auto db = evaluate(derivative(L, b), X = Xv, W = Wv, b = bv);
    const auto dW = evaluate(derivative(L, W), X = Xv, W = Wv, b = bv);
    const auto dX = evaluate(derivative(L, X), X = Xv, W = Wv, b = bv);
    BOOST_TEST(all_near(db, gb, 1e-14));
    BOOST_TEST(all_near(dW, matmul(xt::transpose(Xv), Z), 1e-14));
    BOOST_TEST(all_near(dX, matmul(Z, xt::transpose(Wv)), 1e-14));
    BOOST_TEST(all_near(db,
                        gradient_by_differences([&](const auto& P) { return evaluate(L, X = Xv, W = Wv, b = P); }, bv),
                        fd_tolerance));
    BOOST_TEST(all_near(dW,
                        gradient_by_differences([&](const auto& P) { return evaluate(L, X = Xv, W = P, b = bv); }, Wv),
                        fd_tolerance));
}

BOOST_AUTO_TEST_CASE(chain_of_three_matrices) {
    // L = sum(A B C) with A (2, 3), B (3, 4), C (4, 2):  dL/dB = A^T 1 C^T
    constexpr auto L = sum(dot(dot(A, B), C));
    const xt::xtensor<double, 2> Av{{1.0, -1.0, 0.5}, {2.0, 0.25, -0.5}};
    const xt::xtensor<double, 2> Bv = xt::ones<double>({3, 4}) * 0.5;
    const xt::xtensor<double, 2> Cv{{1.0, 0.0}, {-1.0, 2.0}, {0.5, 0.5}, {0.25, -1.0}};
    const xt::xtensor<double, 2> ones = xt::ones<double>({2, 2});
    const auto dB = evaluate(derivative(L, B), A = Av, B = Bv, C = Cv);
    BOOST_TEST(all_near(dB, matmul(matmul(xt::transpose(Av), ones), xt::transpose(Cv)), 1e-14));
    BOOST_TEST(all_near(dB,
                        gradient_by_differences([&](const auto& P) { return evaluate(L, A = Av, B = P, C = Cv); }, Bv),
                        fd_tolerance));
}
