// The reverse-mode path for every binary operation f of x: agreement with central differences
// of mean(f).
#define BOOST_TEST_MODULE laws_reverse_mode_binary
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

BOOST_AUTO_TEST_CASE(finite_differences_of_every_binary_operation) {
    hana::for_each(binary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(finite_differences(mean(op.apply(x)), x, op.points)); }
    });
}
