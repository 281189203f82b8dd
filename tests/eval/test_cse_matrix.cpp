// evaluate(hana::make_tuple(loss, gradient)) with a matrix product inside gives the same numbers
// as separate evaluations.
#define BOOST_TEST_MODULE eval_cse_matrix
#include <boost/test/unit_test.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;
namespace hana = boost::hana;

namespace {
constexpr auto y = symbol<"y">;
constexpr auto W = symbol<"W">;
constexpr auto X = symbol<"X">;

const xt::xtensor<double, 1> ys{1.0, 0.0, 3.0, 2.5, -0.5};
}  // namespace

BOOST_AUTO_TEST_CASE(loss_and_matrix_gradient) {
    constexpr auto loss = sum(square(tanh(dot(X, W)) - y));
    constexpr auto dW = derivative(loss, W);
    const xt::xtensor<double, 2> Xv{{1.0, 0.5}, {-1.0, 2.0}, {0.25, 0.0}, {3.0, -1.0}, {0.5, 0.5}};
    const xt::xtensor<double, 1> Wv{0.3, -0.2};
    const auto together = evaluate(hana::make_tuple(loss, dW), X = Xv, W = Wv, y = ys);
    BOOST_TEST(near(hana::at_c<0>(together), evaluate(loss, X = Xv, W = Wv, y = ys), 1e-14));
    BOOST_TEST(all_near(hana::at_c<1>(together), evaluate(dW, X = Xv, W = Wv, y = ys), 1e-14));
}
