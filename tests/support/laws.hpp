#pragma once
// Laws of differentiation as reusable checkers (after Boost.Hana's test/_include/laws/).
//
// Each checker takes expressions of one symbol `s`, evaluates both sides of its law at the given
// points and returns a boost::test_tools::assertion_result naming the law, the point and both
// values; write `BOOST_TEST(product_rule(f, g, x, points));` so that a failure points at the
// test's own line. Both sides go through symdiff, but through different derivative trees: the
// left side differentiates the combined expression, the right side combines the derivatives.
//
// Two routes through symdiff could share a wrong rule, so every derivative a checker builds (the
// left side, df, dg, F') is also compared with central differences of the function it is the
// derivative of — a reference that involves no derivative rule. A wrong rule of any operation
// therefore fails every law checked on that operation, not only the finite-difference law.
//
//   linearity(f, g, s, pts)     d(2/3 f - 1.5 g) = 2/3 df - 1.5 dg   (exact and runtime coefficients)
//   product_rule(f, g, s, pts)  d(f g) = df g + f dg
//   quotient_rule(f, g, s, pts) d(f / g) = (df g - f dg) / g^2       (g nonzero at pts)
//   chain_rule(F, g, s, u, pts) d F(g) = F'(u)|u=g dg                 (F a function of expressions,
//                                                                      F' taken in the fresh symbol u)
//   self_quotient(f, s, pts)    d(f / f) = 0                          (points where f = 0 are
//                                                                      skipped: f / f is undefined)
//   finite_differences(f, s, pts)  df = central difference of f
#include <array>
#include <cmath>
#include <cstddef>
#include <string_view>

#include <boost/test/unit_test.hpp>
#include <symdiff/symdiff.hpp>

#include "finite_difference.hpp"

