// The seed notebooks' models: their derivatives print as a person would write them and evaluate
// to the hand-derived closed forms.
#define BOOST_TEST_MODULE seed_models
#include <boost/test/unit_test.hpp>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;
using namespace symdiff::literals;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
constexpr auto c = symbol<"c">;
constexpr auto t = symbol<"t">;
}  // namespace

BOOST_AUTO_TEST_CASE(derivative_of_square_at_3_is_6) {
    static_assert(evaluate(derivative(square(x), x), x = 3.0) == 6.0);
    BOOST_TEST(to_string(derivative(square(x), x)) == "2 * x");
}

BOOST_AUTO_TEST_CASE(scale_model_gradient) {
    constexpr auto loss = mean(square(w * x - y));
    BOOST_TEST(to_string(derivative(loss, w)) == "mean(2 * (w * x - y) * x)");
    const xt::xtensor<double, 1> X{1, 2, 3, 4}, Y{2, 4, 6, 8};
    // closed form: mean(2 (w x - y) x) at w = 0 is -2 mean(y x) = -2 * 60 / 4 = -30
    BOOST_TEST(evaluate(derivative(loss, w), w = 0.0, x = X, y = Y) == -30.0);
}

BOOST_AUTO_TEST_CASE(linear_model_gradients_print) {
    constexpr auto loss = mean(square(a * x + b - y));
    BOOST_TEST(to_string(derivative(loss, a)) == "mean(2 * (a * x + b - y) * x)");
    BOOST_TEST(to_string(derivative(loss, b)) == "mean(2 * (a * x + b - y))");
}

BOOST_AUTO_TEST_CASE(linear_regression_matrix_gradient) {
    constexpr auto loss = mean(square(dot(x, a) - y));
    BOOST_TEST(to_string(derivative(loss, a)) == "dot(transpose(x), 2 * (dot(x, a) - y) / n)");
    const xt::xtensor<double, 2> X{{1, 1}, {2, 1}, {3, 1}, {4, 1}};
    const xt::xtensor<double, 1> Y{2, 4, 6, 8}, A{1, 1};
    const auto g = evaluate(derivative(loss, a), x = X, a = A, y = Y);
    // closed form 2/n X^T (X a - y): residual (0, -1, -2, -3)
    BOOST_REQUIRE_EQUAL(g.size(), 2u);
    BOOST_TEST(g(0) == -10.0);
    BOOST_TEST(g(1) == -3.0);
}

BOOST_AUTO_TEST_CASE(quadratic_model_gradients_print) {
    constexpr auto loss = mean(square(a * square(t) + b * t + c - y));
    BOOST_TEST(to_string(derivative(loss, a)) == "mean(2 * (a * t^2 + b * t + c - y) * t^2)");
    BOOST_TEST(to_string(derivative(loss, b)) == "mean(2 * (a * t^2 + b * t + c - y) * t)");
    BOOST_TEST(to_string(derivative(loss, c)) == "mean(2 * (a * t^2 + b * t + c - y))");
}
