// to_string and to_latex with the values bound: a gradient reduction is written with what it sums,
// from the shapes of the values (the strings are what a person writes for each case; one value is
// checked against the sum the string describes, computed by hand).
#define BOOST_TEST_MODULE print_with_bindings
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;
using namespace symdiff::literals;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;

const xt::xtensor<double, 2> X = xt::ones<double>({100, 3});
const xt::xtensor<double, 2> Y = xt::zeros<double>({100, 3});
const xt::xtensor<double, 1> Bv{1.0, 2.0, 3.0};

constexpr auto bias_mse = mean(square(x + b - y));
}  // namespace

BOOST_AUTO_TEST_CASE(a_bias_vector_sums_over_the_rows) {
    // b (3) broadcast over the 100 rows of x: the gradient sums axis 0 and divides by 300
    const auto db = derivative(bias_mse, b);
    BOOST_TEST(to_string(db) == "mean(2 * (x + b - y))");  // without values: the scalar's formula
    BOOST_TEST(to_string(db, x = X, b = Bv, y = Y) == "sum(2 * (x + b - y), axis=0) / 300");
    BOOST_TEST(to_latex(db, x = X, b = Bv, y = Y) ==
               "\\frac{\\sum\\left(2 \\cdot \\left(x + b - y\\right), \\text{axis}=0\\right)}{300}");
    BOOST_TEST(to_string(derivative(sum(square(x + b - y)), b), x = X, b = Bv, y = Y) ==
               "sum(2 * (x + b - y), axis=0)");

    // the value is what the string says: sum over axis 0 of 2 (x + b - y), over 300
    const xt::xtensor<double, 1> g = evaluate(db, x = X, b = Bv, y = Y);
    for (std::size_t j = 0; j < 3; ++j) {
        double s = 0;
        for (std::size_t r = 0; r < 100; ++r) s += 2 * (X(r, j) + Bv(j) - Y(r, j));
        BOOST_TEST(std::abs(g(j) - s / 300) < 1e-14);
    }
}

BOOST_AUTO_TEST_CASE(a_scalar_keeps_the_seeds_formula) {
    const auto db = derivative(bias_mse, b);
    BOOST_TEST(to_string(db, x = X, b = 0.5, y = Y) == "mean(2 * (x + b - y))");
    BOOST_TEST(to_latex(db, x = X, b = 0.5, y = Y) == to_latex(db));
    const xt::xtensor<double, 1> xs{1.0, 2.0, 3.0};
    const auto da = derivative(mean(square(a * x + b - y)), a);
    BOOST_TEST(to_string(da, a = 1.0, b = 2.0, x = xs, y = xs) == "mean(2 * (a * x + b - y) * x)");
}

BOOST_AUTO_TEST_CASE(nothing_summed) {
    // onto the data itself: every element has its own term
    BOOST_TEST(to_string(derivative(mean(square(x - y)), x), x = X, y = Y) == "2 * (x - y) / 300");
    BOOST_TEST(to_string(derivative(mean(square(x - y)), x)) == "mean(2 * (x - y))");  // without: ambiguous
    BOOST_TEST(to_string(derivative(sum(relu(x)), x), x = X) == "step(x)");
    // an expression without reductions prints as without values
    BOOST_TEST(to_string(square(x) + b, x = X, b = 1.0) == "x^2 + b");
}

BOOST_AUTO_TEST_CASE(repeats_and_several_axes) {
    // d/db sum(x + b) counts the elements that each element of b meets
    BOOST_TEST(to_string(derivative(sum(x + b), b), x = X, b = Bv) == "100");
    BOOST_TEST(to_string(derivative(sum(x + b), b), x = X, b = 2.0) == "300");
    // z (1, 3) repeats over the 100 rows of x: d/db sum(z * (x + b)) for a number b is 100 sum(z)
    constexpr auto z = symbol<"z">;
    const xt::xtensor<double, 2> Z{{1.0, 2.0, 3.0}};
    BOOST_TEST(to_string(derivative(sum(z * (x + b)), b), x = X, b = 2.0, z = Z) == "100 * sum(z)");
    BOOST_TEST(double(evaluate(derivative(sum(z * (x + b)), b), x = X, b = 2.0, z = Z)) == 600.0);
    // x (4, 5, 3), b (3): two axes summed
    const xt::xtensor<double, 3> X3 = xt::ones<double>({4, 5, 3});
    BOOST_TEST(to_string(derivative(sum(square(x + b)), b), x = X3, b = Bv) == "sum(2 * (x + b), axis=(0, 1))");
    // b (1, 3): the axis of extent 1 is summed, the other kept
    const xt::xtensor<double, 2> B13{{1.0, 2.0, 3.0}};
    BOOST_TEST(to_string(derivative(sum(square(x + b)), b), x = X, b = B13) == "sum(2 * (x + b), axis=0)");
    // b (100, 1): a column, summed along axis 1
    const xt::xtensor<double, 2> B1 = xt::ones<double>({100, 1});
    BOOST_TEST(to_string(derivative(sum(square(x + b)), b), x = X, b = B1) == "sum(2 * (x + b), axis=1)");
}

BOOST_AUTO_TEST_CASE(parentheses_follow_what_is_printed) {
    const auto db = derivative(bias_mse, b);
    BOOST_TEST(to_string(3.0 * db, x = X, b = Bv, y = Y) == "3 * (sum(2 * (x + b - y), axis=0) / 300)");
    BOOST_TEST(to_string(square(db), x = X, b = Bv, y = Y) == "(sum(2 * (x + b - y), axis=0) / 300)^2");
    BOOST_TEST(to_string(square(db), x = X, b = 0.5, y = Y) == "mean(2 * (x + b - y))^2");
    BOOST_TEST(to_string(-db, x = X, b = Bv, y = Y) == "-(sum(2 * (x + b - y), axis=0) / 300)");
    BOOST_TEST(to_string(-db, x = X, b = 0.5, y = Y) == "-mean(2 * (x + b - y))");
}
