// The product rule over every binary operation f of x: d(f g) = df g + f dg.
#define BOOST_TEST_MODULE laws_product_rule_binary
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

BOOST_AUTO_TEST_CASE(every_binary_operation) {
    hana::for_each(binary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(product_rule(op.apply(x), g, x, op.points)); }
    });
}
