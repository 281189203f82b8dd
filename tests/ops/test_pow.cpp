// pow: exact integer and rational exponents (derivatives stay exact), a runtime exponent, a
// symbolic exponent (both partials), a symbolic base under an exact exponent; closed forms,
// central differences, arrays and float data.
#define BOOST_TEST_MODULE ops_pow
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr double points[] = {0.3, 1.0, 1.7, 4.0};
}  // namespace

BOOST_AUTO_TEST_CASE(integer_exponent) {
    constexpr auto f = pow(x, 5_c);
    BOOST_TEST(to_string(derivative(f, x)) == "5 * x^4");
    for (double v : {-1.5, -0.2, 0.0, 1.0, 2.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), 5 * std::pow(v, 4), 1e-15));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(negative_integer_exponent) {
    constexpr auto f = pow(x, -2_c);  // (x^-2)' = -2 x^-3
    BOOST_TEST(to_string(derivative(f, x)) == "-2 * x^(-3)");
    for (double v : {-1.5, -0.2, 0.4, 2.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), -2 / (v * v * v), 1e-14));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(rational_exponent) {
    constexpr auto f = pow(x, exact<3, 2>);  // (x^(3/2))' = 3/2 x^(1/2)
    BOOST_TEST(to_string(derivative(f, x)) == "3/2 * sqrt(x)");
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), 1.5 * std::sqrt(v), 1e-15));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(runtime_exponent) {
    constexpr auto f = pow(x, literal<double>{2.5});  // (x^2.5)' = 2.5 x^1.5
    for (double v : points) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(f, x = v), std::pow(v, 2.5), 1e-15));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), 2.5 * std::pow(v, 1.5), 1e-14));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(plain_number_exponent_and_base) {
    // A plain number is a runtime literal, as in `0.5 * x`: pow(x, 3) and pow(x, literal{3}) agree.
    constexpr auto f = pow(x, 3);    // (x^3)' = 3 x^2, also at negative x (no log of the base)
    constexpr auto g = pow(2.0, x);  // (2^x)' = 2^x log 2
    for (double v : {-1.5, -0.2, 0.4, 2.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(f, x = v), v * v * v, 1e-15));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), 3 * v * v, 1e-14));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
            BOOST_TEST(near(evaluate(derivative(g, x), x = v), std::pow(2.0, v) * std::log(2.0), 1e-14));
            BOOST_TEST(near(evaluate(derivative(g, x), x = v), difference_quotient(g, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(symbolic_exponent_both_partials) {
    // (x^y)'x = y x^(y - 1),   (x^y)'y = x^y log x
    constexpr auto f = pow(x, y);
    constexpr double ys[] = {-1.5, 0.5, 2.0, 3.25};
    for (double xv : points) {
        for (double yv : ys) {
            BOOST_TEST_CONTEXT("x = " << xv << ", y = " << yv) {
                BOOST_TEST(near(evaluate(derivative(f, x), x = xv, y = yv), yv * std::pow(xv, yv - 1), 1e-14));
                BOOST_TEST(near(evaluate(derivative(f, y), x = xv, y = yv), std::pow(xv, yv) * std::log(xv), 1e-14));
                BOOST_TEST(near(evaluate(derivative(f, y), x = xv, y = yv), difference_quotient(f, y, yv, x = xv),
                                fd_tolerance));
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(runtime_exponents_at_a_base_of_zero) {
    // d/dx x^b = b x^(b-1): at x = 0 with b = 0 that is 0 * 0^-1, which must read 0 (x^0 = 1 is
    // constant; PyTorch's convention), not 0 * inf = NaN. Higher derivatives multiply by b - 1,
    // b - 2, ...: the third of x^2 at 0 is 2 * 1 * 0 * 0^-1 = 0.
    BOOST_TEST(evaluate(derivative(pow(x, 0.0), x), x = 0.0) == 0.0);
    BOOST_TEST(evaluate(derivative(pow(x, y), x), x = 0.0, y = 0.0) == 0.0);
    BOOST_TEST(evaluate(derivative<2>(pow(x, y), x), x = 0.0, y = 1.0) == 0.0);
    BOOST_TEST(evaluate(derivative<3>(pow(x, 2.0), x), x = 0.0) == 0.0);
    BOOST_TEST(evaluate(derivative<3>(pow(x, y), x), x = 0.0, y = 2.0) == 0.0);
    // where the power is not 0 * inf the values are unchanged: 2.0 x at 0, 3 x^2 away from 0
    BOOST_TEST(evaluate(derivative(pow(x, 2.0), x), x = 0.0) == 0.0);
    BOOST_TEST(evaluate(derivative<2>(pow(x, 2.0), x), x = 0.0) == 2.0);
    BOOST_TEST(near(evaluate(derivative<2>(pow(x, y), x), x = 1.5, y = 3.0), 3.0 * 2.0 * 1.5, 1e-14));
    // over arrays, in the engine's SIMD loop: b = 0 lanes give 0, the others b x^(b-1)
    const xt::xtensor<double, 1> X{0.0, 0.5, 2.0, 0.0, 1.0, 3.0, 0.0, 2.5, 0.25};
    const xt::xtensor<double, 1> Y{0.0, 3.0, -1.5, 0.0, 0.0, 2.0, 2.0, 0.5, 1.0};
    const xt::xarray<double> d = evaluate(derivative(pow(x, y), x), x = X, y = Y);
    for (std::size_t i = 0; i < X.size(); ++i) {
        const double expected = Y(i) == 0.0 ? 0.0 : Y(i) * std::pow(X(i), Y(i) - 1);
        BOOST_TEST(near(d(i), expected, 1e-14), "entry " << i);
    }
    // printed as the product it is
    BOOST_TEST(to_string(derivative(pow(x, y), x)) == "y * x^(y - 1)");
}

BOOST_AUTO_TEST_CASE(runtime_powers_over_arrays_are_std_pow_at_every_position) {
    // 19 entries: the SIMD body and the scalar rest of the engine's loop (a zero base at every
    // position). std::pow is the reference: 0^0 = 1, 0^-1 = inf, and the same bits elsewhere.
    xt::xtensor<double, 1> zeros = xt::zeros<double>({19}), bases = zeros, exponents = zeros;
    for (std::size_t i = 0; i < 19; ++i) {
        bases(i) = 0.37 + 13.1 * static_cast<double>(i);
        exponents(i) = -3.3 + 2.9 * static_cast<double>(i % 7);
    }
    const xt::xarray<double> p0 = evaluate(pow(x, 0.0), x = zeros), pm1 = evaluate(pow(x, -1.0), x = zeros);
    const xt::xarray<double> d1 = evaluate(derivative(pow(x, 1.0), x), x = zeros);
    const xt::xarray<double> p = evaluate(pow(x, y), x = bases, y = exponents);
    for (std::size_t i = 0; i < 19; ++i) {
        BOOST_TEST(p0(i) == 1.0, "entry " << i);
        BOOST_TEST(pm1(i) == std::numeric_limits<double>::infinity(), "entry " << i);
        BOOST_TEST(d1(i) == 1.0, "entry " << i);  // 1 * x^0
        BOOST_TEST(p(i) == std::pow(bases(i), exponents(i)), "entry " << i);
    }
    // the Hessian of sum(a^2.0) at zeros is 2 I (each column's second derivative 2 * 1 * a^0)
    const xt::xarray<double> H = hessian_at(sum(pow(x, 2.0)), x, x = xt::xtensor<double, 1>(xt::zeros<double>({9})));
    for (std::size_t i = 0; i < 9; ++i)
        for (std::size_t j = 0; j < 9; ++j) BOOST_TEST(H(i, j) == (i == j ? 2.0 : 0.0), i << ", " << j);
    // float: the same with std::pow's float overload
    const xt::xtensor<float, 1> fb = xt::cast<float>(bases), fe = xt::cast<float>(exponents);
    const xt::xarray<float> pf = evaluate(pow(x, y), x = fb, y = fe);
    for (std::size_t i = 0; i < 19; ++i) BOOST_TEST(pf(i) == std::pow(fb(i), fe(i)), "entry " << i);
}

BOOST_AUTO_TEST_CASE(exponent_derivative_at_a_base_of_zero) {
    // d/db a^b = a^b log a: at a = 0 with b > 0 that is 0 * -inf, which must read 0 (PyTorch's
    // pow_backward_exponent), not NaN: a learnable exponent over data that holds zeros
    BOOST_TEST(evaluate(derivative(pow(x, y), y), x = 0.0, y = 2.0) == 0.0);
    BOOST_TEST(evaluate(derivative(pow(0.0, y), y), y = 2.0) == 0.0);
    // and through d/dx: d/dy (y x^(y-1)) = x^(y-1) + y x^(y-1) log x, at (0, 2): 0
    BOOST_TEST(evaluate(derivative(derivative(pow(x, y), x), y), x = 0.0, y = 2.0) == 0.0);
    const xt::xtensor<double, 1> X{0.0, 0.5, 2.0, 0.0, 1.0, 3.0, 0.0, 2.5, 0.25, 0.0, 4.0};
    const xt::xarray<double> d = evaluate(derivative(pow(x, y), y), x = X, y = 1.5);
    for (std::size_t i = 0; i < X.size(); ++i) {
        const double expected = X(i) == 0.0 ? 0.0 : std::pow(X(i), 1.5) * std::log(X(i));
        BOOST_TEST(near(d(i), expected, 1e-14), "entry " << i);
    }
    BOOST_TEST(to_string(derivative(pow(x, y), y)) == "x^y * log(x)");
}

BOOST_AUTO_TEST_CASE(xlogy_values_and_derivatives) {
    // u log a, 0 where u = 0 (unless a is NaN), as torch.xlogy; (u log a)'u = log a, (u log a)'a = u / a
    BOOST_TEST(evaluate(xlogy(x, y), x = 0.0, y = 0.0) == 0.0);
    BOOST_TEST(std::isnan(evaluate(xlogy(x, y), x = 0.0, y = std::nan(""))));
    for (const double u : {-1.5, 0.5, 2.0})
        for (const double a : {0.3, 1.0, 4.0}) {
            BOOST_TEST(near(evaluate(xlogy(x, y), x = u, y = a), u * std::log(a), 1e-15));
            BOOST_TEST(near(evaluate(derivative(xlogy(x, y), x), x = u, y = a), std::log(a), 1e-15));
            BOOST_TEST(near(evaluate(derivative(xlogy(x, y), y), x = u, y = a), u / a, 1e-15));
        }
}

BOOST_AUTO_TEST_CASE(exponential_of_exact_base) {
    constexpr auto f = pow(2_c, x);  // (2^x)' = 2^x log 2
    for (double v : {-2.0, 0.0, 1.5, 3.0}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), std::pow(2.0, v) * std::log(2.0), 1e-14));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(composite_base) {
    constexpr auto f = pow(1.0 + square(x), exact<1, 3>);  // 2x / 3 (1 + x^2)^(-2/3)
    for (double v : {-2.0, -0.3, 0.0, 1.2}) {
        BOOST_TEST_CONTEXT("x = " << v) {
            const double expected = 2 * v / 3 * std::pow(1 + v * v, -2.0 / 3.0);
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), expected, 1e-14));
            BOOST_TEST(near(evaluate(derivative(f, x), x = v), difference_quotient(f, x, v), fd_tolerance));
        }
    }
}

BOOST_AUTO_TEST_CASE(special_exponents_simplify) {
    static_assert(std::is_same_v<decltype(pow(x, 0_c)), constant<1>>);
    static_assert(std::is_same_v<decltype(pow(x, 1_c)), symbol_t<"x">>);
    static_assert(std::is_same_v<decltype(pow(x, 2_c)), decltype(square(x))>);
    static_assert(std::is_same_v<decltype(pow(x, exact<1, 2>)), decltype(sqrt(x))>);
    static_assert(std::is_same_v<decltype(pow(2_c, 10_c)), constant<1024>>);
    static_assert(std::is_same_v<decltype(pow(exact<2, 3>, -2_c)), constant<9, 4>>);
    BOOST_TEST(true);
}

BOOST_AUTO_TEST_CASE(elementwise_over_vectors) {
    const xt::xtensor<double, 1> X{0.3, 1.0, 1.7, 4.0};
    const xt::xtensor<double, 1> Y{2.0, -1.0, 0.5, 1.5};
    const auto dx = evaluate(derivative(pow(x, y), x), x = X, y = Y);
    const auto dy = evaluate(derivative(pow(x, y), y), x = X, y = 2.0);  // scalar exponent broadcast
    xt::xtensor<double, 1> ex = X, ey = X;
    for (std::size_t i = 0; i < X.size(); ++i) {
        ex(i) = Y(i) * std::pow(X(i), Y(i) - 1);
        ey(i) = X(i) * X(i) * std::log(X(i));
    }
    BOOST_TEST(all_near(dx, ex, 1e-14));
    BOOST_TEST(all_near(dy, ey, 1e-14));
}

BOOST_AUTO_TEST_CASE(float_data_gives_float_results) {
    const xt::xtensor<float, 1> X{1.0f, 2.0f, 4.0f};
    const auto d = evaluate(derivative(pow(x, exact<1, 2>) + pow(x, 3_c), x), x = X);
    static_assert(std::is_same_v<typename decltype(d)::value_type, float>);
    xt::xtensor<double, 1> expected = xt::zeros<double>({3});
    for (std::size_t i = 0; i < X.size(); ++i) expected(i) = 0.5 / std::sqrt(double(X(i))) + 3.0 * X(i) * X(i);
    BOOST_TEST(all_near(d, expected, 1e-6));
}
