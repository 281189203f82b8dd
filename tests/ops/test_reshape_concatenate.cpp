// reshape, reshape_as, expand_dims, concatenate and stack: values against loops written here,
// gradients against central differences and closed forms (a reshape's gradient is the adjoint in
// the operand's shape; concatenate hands each operand its slice), forward mode, shape errors.
#define BOOST_TEST_MODULE ops_reshape_concatenate
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor/xarray.hpp>

#include "support/arrays.hpp"
#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
constexpr auto c = symbol<"c">;
constexpr auto w = symbol<"w">;
constexpr auto h = symbol<"h">;

const xt::xarray<double> A = irregular({2, 3}, 0.1), B = irregular({4, 3}, 0.9), C = irregular({1, 3}, 1.7);
}  // namespace

BOOST_AUTO_TEST_CASE(reshape_keeps_the_elements_in_order) {
    const xt::xarray<double> r = evaluate(reshape<3, -1>(a), a = B);
    BOOST_REQUIRE(r.shape() == (std::vector<std::size_t>{3, 4}));
    for (std::size_t k = 0; k < 12; ++k) BOOST_TEST(r.flat(k) == B.flat(k));
    const xt::xarray<double> e = evaluate(expand_dims(a, axis<1>), a = A);
    BOOST_REQUIRE(e.shape() == (std::vector<std::size_t>{2, 1, 3}));
    const xt::xarray<double> last = evaluate(expand_dims(a, axis<-1>), a = A);
    BOOST_REQUIRE(last.shape() == (std::vector<std::size_t>{2, 3, 1}));
    const xt::xarray<double> as = evaluate(reshape_as(a, b), a = irregular({12}, 0.0), b = B);
    BOOST_REQUIRE(as.shape() == (std::vector<std::size_t>{4, 3}));
}

BOOST_AUTO_TEST_CASE(concatenate_and_stack_against_loops) {
    const xt::xarray<double> j = evaluate(concatenate(a, b, c), a = A, b = B, c = C);
    BOOST_REQUIRE(j.shape() == (std::vector<std::size_t>{7, 3}));
    for (std::size_t q = 0; q < 3; ++q) {
        for (std::size_t r = 0; r < 2; ++r) BOOST_TEST(j(r, q) == A(r, q));
        for (std::size_t r = 0; r < 4; ++r) BOOST_TEST(j(2 + r, q) == B(r, q));
        BOOST_TEST(j(6, q) == C(0, q));
    }
    // along the last axis
    const xt::xarray<double> Bt = irregular({2, 5}, 2.2);
    const xt::xarray<double> k = evaluate(concatenate(a, b, axis<-1>), a = A, b = Bt);
    BOOST_REQUIRE(k.shape() == (std::vector<std::size_t>{2, 8}));
    for (std::size_t r = 0; r < 2; ++r) {
        for (std::size_t q = 0; q < 3; ++q) BOOST_TEST(k(r, q) == A(r, q));
        for (std::size_t q = 0; q < 5; ++q) BOOST_TEST(k(r, 3 + q) == Bt(r, q));
    }
    // stack along a new middle axis
    const xt::xarray<double> A2 = irregular({2, 3}, 3.3);
    const xt::xarray<double> s = evaluate(stack(a, b, axis<1>), a = A, b = A2);
    BOOST_REQUIRE(s.shape() == (std::vector<std::size_t>{2, 2, 3}));
    for (std::size_t r = 0; r < 2; ++r)
        for (std::size_t q = 0; q < 3; ++q) {
            BOOST_TEST(s(r, 0, q) == A(r, q));
            BOOST_TEST(s(r, 1, q) == A2(r, q));
        }
}

BOOST_AUTO_TEST_CASE(gradients_closed_forms_and_differences) {
    // d/db sum(w * concatenate(a, b)) = w's rows 2..5
    const xt::xarray<double> W = irregular({6, 3}, 4.0);
    const xt::xarray<double> g = evaluate(derivative(sum(w * concatenate(a, b)), b), a = A, b = B, w = W);
    BOOST_REQUIRE(g.shape() == (std::vector<std::size_t>{4, 3}));
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t q = 0; q < 3; ++q) BOOST_TEST(g(r, q) == W(2 + r, q));
    // d/db sum(w * reshape<3, 4>(b)) = w in b's shape
    const xt::xarray<double> W34 = irregular({3, 4}, 5.0);
    const xt::xarray<double> gr = evaluate(derivative(sum(w * reshape<3, 4>(b)), b), b = B, w = W34);
    BOOST_REQUIRE(gr.shape() == (std::vector<std::size_t>{4, 3}));
    for (std::size_t k = 0; k < 12; ++k) BOOST_TEST(gr.flat(k) == W34.flat(k));
    // nonlinear through all of them, against central differences
    const auto loss = sum(square(sin(concatenate(a, b, c)))) + sum(exp(stack(a, a * a, axis<-1>))) +
                      sum(reshape<-1>(b) * reshape<-1>(b) * 0.5);
    auto f_a = [&](const xt::xarray<double>& p) { return evaluate(loss, a = p, b = B, c = C); };
    auto f_b = [&](const xt::xarray<double>& p) { return evaluate(loss, a = A, b = p, c = C); };
    BOOST_TEST(all_near(evaluate(gradient_of(loss, a), a = A, b = B, c = C), gradient_by_differences(f_a, A), 1e-6));
    BOOST_TEST(all_near(evaluate(gradient_of(loss, b), a = A, b = B, c = C), gradient_by_differences(f_b, B), 1e-6));
    // forward mode: concatenate is linear in each operand
    const xt::xarray<double> dir = irregular({4, 3}, 6.0);
    const xt::xarray<double> jv = evaluate(jvp(concatenate(a, b), b, w), a = A, b = B, w = dir);
    for (std::size_t q = 0; q < 3; ++q) {
        for (std::size_t r = 0; r < 2; ++r) BOOST_TEST(jv(r, q) == 0.0);
        for (std::size_t r = 0; r < 4; ++r) BOOST_TEST(jv(2 + r, q) == dir(r, q));
    }
    // the second derivative of a loss through concatenate: Hessian of sum(concatenate(a, b)^3) in a is diag(6 a)
    const xt::xarray<double> H =
        hessian_at(sum(concatenate(a, b) * concatenate(a, b) * concatenate(a, b)), a, a = A, b = B);
    for (std::size_t i = 0; i < 6; ++i)
        for (std::size_t j = 0; j < 6; ++j) BOOST_TEST(near(H.flat(i * 6 + j), i == j ? 6 * A.flat(i) : 0.0, 1e-12));
}

