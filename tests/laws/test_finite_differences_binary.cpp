// Agreement with central differences for every binary operation of x, at points where it is
// smooth (forward mode).
#define BOOST_TEST_MODULE laws_finite_differences_binary
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

BOOST_AUTO_TEST_CASE(every_binary_operation) {
    hana::for_each(binary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(finite_differences(op.apply(x), x, op.points)); }
    });
}
