#pragma once
// Finite differences and tolerance checks for the hand-written tests (tests/ops, tests/laws,
// tests/diff). Everything here is independent of symdiff: the reference a derivative is compared
// with never goes through the code under test.
//
//   central_difference(f, x)         (f(x + h) - f(x - h)) / 2h,  h = 1e-5 max(1, |x|)
//                                    truncation ~ h^2 |f'''| / 6, rounding ~ 1e-16 |f| / h: both
//                                    far below the 1e-6 tolerance used with it
//   difference_quotient(e, s, v, bindings...)
//                                    central_difference of evaluate(e, s = ., bindings...) at v:
//                                    the finite-difference derivative of a symdiff expression
//   gradient_by_differences(f, X)    the central difference of f (array -> number) with respect
//                                    to every entry of X, as an array of X's shape
//   near(actual, expected, tol)      |actual - expected| <= tol max(1, |expected|)
//   all_near(actual, expected, tol)  the same for every entry of two arrays of the same shape
//
// `near` and `all_near` return a boost::test_tools::assertion_result that carries both values:
// write `BOOST_TEST(near(a, b, 1e-9));` so that a failure points at the test's own line.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <sstream>

#include <boost/test/unit_test.hpp>
#include <xtensor/xarray.hpp>

namespace symdiff_test {

/// Default relative step of the central differences.
inline constexpr double fd_step = 1e-5;
/// Tolerance for comparing a derivative with a central difference (scaled by max(1, |value|)).
inline constexpr double fd_tolerance = 1e-6;

/// (f(x + h) - f(x - h)) / 2h with h = step * max(1, |x|).
template <class F>
double central_difference(F&& f, double x, double step = fd_step) {
    const double h = step * std::max(1.0, std::abs(x));
    return (static_cast<double>(f(x + h)) - static_cast<double>(f(x - h))) / (2 * h);
}

/// The central difference at `v` of the expression `e` as a function of the symbol `s`, the other
/// symbols bound by `bindings` (evaluate is found by argument-dependent lookup).
template <class E, class S, class... Bs>
double difference_quotient(const E& e, S s, double v, const Bs&... bindings) {
    return central_difference([&](double p) { return evaluate(e, s = p, bindings...); }, v);
}

/// The central difference of the scalar function `f` with respect to each entry of `point`.
template <class F, class A>
xt::xarray<double> gradient_by_differences(F&& f, const A& point, double step = fd_step) {
    xt::xarray<double> grad = xt::zeros<double>(point.shape());
    for (std::size_t i = 0; i < point.size(); ++i) {
        A moved = point;
        const double xi = point.flat(i);
        grad.flat(i) = central_difference(
            [&](double v) {
                moved.flat(i) = v;
                return static_cast<double>(f(moved));
            },
            xi, step);
    }
    return grad;
}

/// |actual - expected| <= tol * max(1, |expected|); the message names both values.
inline boost::test_tools::assertion_result near(double actual, double expected, double tol) {
    const double err = std::abs(actual - expected);
    const double bound = tol * std::max(1.0, std::abs(expected));
    if (err <= bound) return true;
    boost::test_tools::assertion_result r(false);
    r.message().stream().precision(17);
    r.message() << "got " << actual << ", expected " << expected << " (difference " << err << " > " << bound << ")";
    return r;
}

/// `near` for every entry; also fails when the shapes differ. The message names the first bad entry.
template <class A, class B>
boost::test_tools::assertion_result all_near(const A& actual, const B& expected, double tol) {
    const xt::xarray<double> a = actual;
    const xt::xarray<double> e = expected;
    auto shape_text = [](const auto& s) {
        std::ostringstream os;
        os << '(';
        for (std::size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
        os << ')';
        return os.str();
    };
    if (!std::equal(a.shape().begin(), a.shape().end(), e.shape().begin(), e.shape().end())) {
        boost::test_tools::assertion_result r(false);
        r.message() << "shape " << shape_text(a.shape()) << ", expected " << shape_text(e.shape());
        return r;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto one = near(a.flat(i), e.flat(i), tol);
        if (!one) {
            boost::test_tools::assertion_result r(false);
            r.message() << "entry " << i << " (row-major) of shape " << shape_text(a.shape()) << ": " << one.message();
            return r;
        }
    }
    return true;
}

}  // namespace symdiff_test
