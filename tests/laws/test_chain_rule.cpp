// The chain rule over every operation F: d F(g(x)) = F'(u)|u=g(x) g'(x), F' taken in a fresh
// symbol u, with the inner function g(x) = x^3 (the points are chosen so that g(x) lands on F's
// smooth points: x = cbrt(p)).
#define BOOST_TEST_MODULE laws_chain_rule
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>

#include <boost/hana/for_each.hpp>

#include "support/laws.hpp"
#include "support/operations.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;
namespace hana = boost::hana;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto u = symbol<"u">;
constexpr auto inner = pow(x, 3_c);

/// The x with inner(x) = p for each of F's points p.
std::array<double, 3> preimages(const std::array<double, 3>& points) {
    return {std::cbrt(points[0]), std::cbrt(points[1]), std::cbrt(points[2])};
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_unary_operation) {
    hana::for_each(unary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(chain_rule(op.apply, inner, x, u, preimages(op.points))); }
    });
}

BOOST_AUTO_TEST_CASE(every_structural_operation) {
    hana::for_each(structural_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(chain_rule(op.apply, inner, x, u, preimages(op.points))); }
    });
}
