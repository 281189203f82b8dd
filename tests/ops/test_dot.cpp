// dot and transpose: values for every operand rank, and derivatives of vector products (forward
// and reverse mode) against closed forms; float data.
#define BOOST_TEST_MODULE ops_dot
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
    // d/dw (w . y) = y: by forward mode (dot(w, y) is not a scalar by construction) and reverse mode
    const xt::xtensor<double, 1> u{1.0, -2.0, 0.5};
    const xt::xtensor<double, 1> t{3.0, 0.5, -1.0};
    BOOST_TEST(all_near(evaluate(derivative(dot(w, y), w), w = u, y = t), t, 0.0));
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
