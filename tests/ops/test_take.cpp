// take and scatter_add: values against loops written here (any axis, indices of any rank,
// negative and repeated indices), their derivatives against central differences and the closed
// form (the gradient of sum(w * take(a, idx)) adds w at the indices), and bad indices.
#define BOOST_TEST_MODULE ops_take
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>
#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "support/arrays.hpp"
#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto i = symbol<"i">;
constexpr auto w = symbol<"w">;
constexpr auto h = symbol<"h">;

const xt::xarray<double> A = irregular({4, 5, 3}, 0.2);
const xt::xtensor<std::int32_t, 1> idx{3, 0, -1, 3};  // a negative and a repeated index
const xt::xtensor<std::int32_t, 2> idx2{{1, 2}, {0, 1}, {2, 2}};
}  // namespace

BOOST_AUTO_TEST_CASE(take_selects_along_any_axis) {
    const xt::xarray<double> t0 = evaluate(take(a, i), a = A, i = idx);  // axis 0
    BOOST_REQUIRE(t0.shape() == (std::vector<std::size_t>{4, 5, 3}));
    const std::size_t rows[] = {3, 0, 3, 3};
    for (std::size_t j = 0; j < 4; ++j)
        for (std::size_t p = 0; p < 5; ++p)
            for (std::size_t q = 0; q < 3; ++q) BOOST_TEST(t0(j, p, q) == A(rows[j], p, q));
    // axis 1 with a matrix of indices: shape (4, 3, 2, 3)
    const xt::xarray<double> t1 = evaluate(take(a, i, axis<1>), a = A, i = idx2);
    BOOST_REQUIRE(t1.shape() == (std::vector<std::size_t>{4, 3, 2, 3}));
    for (std::size_t o = 0; o < 4; ++o)
        for (std::size_t r = 0; r < 3; ++r)
            for (std::size_t c = 0; c < 2; ++c)
                for (std::size_t q = 0; q < 3; ++q) BOOST_TEST(t1(o, r, c, q) == A(o, std::size_t(idx2(r, c)), q));
    // the last axis
    const xt::xarray<double> t2 = evaluate(take(a, i, axis<-1>), a = A, i = xt::xtensor<std::int32_t, 1>{2, 0});
    for (std::size_t o = 0; o < 4; ++o)
        for (std::size_t p = 0; p < 5; ++p) {
            BOOST_TEST(t2(o, p, 0) == A(o, p, 2));
            BOOST_TEST(t2(o, p, 1) == A(o, p, 0));
        }
}

BOOST_AUTO_TEST_CASE(scatter_add_adds_at_the_indices_repeats_included) {
    const xt::xarray<double> H = irregular({4, 5, 3}, 1.0);
    const xt::xarray<double> s = evaluate(scatter_add(h, i, a), h = H, i = idx, a = A);
    xt::xarray<double> ref = xt::zeros<double>({4, 5, 3});
    const std::size_t rows[] = {3, 0, 3, 3};
    for (std::size_t j = 0; j < 4; ++j)
        for (std::size_t p = 0; p < 5; ++p)
            for (std::size_t q = 0; q < 3; ++q) ref(rows[j], p, q) += H(j, p, q);
    BOOST_TEST(all_near(s, ref, 1e-15));
}

