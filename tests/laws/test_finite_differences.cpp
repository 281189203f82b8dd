// Agreement with central differences for every unary and structural operation of x, at points
// where it is smooth (forward mode).
#define BOOST_TEST_MODULE laws_finite_differences
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

BOOST_AUTO_TEST_CASE(every_unary_operation) {
    hana::for_each(unary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(finite_differences(op.apply(x), x, op.points)); }
    });
}

BOOST_AUTO_TEST_CASE(every_structural_operation) {
    hana::for_each(structural_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(finite_differences(op.apply(x), x, op.points)); }
    });
}