BOOST_AUTO_TEST_CASE(second_order_paths_of_the_parts) {
    // reverse mode through concat_part (the gradient of a function of a gradient): against
    // central differences of that function
    const auto loss = sum(sin(concatenate(a, b)) * concatenate(a, b));
    const auto outer = sum(square(gradient_of(loss, b)));
    auto f = [&](const xt::xarray<double>& p) { return evaluate(outer, a = A, b = p); };
    BOOST_TEST(all_near(evaluate(gradient_of(outer, b), a = A, b = B), gradient_by_differences(f, B), 1e-6));
    // reverse mode through concat_embed (a jvp's gradient with respect to its direction):
    // jvp(concatenate(a, b), b, w) places w below a, so this gradient is cos(w) on b's rows
    const xt::xarray<double> W = irregular({4, 3}, 7.0), Wfull = irregular({6, 3}, 8.0);
    const auto placed = sum(sin(jvp(concatenate(a, b), b, w)) * c);
    const xt::xarray<double> gw = evaluate(gradient_of(placed, w), a = A, b = B, w = W, c = Wfull);
    for (std::size_t r = 0; r < 4; ++r)
        for (std::size_t q = 0; q < 3; ++q) BOOST_TEST(near(gw(r, q), std::cos(W(r, q)) * Wfull(2 + r, q), 1e-14));
    // forward mode of the reshapes: linear, so the direction reshaped
    const xt::xarray<double> D = irregular({4, 3}, 10.0);
    BOOST_TEST(all_near(evaluate(jvp(reshape<3, 4>(b), b, w), b = B, w = D), evaluate(reshape<3, 4>(b), b = D), 0.0));
    BOOST_TEST(all_near(evaluate(jvp(expand_dims(b, axis<1>), b, w), b = B, w = D),
                        evaluate(expand_dims(b, axis<1>), b = D), 0.0));
    BOOST_TEST(all_near(evaluate(jvp(reshape_as(reshape<-1>(b), b), b, w), b = B, w = D), D, 0.0));
    // forward mode through concat_embed (a jvp of a jvp along the direction): the direction placed
    const xt::xarray<double> V = irregular({4, 3}, 9.0);
    const xt::xarray<double> jj = evaluate(jvp(jvp(concatenate(a, b), b, w), w, h), a = A, b = B, w = W, h = V);
    for (std::size_t q = 0; q < 3; ++q) {
        for (std::size_t r = 0; r < 2; ++r) BOOST_TEST(jj(r, q) == 0.0);
        for (std::size_t r = 0; r < 4; ++r) BOOST_TEST(jj(2 + r, q) == V(r, q));
    }
}

BOOST_AUTO_TEST_CASE(printed_with_axes_and_parts) {
    BOOST_TEST(to_string(concatenate(a, b, axis<1>)) == "concatenate(a, b, axis=1)");
    BOOST_TEST(to_string(reshape<3, -1>(a)) == "reshape(a, 3, -1)");
    BOOST_TEST(to_string(derivative(sum(w * concatenate(a, b)), b)) == "concat_part(w, 1, axis=0)");
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_shapes) {
    try {
        (void)evaluate(reshape<5, -1>(a), a = B);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("cannot reshape (4, 3) (12 elements) into (5, -1)") != std::string::npos, m);
    }
    // -1 beside a 0 extent could be anything (NumPy refuses it too)
    BOOST_CHECK_THROW((void)evaluate(reshape<0, -1>(a), a = xt::xarray<double>::from_shape({0, 3})), shape_error);
    try {
        (void)evaluate(concatenate(a, b, axis<1>), a = A, b = B);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("operand 2 of shape (4, 3) does not join (2, 3) along axis 1") != std::string::npos, m);
    }
}