namespace symdiff_test {

/// Relative tolerance between two symbolic routes to the same derivative (rounding only).
inline constexpr double law_tolerance = 1e-12;

/// A value computed from scalar bindings as a double (a 0-d array is read as its element).
template <class V>
double as_number(const V& v) {
    if constexpr (std::is_arithmetic_v<V>) return static_cast<double>(v);
    else return static_cast<double>(v());
}

namespace laws_detail {
inline boost::test_tools::assertion_result violated(std::string_view law, double at, double lhs, double rhs) {
    boost::test_tools::assertion_result r(false);
    r.message().stream().precision(17);
    r.message() << law << " fails at " << at << ": " << lhs << " vs " << rhs;
    return r;
}

/// symdiff's derivative `d` of `f` (in the symbol `s`) at `p` against the central difference of f.
template <class D, class F, class S>
boost::test_tools::assertion_result matches_differences(std::string_view what, const D& d, const F& f, S s, double p) {
    const double l = as_number(evaluate(d, s = p));
    const double r = central_difference([&](double v) { return as_number(evaluate(f, s = v)); }, p);
    if (!near(l, r, fd_tolerance)) {
        boost::test_tools::assertion_result bad(false);
        bad.message().stream().precision(17);
        bad.message() << what << " differs from the central difference at " << p << ": " << l << " vs " << r;
        return bad;
    }
    return true;
}
}  // namespace laws_detail

/// Returns from the checker when an assertion_result is a failure.
#define SYMDIFF_LAW_REQUIRE(...)                            \
    do {                                                    \
        auto symdiff_law_result = __VA_ARGS__;              \
        if (!symdiff_law_result) return symdiff_law_result; \
    } while (false)

template <class F, class G, class S, class Points>
boost::test_tools::assertion_result linearity(const F& f, const G& g, S s, const Points& points) {
    using symdiff::derivative;
    const auto lhs = derivative(symdiff::exact<2, 3> * f - 1.5 * g, s);
    const auto df = derivative(f, s);
    const auto dg = derivative(g, s);
    for (double p : points) {
        SYMDIFF_LAW_REQUIRE(
            laws_detail::matches_differences("d(2/3 f - 1.5 g)", lhs, symdiff::exact<2, 3> * f - 1.5 * g, s, p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("df", df, f, s, p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("dg", dg, g, s, p));
        const double l = as_number(evaluate(lhs, s = p));
        const double r = 2.0 / 3.0 * as_number(evaluate(df, s = p)) - 1.5 * as_number(evaluate(dg, s = p));
        if (!near(l, r, law_tolerance)) return laws_detail::violated("d(2/3 f - 1.5 g) = 2/3 df - 1.5 dg", p, l, r);
    }
    return true;
}

template <class F, class G, class S, class Points>
boost::test_tools::assertion_result product_rule(const F& f, const G& g, S s, const Points& points) {
    using symdiff::derivative;
    const auto lhs = derivative(f * g, s);
    const auto df = derivative(f, s);
    const auto dg = derivative(g, s);
    for (double p : points) {
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("d(f g)", lhs, f * g, s, p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("df", df, f, s, p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("dg", dg, g, s, p));
        const double l = as_number(evaluate(lhs, s = p));
        const double r = as_number(evaluate(df, s = p)) * as_number(evaluate(g, s = p)) +
                         as_number(evaluate(f, s = p)) * as_number(evaluate(dg, s = p));
        if (!near(l, r, law_tolerance)) return laws_detail::violated("d(f g) = df g + f dg", p, l, r);
    }
    return true;
}

template <class F, class G, class S, class Points>
boost::test_tools::assertion_result quotient_rule(const F& f, const G& g, S s, const Points& points) {
    using symdiff::derivative;
    const auto lhs = derivative(f / g, s);
    const auto df = derivative(f, s);
    const auto dg = derivative(g, s);
    for (double p : points) {
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("d(f / g)", lhs, f / g, s, p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("df", df, f, s, p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("dg", dg, g, s, p));
        const double gv = as_number(evaluate(g, s = p));
        const double l = as_number(evaluate(lhs, s = p));
        const double r =
            (as_number(evaluate(df, s = p)) * gv - as_number(evaluate(f, s = p)) * as_number(evaluate(dg, s = p))) /
            (gv * gv);
        if (!near(l, r, law_tolerance)) return laws_detail::violated("d(f / g) = (df g - f dg) / g^2", p, l, r);
    }
    return true;
}

/// `outer` maps an expression to an expression; its derivative F' is taken in the symbol `u`.
template <class Outer, class G, class S, class U, class Points>
boost::test_tools::assertion_result chain_rule(const Outer& outer, const G& g, S s, U u, const Points& points) {
    using symdiff::derivative;
    const auto lhs = derivative(outer(g), s);
    const auto outer_prime = derivative(outer(u), u);
    const auto dg = derivative(g, s);
    for (double p : points) {
        const double gp = as_number(evaluate(g, s = p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("d F(g)", lhs, outer(g), s, p));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("F'", outer_prime, outer(u), u, gp));
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("dg", dg, g, s, p));
        const double l = as_number(evaluate(lhs, s = p));
        const double r = as_number(evaluate(outer_prime, u = gp)) * as_number(evaluate(dg, s = p));
        if (!near(l, r, law_tolerance)) return laws_detail::violated("d F(g) = F'(g) dg", p, l, r);
    }
    return true;
}

/// The points 2p: a law checked on f(0.5 x) at these points evaluates f at its own points p.
inline std::array<double, 3> doubled(const std::array<double, 3>& points) {
    return {2 * points[0], 2 * points[1], 2 * points[2]};
}

template <class F, class S, class Points>
boost::test_tools::assertion_result self_quotient(const F& f, S s, const Points& points) {
    const auto d = symdiff::derivative(f / f, s);
    const auto df = symdiff::derivative(f, s);
    const auto value = [&](double v) { return as_number(evaluate(f, s = v)); };
    for (double p : points) {
        const double fp = value(p);
        if (fp == 0) continue;
        // d(f / f) = 0 whatever df is: the derivative it cancels is checked on its own
        SYMDIFF_LAW_REQUIRE(laws_detail::matches_differences("df", df, f, s, p));
        const double l = as_number(evaluate(d, s = p));
        // rounding only: the two terms df / f and -f df / f^2 cancel to within a few ulps of |df / f|
        // (df estimated by differences, which is plenty for a tolerance)
        const double scale = std::abs(central_difference(value, p) / fp);
        if (!(std::abs(l) <= law_tolerance * std::max(1.0, scale)))
            return laws_detail::violated("d(f / f) = 0", p, l, 0.0);
    }
    return true;
}

template <class F, class S, class Points>
boost::test_tools::assertion_result finite_differences(const F& f, S s, const Points& points) {
    const auto d = symdiff::derivative(f, s);
    for (double p : points) {
        const double l = as_number(evaluate(d, s = p));
        const double r = central_difference([&](double v) { return as_number(evaluate(f, s = v)); }, p);
        if (!near(l, r, fd_tolerance)) return laws_detail::violated("df = central difference of f", p, l, r);
    }
    return true;
}

}  // namespace symdiff_test

#undef SYMDIFF_LAW_REQUIRE
