// The containers a symbol can be bound to: xtensor, xarray (dynamic rank), float data, views,
// adapted buffers and temporaries. Values and gradients must not depend on the container kind.
// (Regression: with xtensor 0.24 in C++20, temporaries of xarray-shaped expressions were given a
// fixed rank of 4 and evaluation over xarray data crashed.)
#define BOOST_TEST_MODULE eval_containers
#include <boost/test/unit_test.hpp>

#include <vector>

#include <symdiff/symdiff.hpp>
#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto w = symbol<"w">;
constexpr auto b = symbol<"b">;
constexpr auto X = symbol<"X">;

const xt::xtensor<double, 2> Xt{{1.0, 2.0, -1.0}, {0.5, -0.5, 2.0}};
const xt::xtensor<double, 1> wt{0.2, -0.4, 0.1};
}  // namespace

BOOST_AUTO_TEST_CASE(elementwise_over_xarray) {
    const xt::xarray<double> xa{{1.0, 2.0}, {3.0, 4.0}, {5.0, 6.0}};
    const auto v = evaluate(2.0 * x + sin(x), x = xa);
    BOOST_TEST(v.dimension() == 2u);
    BOOST_TEST(near(v(2, 1), 12.0 + std::sin(6.0), 1e-15));
    BOOST_TEST(all_near(evaluate(derivative(square(x), x), x = xa), 2.0 * xa, 0.0));
}

BOOST_AUTO_TEST_CASE(elementwise_function_of_a_matrix_product) {
    // dot returns an array whose rank is known only at run time; exp of it must keep that rank
    const auto v = evaluate(exp(dot(X, w)) + 1.0, X = Xt, w = wt);
    BOOST_TEST(v.dimension() == 1u);
    BOOST_TEST(near(v(0), std::exp(0.2 - 0.8 - 0.1) + 1, 1e-15));
    BOOST_TEST(near(v(1), std::exp(0.1 + 0.2 + 0.2) + 1, 1e-15));
}

BOOST_AUTO_TEST_CASE(gradient_with_xarray_data_and_a_broadcast_bias) {
    // L = sum((X w + b)^2) with X an xarray and b a scalar:  dL/db = sum(2 (X w + b))
    const xt::xarray<double> Xa = Xt;
    constexpr auto L = sum(square(dot(X, w) + b));
    const double db = evaluate(derivative(L, b), X = Xa, w = wt, b = 0.5);
    BOOST_TEST(near(db, 2 * ((0.2 - 0.8 - 0.1 + 0.5) + (0.1 + 0.2 + 0.2 + 0.5)), 1e-15));
    const auto dw = evaluate(derivative(L, w), X = Xa, w = wt, b = 0.5);
    BOOST_TEST(all_near(dw, evaluate(derivative(L, w), X = Xt, w = wt, b = 0.5), 0.0));
}

BOOST_AUTO_TEST_CASE(views_adapted_buffers_and_temporaries) {
    const xt::xtensor<double, 2> M{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};
    const auto row = xt::view(M, 1, xt::all());
    BOOST_TEST(evaluate(sum(square(x)), x = row) == 77.0);
    BOOST_TEST(all_near(evaluate(derivative(sum(square(x)), x), x = row), xt::xtensor<double, 1>{8, 10, 12}, 0.0));
    const std::vector<double> buffer{1.0, 2.0, 3.0};
    const auto adapted = xt::adapt(buffer, {3});
    BOOST_TEST(evaluate(mean(x), x = adapted) == 2.0);
    BOOST_TEST(near(evaluate(sum(x * w), x = xt::xtensor<double, 1>{1, 2, 3}, w = wt), 0.2 - 0.8 + 0.3, 1e-15));
}

BOOST_AUTO_TEST_CASE(integer_data_evaluates_in_double) {
    const xt::xtensor<int, 1> counts{1, 2, 3};
    const auto v = evaluate(0.5 * x, x = counts);
    static_assert(std::is_same_v<typename decltype(v)::value_type, double>);
    BOOST_TEST(all_near(v, xt::xtensor<double, 1>{0.5, 1.0, 1.5}, 0.0));
    BOOST_TEST(evaluate(mean(x), x = counts) == 2.0);
}

BOOST_AUTO_TEST_CASE(mixed_float_and_double_data) {
    const xt::xtensor<float, 1> xf{1.0f, 2.0f};
    const xt::xtensor<double, 1> wd{0.5, 0.25};
    const auto v = evaluate(x * w, x = xf, w = wd);  // the common floating type
    static_assert(std::is_same_v<typename decltype(v)::value_type, double>);
    BOOST_TEST(all_near(v, xt::xtensor<double, 1>{0.5, 0.5}, 0.0));
}