BOOST_AUTO_TEST_CASE(gradients_closed_form_and_differences) {
    // d/da sum(w * take(a, idx)) = scatter of w at the indices: row 3 receives three rows of w
    const xt::xarray<double> Wv = irregular({4, 5, 3}, 2.0);
    const xt::xarray<double> g = evaluate(derivative(sum(w * take(a, i)), a), a = A, i = idx, w = Wv);
    for (std::size_t p = 0; p < 5; ++p)
        for (std::size_t q = 0; q < 3; ++q) {
            BOOST_TEST(near(g(3, p, q), Wv(0, p, q) + Wv(2, p, q) + Wv(3, p, q), 1e-15));
            BOOST_TEST(g(0, p, q) == Wv(1, p, q));
            BOOST_TEST(g(1, p, q) == 0.0);
            BOOST_TEST(g(2, p, q) == 0.0);
        }
    // nonlinear, along axis 1, against central differences; and through scatter_add
    const auto loss = sum(exp(take(a, i, axis<1>)) * 0.1) + sum(square(scatter_add(h, i, a, axis<1>)));
    const xt::xarray<double> H = irregular({4, 3, 2, 3}, 0.5);
    auto f_a = [&](const xt::xarray<double>& p) { return evaluate(loss, a = p, i = idx2, h = H); };
    auto f_h = [&](const xt::xarray<double>& p) { return evaluate(loss, a = A, i = idx2, h = p); };
    BOOST_TEST(all_near(evaluate(gradient_of(loss, a), a = A, i = idx2, h = H), gradient_by_differences(f_a, A), 1e-6));
    BOOST_TEST(all_near(evaluate(gradient_of(loss, h), a = A, i = idx2, h = H), gradient_by_differences(f_h, H), 1e-6));
    // forward mode: take is linear
    const xt::xarray<double> dir = irregular({4, 5, 3}, 3.0);
    BOOST_TEST(all_near(evaluate(jvp(take(a, i), a, w), a = A, i = idx, w = dir),
                        evaluate(take(a, i), a = dir, i = idx), 0.0));
    const xt::xarray<double> Hd = irregular({4, 5, 3}, 3.5);
    BOOST_TEST(all_near(evaluate(jvp(scatter_add(h, i, a), h, w), h = Hd, i = idx, a = A, w = dir),
                        evaluate(scatter_add(h, i, a), h = dir, i = idx, a = A), 0.0));
}

BOOST_AUTO_TEST_CASE(printed_with_the_axis) {
    BOOST_TEST(to_string(take(a, i, axis<1>)) == "take(a, i, axis=1)");
    BOOST_TEST(to_string(derivative(sum(take(a, i)), a)) == "scatter_add(1, i, a, axis=0)");
}

BOOST_AUTO_TEST_CASE(bad_indices_are_shape_errors_naming_the_entry) {
    try {
        (void)evaluate(take(a, i), a = A, i = xt::xtensor<std::int32_t, 1>{0, 4});
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("take(a, i, axis=0): index 4 at entry 1 is outside axis 0 of extent 4") != std::string::npos,
                   m);
    }
    BOOST_CHECK_THROW((void)evaluate(take(a, i), a = A, i = xt::xtensor<double, 1>{0.5}), shape_error);
    try {  // compared before the conversion to an integer, which would be undefined
        (void)evaluate(take(a, i), a = A, i = xt::xtensor<double, 1>{1e30});
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(
            m.find("take(a, i, axis=0): index 1e+30 at entry 0 is outside axis 0 of extent 4") != std::string::npos, m);
    }
    BOOST_CHECK_THROW((void)evaluate(scatter_add(h, i, a), h = irregular({3, 5, 3}, 0.0), i = idx, a = A), shape_error);
    // float data: the integer index 16777217 becomes 16777216 as a float, so an index beyond 2^24
    // is refused instead of reading the neighbouring element
    {
        xt::xtensor<float, 1> big = xt::zeros<float>({std::size_t{16777219}});
        big(16777217) = 7.0f;
        try {
            (void)evaluate(take(a, i), a = big, i = xt::xtensor<std::int32_t, 1>{16777217});
            BOOST_FAIL("no shape_error");
        } catch (const shape_error& e) {
            const std::string m = e.what();
            BOOST_TEST(m.find("index 16777216 at entry 0 is not below 16777216 in magnitude, where float") !=
                           std::string::npos,
                       m);
        }
        // below 2^24 every integer is exact
        big(16777215) = 5.0f;
        BOOST_TEST(evaluate(take(a, i), a = big, i = xt::xtensor<std::int32_t, 1>{16777215})(0) == 5.0f);
    }
}
