// Higher derivatives: derivative<N> of pow(x, 5) has exact coefficients down to the constant and
// then 0; the fourth derivative of tanh against its hand-derived closed form and against central
// differences of the third; sin comes back to itself after four derivatives, by type.
//
// Fourth derivative of tanh, with t = tanh x and s = sech^2 x = 1 - t^2, t' = s, s' = -2 t s:
//   f'    = s
//   f''   = -2 t s
//   f'''  = -2 s^2 + 4 t^2 s                    = -2 s (1 - 3 t^2)
//   f'''' = 4 t s + 6 (2 t s^2 - 2 t^3 s)       = 4 t s (1 + 3 s - 3 t^2) = 8 t s (2 - 3 t^2)
// (near 0: tanh x = x - x^3/3 + 2 x^5/15 - ..., so f''''(x) = 16 x + O(x^3), as 8 t s (2 - 3 t^2) gives.)
#define BOOST_TEST_MODULE diff_higher_order
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <type_traits>

#include <symdiff/symdiff.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
}  // namespace

BOOST_AUTO_TEST_CASE(derivatives_of_x_to_the_fifth_are_exact) {
    constexpr auto f = pow(x, 5_c);
    BOOST_TEST(to_string(derivative<1>(f, x)) == "5 * x^4");
    BOOST_TEST(to_string(derivative<2>(f, x)) == "20 * x^3");
    BOOST_TEST(to_string(derivative<3>(f, x)) == "60 * x^2");
    BOOST_TEST(to_string(derivative<4>(f, x)) == "120 * x");
    static_assert(std::is_same_v<decltype(derivative<5>(f, x)), constant<120>>);
    static_assert(std::is_same_v<decltype(derivative<6>(f, x)), constant<0>>);
    static_assert(std::is_same_v<decltype(derivative<0>(f, x)), std::remove_const_t<decltype(f)>>);
    BOOST_TEST(evaluate(derivative<3>(f, x), x = 1.5) == 60 * 2.25);
}

BOOST_AUTO_TEST_CASE(rational_power_stays_exact) {
    // (x^(1/3))'' = 1/3 (-2/3) x^(-5/3) = -2/9 x^(-5/3)
    constexpr auto f = pow(x, exact<1, 3>);
    BOOST_TEST(to_string(derivative<2>(f, x)) == "-2/9 * x^(-5/3)");
    BOOST_TEST(near(evaluate(derivative<2>(f, x), x = 8.0), -2.0 / 9.0 / 32.0, 1e-15));
}

BOOST_AUTO_TEST_CASE(fourth_derivative_of_tanh) {
    constexpr auto d3 = derivative<3>(tanh(x), x);
    constexpr auto d4 = derivative<4>(tanh(x), x);
    for (double v : {-2.0, -0.7, 0.0, 0.4, 1.1, 3.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            const double t = std::tanh(v), s = 1 - t * t;
            BOOST_TEST(near(evaluate(d3, x = v), -2 * s * (1 - 3 * t * t), 1e-14));
            BOOST_TEST(near(evaluate(d4, x = v), 8 * t * s * (2 - 3 * t * t), 1e-13));
            BOOST_TEST(near(evaluate(d4, x = v), difference_quotient(d3, x, v), fd_tolerance));
        }
    }
    BOOST_TEST(near(evaluate(d4, x = 1e-4), 16e-4, 1e-10));  // 16 x near 0
}

BOOST_AUTO_TEST_CASE(fourth_derivative_of_sin_is_sin) {
    static_assert(std::is_same_v<decltype(derivative<4>(sin(x), x)), decltype(sin(x))>);
    static_assert(std::is_same_v<decltype(derivative<2>(sin(x), x)), decltype(-sin(x))>);
    BOOST_TEST(to_string(derivative<3>(cos(x), x)) == "sin(x)");
}

BOOST_AUTO_TEST_CASE(third_derivative_of_exp_of_a_multiple) {
    // (e^(2x))''' = 8 e^(2x)
    BOOST_TEST(to_string(derivative<3>(exp(2_c * x), x)) == "8 * exp(2 * x)");
    BOOST_TEST(near(evaluate(derivative<3>(exp(2_c * x), x), x = 0.3), 8 * std::exp(0.6), 1e-15));
}
