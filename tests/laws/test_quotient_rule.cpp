// The quotient rule over every unary and structural operation f of x:
// d(f / g) = (df g - f dg) / g^2.
#define BOOST_TEST_MODULE laws_quotient_rule
#include <boost/test/unit_test.hpp>

#include <boost/hana/for_each.hpp>

#include "support/laws.hpp"
#include "support/operations.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;
namespace hana = boost::hana;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto g = cos(x) + 2_c;  // the second operand: smooth and nonzero everywhere
}  // namespace

BOOST_AUTO_TEST_CASE(every_unary_operation) {
    hana::for_each(unary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(quotient_rule(op.apply(x), g, x, op.points)); }
    });
}

BOOST_AUTO_TEST_CASE(every_structural_operation) {
    hana::for_each(structural_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(quotient_rule(op.apply(x), g, x, op.points)); }
    });
}
