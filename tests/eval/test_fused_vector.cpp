// The fused one-loop evaluation must give the same values as the general evaluation path.
// The general path is forced by binding views (not contiguous containers), which the fused loop
// does not take; each program is also checked against a finite difference of its loss.
#define BOOST_TEST_MODULE fused_evaluation_vector
#include <boost/test/unit_test.hpp>

#include <symdiff/symdiff.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "eval/fused_support.hpp"

using namespace symdiff;
using namespace fused_test;

BOOST_AUTO_TEST_CASE(vector_parameter_through_dot_agrees_with_general_path) {
    const auto loss = mean(square(dot(x, a) - y));
    const auto prog = hana::make_tuple(loss, derivative(loss, a));
    const xt::xtensor<double, 1> A{0.3, -1.2};
    const auto fused = evaluate(prog, a = A, x = M, y = Y);
    const auto general =
        evaluate(prog, a = xt::view(A, xt::all()), x = xt::view(M, xt::all(), xt::all()), y = xt::view(Y, xt::all()));
    same_values(fused, general);
    // closed form 2/n M^T (M a - y)
    const xt::xtensor<double, 1> r = xt::linalg::dot(M, A) - Y;
    for (std::size_t j = 0; j < 2; ++j) {
        double g = 0;
        for (std::size_t i = 0; i < Y.size(); ++i) g += 2 * M(i, j) * r(i) / double(Y.size());
        BOOST_TEST(hana::at_c<1>(fused)(j) == g, boost::test_tools::tolerance(1e-12));
    }
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

// A sum of many terms makes one region of about a hundred elementwise nodes: it runs as several
// fused loops (schedule.hpp's max_region_members), the values crossing from one loop to the next
// stored in between. Values against a loop written by hand.
template <int K>
constexpr auto wave() {
    return 0.25 * double(K) * sin(x * exact<K>);
}
template <int... K>
constexpr auto waves(std::integer_sequence<int, K...>) {
    return (wave<K + 1>() + ...);
}

BOOST_AUTO_TEST_CASE(a_large_region_runs_as_several_loops) {
    constexpr int terms = 12;
    const auto f = waves(std::make_integer_sequence<int, terms>{});
    const auto df = derivative(f, x);
    xt::xtensor<double, 1> at = xt::zeros<double>({101});
    for (std::size_t i = 0; i < at.size(); ++i) at(i) = -2.0 + 0.04 * double(i);
    counters().reset();
    const auto v = evaluate(hana::make_tuple(f, df), x = at);
    BOOST_TEST(counters().fused_loops > 1u);
    for (std::size_t i = 0; i < at.size(); ++i) {
        double value = 0, slope = 0;  // f = sum 0.25 k sin(k x),  f' = sum 0.25 k^2 cos(k x)
        for (int k = 1; k <= terms; ++k) {
            value += 0.25 * k * std::sin(k * at(i));
            slope += 0.25 * k * k * std::cos(k * at(i));
        }
        BOOST_TEST(hana::at_c<0>(v)(i) == value, boost::test_tools::tolerance(1e-12));
        BOOST_TEST(hana::at_c<1>(v)(i) == slope, boost::test_tools::tolerance(1e-12));
    }
}
