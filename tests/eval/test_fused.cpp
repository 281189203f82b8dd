// The fused one-loop evaluation must give the same values as the general evaluation path.
// The general path is forced by binding views (not contiguous containers), which the fused loop
// does not take; each program is also checked against a finite difference of its loss.
#define BOOST_TEST_MODULE fused_evaluation
#include <boost/test/unit_test.hpp>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

using namespace symdiff;
namespace hana = boost::hana;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;

const xt::xtensor<double, 1> X{0.5, -1.0, 2.0, 3.5, -0.25, 1.5, 0.75};
const xt::xtensor<double, 1> Y{1.0, -2.5, 3.0, 6.0, 0.5, 2.0, 1.0};
const xt::xtensor<double, 2> M{{0.5, 1.0}, {-1.0, 1.0}, {2.0, 1.0}, {3.5, 1.0}, {-0.25, 1.0}, {1.5, 1.0}, {0.75, 1.0}};

template <class Prog>
void same_values(const Prog& fused, const Prog& general) {
    hana::for_each(hana::zip(fused, general), [](const auto& pair) {
        const auto& f = hana::at_c<0>(pair);
        const auto& g = hana::at_c<1>(pair);
        if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(f)>>) {
            BOOST_TEST(f == g, boost::test_tools::tolerance(1e-12));
        } else {
            BOOST_REQUIRE_EQUAL(f.size(), g.size());
            for (std::size_t i = 0; i < f.size(); ++i) BOOST_TEST(f(i) == g(i), boost::test_tools::tolerance(1e-12));
        }
    });
}
}  // namespace

BOOST_AUTO_TEST_CASE(scalar_parameters_agree_with_general_path) {
    const auto loss = mean(square(w * x + b - y)) + 0.5 * sum(abs(x - w));
    const auto prog = hana::make_tuple(loss, derivative(loss, w), derivative(loss, b));
    const auto fused = evaluate(prog, w = 0.7, b = -0.2, x = X, y = Y);
    const auto general = evaluate(prog, w = 0.7, b = -0.2, x = xt::view(X, xt::all()), y = xt::view(Y, xt::all()));
    same_values(fused, general);
    // and against a central difference of the loss
    const double h = 1e-6;
    const double fd = (evaluate(loss, w = 0.7 + h, b = -0.2, x = X, y = Y) - evaluate(loss, w = 0.7 - h, b = -0.2, x = X, y = Y)) / (2 * h);
    BOOST_TEST(hana::at_c<1>(fused) == fd, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(vector_parameter_through_dot_agrees_with_general_path) {
    const auto loss = mean(square(dot(x, a) - y));
    const auto prog = hana::make_tuple(loss, derivative(loss, a));
    const xt::xtensor<double, 1> A{0.3, -1.2};
    const auto fused = evaluate(prog, a = A, x = M, y = Y);
    const auto general = evaluate(prog, a = xt::view(A, xt::all()), x = xt::view(M, xt::all(), xt::all()), y = xt::view(Y, xt::all()));
    same_values(fused, general);
    // closed form 2/n M^T (M a - y)
    const xt::xtensor<double, 1> r = xt::linalg::dot(M, A) - Y;
    for (std::size_t j = 0; j < 2; ++j) {
        double g = 0;
        for (std::size_t i = 0; i < Y.size(); ++i) g += 2 * M(i, j) * r(i) / double(Y.size());
        BOOST_TEST(hana::at_c<1>(fused)(j) == g, boost::test_tools::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(body_without_data_repeats_over_the_domain) {
    // d/dw mean(w^2 + x) = mean(2 w) over the data's shape = 2 w; d/dw sum(w^2 + x) = n * 2 w
    const auto prog = hana::make_tuple(derivative(mean(square(w) + x), w), derivative(sum(square(w) + x), w));
    const auto v = evaluate(prog, w = 1.5, x = X);
    BOOST_TEST(hana::at_c<0>(v) == 3.0);
    BOOST_TEST(hana::at_c<1>(v) == 3.0 * double(X.size()));
}

BOOST_AUTO_TEST_CASE(different_shapes_fall_back_to_broadcasting) {
    // x (7) and a (2, 1)-shaped y broadcast to (2, 7): the fused loop declines, results still right
    const xt::xtensor<double, 2> Y2{{1.0}, {2.0}};
    const auto loss = mean(square(w * x - y));
    const auto v = evaluate(hana::make_tuple(loss, derivative(loss, w)), w = 0.5, x = X, y = Y2);
    double l = 0, g = 0;
    for (double yy : {1.0, 2.0})
        for (double xx : X) {
            l += (0.5 * xx - yy) * (0.5 * xx - yy);
            g += 2 * (0.5 * xx - yy) * xx;
        }
    const double n = 2.0 * double(X.size());
    BOOST_TEST(hana::at_c<0>(v) == l / n, boost::test_tools::tolerance(1e-12));
    BOOST_TEST(hana::at_c<1>(v) == g / n, boost::test_tools::tolerance(1e-12));
}
