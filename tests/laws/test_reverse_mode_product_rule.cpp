// The product rule on the reverse-mode path, over every unary operation f of x:
// d(sum(f) sum(g)) = d sum(f) sum(g) + sum(f) d sum(g).
#define BOOST_TEST_MODULE laws_reverse_mode_product_rule
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

BOOST_AUTO_TEST_CASE(product_rule_of_every_unary_operation) {
    hana::for_each(unary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(product_rule(sum(op.apply(x)), sum(g), x, op.points)); }
    });
}
