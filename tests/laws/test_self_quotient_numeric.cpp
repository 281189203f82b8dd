// d(f / f) = 0 numerically over every unary and structural operation f, when f has a runtime literal inside
// (f of 0.5 x): f / f is then kept as a quotient (the simplifier only cancels expressions
// identified by their type), and the quotient rule's two terms must cancel to rounding. Points
// where f = 0 are skipped (f / f is undefined there).
#define BOOST_TEST_MODULE laws_self_quotient_numeric
#include <boost/test/unit_test.hpp>

#include <array>
#include <type_traits>

#include <boost/hana/for_each.hpp>

#include "support/laws.hpp"
#include "support/operations.hpp"

using namespace symdiff;
using namespace symdiff_test;
namespace hana = boost::hana;

namespace {
constexpr auto x = symbol<"x">;
}  // namespace

BOOST_AUTO_TEST_CASE(every_unary_operation) {
    hana::for_each(unary_operations, [](const auto& op) {
        const auto f = op.apply(0.5 * x);
        static_assert(!is_stateless<decltype(f)>);
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(self_quotient(f, x, doubled(op.points))); }
    });
}

BOOST_AUTO_TEST_CASE(every_structural_operation) {
    hana::for_each(structural_operations, [](const auto& op) {
        const auto f = op.apply(0.5 * x);
        static_assert(!is_stateless<decltype(f)>);
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(self_quotient(f, x, doubled(op.points))); }
    });
}
