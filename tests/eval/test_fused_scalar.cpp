// The fused one-loop evaluation must give the same values as the general evaluation path.
// The general path is forced by binding views (not contiguous containers), which the fused loop
// does not take; each program is also checked against a finite difference of its loss.
#define BOOST_TEST_MODULE fused_evaluation_scalar
#include <boost/test/unit_test.hpp>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "eval/fused_support.hpp"

using namespace symdiff;
using namespace fused_test;

BOOST_AUTO_TEST_CASE(scalar_parameters_agree_with_general_path) {
    const auto loss = mean(square(w * x + b - y)) + 0.5 * sum(abs(x - w));
    const auto prog = hana::make_tuple(loss, derivative(loss, w), derivative(loss, b));
    const auto fused = evaluate(prog, w = 0.7, b = -0.2, x = X, y = Y);
    const auto general = evaluate(prog, w = 0.7, b = -0.2, x = xt::view(X, xt::all()), y = xt::view(Y, xt::all()));
    same_values(fused, general);
    // and against a central difference of the loss
    const double h = 1e-6;
    const double fd =
        (evaluate(loss, w = 0.7 + h, b = -0.2, x = X, y = Y) - evaluate(loss, w = 0.7 - h, b = -0.2, x = X, y = Y)) /
        (2 * h);
    BOOST_TEST(hana::at_c<1>(fused) == fd, boost::test_tools::tolerance(1e-6));
}

BOOST_AUTO_TEST_CASE(body_without_data_repeats_over_the_domain) {
    // d/dw mean(w^2 + x) = mean(2 w) over the data's shape = 2 w; d/dw sum(w^2 + x) = n * 2 w
    const auto prog = hana::make_tuple(derivative(mean(square(w) + x), w), derivative(sum(square(w) + x), w));
    const auto v = evaluate(prog, w = 1.5, x = X);
    BOOST_TEST(hana::at_c<0>(v) == 3.0);
    BOOST_TEST(hana::at_c<1>(v) == 3.0 * double(X.size()));
}
