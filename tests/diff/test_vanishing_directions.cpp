// Second-order and directional derivatives that vanish: a loss linear in its parameter has a
// Hessian of 0, a function that does not depend on s has a jvp of 0. The result still has the
// shape of the parameter (hvp, hessian_diagonal) or of the function (jvp), as gradient_of has,
// so that a Newton-CG loop can index it, take its dot product or compare shapes. Checked against
// arrays of zeros written out here, and against an hvp that does not vanish.
#define BOOST_TEST_MODULE diff_vanishing_directions
#include <boost/test/unit_test.hpp>

#include <vector>

#include <symdiff/symdiff.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;

namespace {

constexpr auto A = symbol<"A">;
constexpr auto B = symbol<"B">;
constexpr auto V = symbol<"V">;
constexpr auto a = symbol<"a">;
constexpr auto x = symbol<"x">;
constexpr auto v = symbol<"v">;

const xt::xtensor<double, 2> A0{{0.5, -1.0, 2.0}, {1.5, 0.25, -0.75}};
const xt::xtensor<double, 2> B0{{1.0, -1.0, 2.0}, {0.5, 0.0, 1.0}};
const xt::xtensor<double, 2> zeros23{{0.0, 0.0, 0.0}, {0.0, 0.0, 0.0}};

std::vector<std::size_t> shape_of(const xt::xarray<double>& r) { return {r.shape().begin(), r.shape().end()}; }

}  // namespace

BOOST_AUTO_TEST_CASE(the_hvp_of_a_loss_linear_in_its_parameter_is_an_array_of_zeros) {
    const xt::xarray<double> h = evaluate(hvp(sum(A * B), A, V), A = A0, B = B0, V = B0);
    BOOST_TEST(shape_of(h) == (std::vector<std::size_t>{2, 3}));
    BOOST_TEST(h == zeros23);
    // through a transpose, and compiled with the loss and its gradient
    const xt::xarray<double> ht =
        evaluate(hvp(sum(transpose(A) * x), A, V), A = A0, x = xt::xtensor<double, 2>(xt::transpose(B0)), V = B0);
    BOOST_TEST(shape_of(ht) == (std::vector<std::size_t>{2, 3}));
    BOOST_TEST(ht == zeros23);
    auto step = compile(sum(A * B), gradient_of(sum(A * B), A), hvp(sum(A * B), A, V));
    const auto& [l, g, hv] = step(A = A0, B = B0, V = B0);
    BOOST_TEST(l == 0.5 + 1.0 + 4.0 + 0.75 + 0.0 - 0.75);
    BOOST_TEST(g == B0);
    BOOST_TEST(hv == zeros23);
}

BOOST_AUTO_TEST_CASE(the_hessian_diagonal_of_a_linear_loss_is_an_array_of_zeros) {
    const xt::xarray<double> d = evaluate(hessian_diagonal(sum(A * B), A), A = A0, B = B0);
    BOOST_TEST(shape_of(d) == (std::vector<std::size_t>{2, 3}));
    BOOST_TEST(d == zeros23);
    // (one that does not vanish, for contrast: d^2/dA^2 sum(A^2) = 2)
    const xt::xarray<double> two = evaluate(hessian_diagonal(sum(square(A)), A), A = A0);
    BOOST_TEST(two == (xt::xtensor<double, 2>{{2.0, 2.0, 2.0}, {2.0, 2.0, 2.0}}));
}

BOOST_AUTO_TEST_CASE(the_jvp_of_a_function_that_does_not_depend_on_s_has_the_function_s_shape) {
    const xt::xarray<double> j = evaluate(jvp(B * 2.0, A, V), A = A0, B = B0, V = B0);
    BOOST_TEST(shape_of(j) == (std::vector<std::size_t>{2, 3}));
    BOOST_TEST(j == zeros23);
    // f of another shape than s: the zeros have f's shape, (3), not s's
    const xt::xarray<double> jf = evaluate(jvp(sum(B, axis<0>), A, V), A = A0, B = B0, V = B0);
    BOOST_TEST(shape_of(jf) == (std::vector<std::size_t>{1, 3}));
    // numbers stay numbers
    const double n = evaluate(hvp(a * 3.0, a, v), a = 2.0, v = 1.0);
    BOOST_TEST(n == 0.0);
}
