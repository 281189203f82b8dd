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
