// derivative(f, a) of an f that is not a loss (no sum or mean at its top) is forward mode: the
// elementwise derivative. With `a` bound to an array that is right only when each element of f
// moves with its own element of a; otherwise the evaluation stops and says what to use instead.
// References: closed forms written here, and central differences of the value.
#define BOOST_TEST_MODULE forward_mode_arrays
#include <boost/test/unit_test.hpp>

#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto u = symbol<"u">;
constexpr auto x = symbol<"x">;
constexpr auto s = symbol<"s">;

const xt::xarray<double> av{0.1, 0.2, 0.3};
const xt::xarray<double> uv{1.0, 2.0, 3.0};
const xt::xarray<double> xv{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};

/// The message of the shape_error that evaluating `e` throws ("" if none).
template <class E, class... Bs>
std::string error_of(const E& e, const Bs&... bindings) {
    try {
        (void)evaluate(e, bindings...);
    } catch (const shape_error& err) {
        return err.what();
    }
    return "";
}
}  // namespace

BOOST_AUTO_TEST_CASE(elementwise_in_an_array_is_the_elementwise_derivative) {
    // d/da (exp(a) u + a^2) = exp(a) u + 2 a, element by element
    const xt::xarray<double> d = evaluate(derivative(exp(a) * u + square(a), a), a = av, u = uv);
    xt::xarray<double> expected = xt::zeros<double>({3});
    for (std::size_t i = 0; i < 3; ++i) expected(i) = std::exp(av(i)) * uv(i) + 2 * av(i);
    BOOST_TEST(all_near(d, expected, 1e-15));
}

BOOST_AUTO_TEST_CASE(a_number_through_products_and_reductions) {
    // f(s) = (sum over rows of x s)^2 for a number s (the axis kept, of extent 1):
    // f'(s) = 2 s (sum x)^2 on each column
    const xt::xarray<double> d = evaluate(derivative(square(sum(x * s, axis<0>)), s), x = xv, s = 0.5);
    const xt::xarray<double> expected{{2 * 0.5 * 25.0, 2 * 0.5 * 49.0, 2 * 0.5 * 81.0}};
    BOOST_TEST(all_near(d, expected, 1e-14));
    // and an array of one element is a number
    const xt::xarray<double> one{0.5};
    const xt::xarray<double> d1 = evaluate(derivative(square(sum(x * s, axis<0>)), s), x = xv, s = one);
    BOOST_TEST(all_near(d1, expected, 1e-14));
}

BOOST_AUTO_TEST_CASE(elements_that_mix_an_array_stop_and_name_the_gradient) {
    // log(u . exp(a)) is a number; its derivative along all ones would be 1, not the gradient
    constexpr auto f = log(dot(exp(a), u));
    const std::string message = error_of(derivative(f, a), a = av, u = uv);
    BOOST_TEST(message.find("the derivative with respect to a, bound to an array of shape (3), is a Jacobian") !=
                   std::string::npos,
               message);
    BOOST_TEST(message.find("gradient_of(f, a)") != std::string::npos, message);
    // the message is whole, in words: not prefixed with the node that carries it
    BOOST_TEST(message.rfind("the derivative with respect to a,", 0) == 0u, message);
    // what it names is right: u exp(a) / (u . exp(a)), against central differences
    const xt::xarray<double> g = evaluate(gradient_of(f, a), a = av, u = uv);
    const xt::xarray<double> reference = gradient_by_differences(
        [&](const xt::xarray<double>& p) { return double(xt::xarray<double>(evaluate(f, a = p, u = uv))()); }, av);
    BOOST_TEST(all_near(g, reference, fd_tolerance));
    // a reduction along an axis, and a product of a matrix with a: the same stop, in words
    BOOST_TEST(error_of(derivative(square(sum(a, axis<0>)), a), a = av).find("is a Jacobian") != std::string::npos);
    BOOST_TEST(error_of(derivative(square(sum(dot(x, a), axis<0>)), a), x = xv, a = av).find("is a Jacobian") !=
               std::string::npos);
    // with a number, the same expression is fine: d/da (a sum(u))^2 = 2 a sum(u)^2 = 72 a
    const xt::xarray<double> dn = evaluate(derivative(square(sum(a * u, axis<0>)), a), a = 0.5, u = uv);
    BOOST_TEST(near(dn(0), 72.0 * 0.5, 1e-14));
}
