// hessian(): the quadratic model's mean squared error
//   L(a, b, c) = mean((a t^2 + b t + c - y)^2)
// is quadratic in (a, b, c), so its Hessian is the constant
//   H = 2 [[mean t^4, mean t^3, mean t^2], [mean t^3, mean t^2, mean t], [mean t^2, mean t, 1]]
// whatever the parameters and the targets y. The data are small dyadic numbers and their count is
// 8, so every sum and mean here is exact in floating point: the check is EXACT equality, at two
// different parameter points. The gradient is checked the same way.
#define BOOST_TEST_MODULE diff_hessian
#include <boost/test/unit_test.hpp>

#include <array>

#include <boost/hana/at.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;
namespace hana = boost::hana;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
constexpr auto c = symbol<"c">;
constexpr auto t = symbol<"t">;
constexpr auto y = symbol<"y">;
constexpr auto loss = mean(square(a * square(t) + b * t + c - y));

const xt::xtensor<double, 1> T{-2.0, -1.5, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0};
const xt::xtensor<double, 1> Y{1.0, 0.25, -2.0, 0.5, 3.0, -1.0, 0.0, 2.5};

/// mean(t^k), computed by a plain loop.
double mean_power(int k) {
    double s = 0;
    for (double v : T) {
        double p = 1;
        for (int i = 0; i < k; ++i) p *= v;
        s += p;
    }
    return s / static_cast<double>(T.size());
}

/// H[i][j] = 2 mean(t^(4 - i - j)).
std::array<std::array<double, 3>, 3> closed_form_hessian() {
    std::array<std::array<double, 3>, 3> h{};
    for (int i = 0; i < 3; ++i)
        for (int j = 0; j < 3; ++j) h[i][j] = 2 * mean_power(4 - i - j);
    return h;
}
}  // namespace

BOOST_AUTO_TEST_CASE(hessian_is_the_constant_closed_form) {
    constexpr auto H = hessian(loss, a, b, c);
    const auto expected = closed_form_hessian();
    for (const std::array<double, 3>& p :
         {std::array<double, 3>{0.0, 0.0, 0.0}, std::array<double, 3>{1.5, -2.0, 0.25}}) {
        BOOST_TEST_CONTEXT("(a, b, c) = (" << p[0] << ", " << p[1] << ", " << p[2] << ")") {
            const auto r0 = evaluate(hana::at_c<0>(H), a = p[0], b = p[1], c = p[2], t = T, y = Y);
            const auto r1 = evaluate(hana::at_c<1>(H), a = p[0], b = p[1], c = p[2], t = T, y = Y);
            const auto r2 = evaluate(hana::at_c<2>(H), a = p[0], b = p[1], c = p[2], t = T, y = Y);
            BOOST_TEST(hana::at_c<0>(r0) == expected[0][0]);
            BOOST_TEST(hana::at_c<1>(r0) == expected[0][1]);
            BOOST_TEST(hana::at_c<2>(r0) == expected[0][2]);
            BOOST_TEST(hana::at_c<0>(r1) == expected[1][0]);
            BOOST_TEST(hana::at_c<1>(r1) == expected[1][1]);
            BOOST_TEST(hana::at_c<2>(r1) == expected[1][2]);
            BOOST_TEST(hana::at_c<0>(r2) == expected[2][0]);
            BOOST_TEST(hana::at_c<1>(r2) == expected[2][1]);
            BOOST_TEST(hana::at_c<2>(r2) == expected[2][2]);
        }
    }
}

BOOST_AUTO_TEST_CASE(hessian_is_symmetric_by_construction) {
    constexpr auto H = hessian(loss, a, b, c);
    // The off-diagonal entries are different expressions (d/db d/da vs d/da d/db) with equal values.
    const auto r0 = evaluate(hana::at_c<0>(H), a = 0.5, b = 1.0, c = -1.0, t = T, y = Y);
    const auto r1 = evaluate(hana::at_c<1>(H), a = 0.5, b = 1.0, c = -1.0, t = T, y = Y);
    const auto r2 = evaluate(hana::at_c<2>(H), a = 0.5, b = 1.0, c = -1.0, t = T, y = Y);
    BOOST_TEST(hana::at_c<1>(r0) == hana::at_c<0>(r1));
    BOOST_TEST(hana::at_c<2>(r0) == hana::at_c<0>(r2));
    BOOST_TEST(hana::at_c<2>(r1) == hana::at_c<1>(r2));
}

BOOST_AUTO_TEST_CASE(gradient_matches_the_closed_form_exactly) {
    // dL/da = 2 mean(r t^2), dL/db = 2 mean(r t), dL/dc = 2 mean(r), r = a t^2 + b t + c - y
    const double av = 1.5, bv = -2.0, cv = 0.25;
    double ga = 0, gb = 0, gc = 0;
    for (std::size_t i = 0; i < T.size(); ++i) {
        const double r = av * T(i) * T(i) + bv * T(i) + cv - Y(i);
        ga += 2 * r * T(i) * T(i) / 8;
        gb += 2 * r * T(i) / 8;
        gc += 2 * r / 8;
    }
    const auto g = evaluate(gradient(loss, a, b, c), a = av, b = bv, c = cv, t = T, y = Y);
    BOOST_TEST(hana::at_c<0>(g) == ga);
    BOOST_TEST(hana::at_c<1>(g) == gb);
    BOOST_TEST(hana::at_c<2>(g) == gc);
}
