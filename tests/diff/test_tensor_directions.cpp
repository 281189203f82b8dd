// Derivatives of tensor operations with respect to a scalar symbol, against central differences:
// forward mode through every operation along an axis, products, transposes and the classifier
// operations (their `tangent` rules), and second derivatives of losses with axis reductions (the
// reverse-mode rules of the gradient's own nodes: broadcast_to, sum_to, mean_to).
#define BOOST_TEST_MODULE diff_tensor_directions
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {

constexpr auto X = symbol<"X">;
constexpr auto y = symbol<"y">;
constexpr auto t = symbol<"t">;

const xt::xtensor<double, 2> Xv{{0.3, -1.2, 0.8}, {1.1, 0.4, -0.5}, {-0.7, 0.9, 0.2}, {0.5, 0.1, -1.0}};
const xt::xtensor<double, 1> yv{0.5, -0.25, 1.0, 0.0};
const xt::xtensor<std::int32_t, 1> labels{2, 0, 1, 2};
constexpr double points[] = {-0.6, 0.35, 1.3};

/// d e / d t (forward mode: every element) against the central difference of every element.
template <class E>
boost::test_tools::assertion_result direction_matches(const E& e) {
    const auto d = derivative(e, t);
    for (double p : points) {
        const xt::xarray<double> got = evaluate(d, X = Xv, y = yv, t = p);
        const double h = 1e-5;
        const xt::xarray<double> up = evaluate(e, X = Xv, y = yv, t = p + h);
        const xt::xarray<double> down = evaluate(e, X = Xv, y = yv, t = p - h);
        const xt::xarray<double> expected = (up - down) / (2 * h);
        if (auto r = all_near(got, expected, 1e-6); !r) return r;
    }
    return true;
}

/// d loss / d t against the central difference of the loss, and d^2 loss / d t^2 (forward over
/// reverse, and reverse over reverse) against the central difference of the first derivative.
template <class L>
boost::test_tools::assertion_result second_matches(const L& loss) {
    const auto d1 = derivative(loss, t);
    const auto d2 = derivative(d1, t);    // forward mode over the reverse-mode d1
    const auto d2r = gradient_of(d1, t);  // reverse mode over reverse mode
    for (double p : points) {
        const double first = evaluate(d1, X = Xv, y = yv, t = p);
        const double by_differences =
            central_difference([&](double v) { return double(evaluate(loss, X = Xv, y = yv, t = v)); }, p);
        if (auto r = near(first, by_differences, 1e-6); !r) return r;
        const double got = evaluate(d2, X = Xv, y = yv, t = p);
        const double expected =
            central_difference([&](double v) { return double(evaluate(d1, X = Xv, y = yv, t = v)); }, p);
        if (auto r = near(got, expected, 1e-6); !r) return r;
        if (auto r = near(double(evaluate(d2r, X = Xv, y = yv, t = p)), expected, 1e-6); !r) return r;
    }
    return true;
}

}  // namespace

BOOST_AUTO_TEST_CASE(forward_mode_along_axes) {
    const auto Z = sin(t * X) + t;
    BOOST_TEST(direction_matches(sum(Z, axis<1>)));
    BOOST_TEST(direction_matches(mean(Z, axis<0>)));
    BOOST_TEST(direction_matches(max(Z, axis<1>)));
    BOOST_TEST(direction_matches(softmax(Z, axis<1>)));
    BOOST_TEST(direction_matches(log_softmax(Z)));
    BOOST_TEST(direction_matches(log_sum_exp(Z, axis<1>)));
    // full reductions inside an expression that is not a loss (softmax at the top: forward mode)
    BOOST_TEST(direction_matches(softmax(X * sum(sin(t * X)) + mean(t * X), axis<1>)));
}

BOOST_AUTO_TEST_CASE(forward_mode_over_a_forward_derivative) {
    // the derivative of a forward derivative (broadcast_to inside) is forward mode again
    BOOST_TEST(direction_matches(derivative(sum(sin(t * X), axis<1>) + mean(cos(t * X), axis<0>), t)));
}

BOOST_AUTO_TEST_CASE(forward_mode_through_products_and_transposes) {
    const auto Z = exp(t * X);
    BOOST_TEST(direction_matches(dot(Z, transpose(X))));
    BOOST_TEST(direction_matches(dot(transpose(Z), X)));
    BOOST_TEST(direction_matches(dot(X, transpose(Z))));
    BOOST_TEST(direction_matches(transpose(Z)));
}

BOOST_AUTO_TEST_CASE(forward_mode_through_the_cross_entropy) {
    const auto ce = [](auto z) { return cross_entropy(log_softmax(z), symbol<"labels">); };
    const auto e = ce(t * X);
    const auto d = derivative(e, t);
    for (double p : points) {
        const xt::xarray<double> got = evaluate(d, X = Xv, symbol<"labels"> = labels, t = p);
        const double h = 1e-5;
        const xt::xarray<double> expected =
            (xt::xarray<double>(evaluate(e, X = Xv, symbol<"labels"> = labels, t = p + h)) -
             xt::xarray<double>(evaluate(e, X = Xv, symbol<"labels"> = labels, t = p - h))) /
            (2 * h);
        BOOST_TEST(all_near(got, expected, 1e-6));
    }
}

BOOST_AUTO_TEST_CASE(gradients_of_summed_and_averaged_cross_entropies) {
    // the pullback has one form for a mean over the rows, one for a sum, one for anything else
    constexpr auto labels_s = symbol<"labels">;
    const auto z = sin(t * X) + t;
    const auto check = [&](const auto& loss) {
        const auto d = derivative(loss, t);
        for (double p : points) {
            const double got = evaluate(d, X = Xv, labels_s = labels, t = p);
            const double expected = central_difference(
                [&](double v) { return double(evaluate(loss, X = Xv, labels_s = labels, t = v)); }, p);
            BOOST_TEST(near(got, expected, 1e-6));
        }
    };
    check(mean(cross_entropy(log_softmax(z), labels_s)));
    check(sum(cross_entropy(log_softmax(z), labels_s)));
    check(sum(square(cross_entropy(log_softmax(z), labels_s))));
}

BOOST_AUTO_TEST_CASE(second_derivatives_of_losses_with_axis_reductions) {
    BOOST_TEST(second_matches(mean(square(sum(sin(t * X), axis<1>) - y))));
    BOOST_TEST(second_matches(sum(square(mean(t * X, axis<0>)))));
    BOOST_TEST(second_matches(mean(square(max(t * X, axis<1>) - y))));
    BOOST_TEST(second_matches(sum(exp(t * X) * X) + mean(square(t * y))));
    // the products of a transposed operand (dot_tn, dot_nt), t in both operands
    BOOST_TEST(second_matches(sum(square(dot(transpose(t * X), sin(t * X))))));
    BOOST_TEST(second_matches(sum(square(dot(cos(t * X), transpose(t * X))))));
}

BOOST_AUTO_TEST_CASE(reverse_mode_over_a_forward_derivative) {
    // dz = d/dt sum(sin(t X), axis 1) comes from forward mode (broadcast_to inside); the gradient
    // of sum(dz^2) then runs the reverse-mode rules of those nodes
    const auto dz = derivative(sum(sin(t * X), axis<1>) + mean(cos(t * X), axis<1>), t);
    const auto loss = sum(square(dz));
    const auto d = derivative(loss, t);
    for (double p : points) {
        const double got = evaluate(d, X = Xv, t = p);
        const double expected = central_difference([&](double v) { return double(evaluate(loss, X = Xv, t = v)); }, p);
        BOOST_TEST(near(got, expected, 1e-6));
    }
}
