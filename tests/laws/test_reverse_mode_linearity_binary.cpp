// Linearity on the reverse-mode path for every binary operation f of x:
// d(2/3 sum(f) - 1.5 sum(g)) = 2/3 d sum(f) - 1.5 d sum(g).
#define BOOST_TEST_MODULE laws_reverse_mode_linearity_binary
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

BOOST_AUTO_TEST_CASE(linearity_of_every_binary_operation) {
    hana::for_each(binary_operations, [](const auto& op) {
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(linearity(sum(op.apply(x)), sum(g), x, op.points)); }
    });
}
