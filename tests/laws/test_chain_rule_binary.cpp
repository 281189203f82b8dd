// The chain rule over every binary operation F (completed with a constant or a function of its
// argument): d F(g(x)) = F'(u)|u=g(x) g'(x), F' taken in a fresh symbol u, with the inner
// function g(x) = log(x) (the points are chosen so that g(x) lands on F's smooth points:
// x = e^p).
#define BOOST_TEST_MODULE laws_chain_rule_binary
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>

#include <boost/hana/for_each.hpp>

#include "support/laws.hpp"
#include "support/operations.hpp"

using namespace symdiff;
using namespace symdiff_test;
namespace hana = boost::hana;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto u = symbol<"u">;
constexpr auto inner = log(x);

/// The x with inner(x) = p for each of F's points p.
std::array<double, 3> preimages(const std::array<double, 3>& points) {
    return {std::exp(points[0]), std::exp(points[1]), std::exp(points[2])};
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_binary_operation) {
    hana::for_each(binary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(chain_rule(op.apply, inner, x, u, preimages(op.points))); }
    });
}
