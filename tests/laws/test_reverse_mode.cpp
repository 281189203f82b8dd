// The reverse-mode path: sum(f) and mean(f) are scalars by construction, so derivative() takes
// their gradient. Over every unary and structural operation f of x: agreement with central
// differences.
#define BOOST_TEST_MODULE laws_reverse_mode
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
}  // namespace

BOOST_AUTO_TEST_CASE(finite_differences_of_every_unary_operation) {
    hana::for_each(unary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(finite_differences(sum(op.apply(x)), x, op.points)); }
    });
}

BOOST_AUTO_TEST_CASE(finite_differences_of_every_structural_operation) {
    hana::for_each(structural_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(finite_differences(mean(op.apply(x)), x, op.points)); }
    });
}
