// d(f / f) = 0 and d(f / f - 1) = 0 over every operation f of x, as TYPES: when f has no runtime
// literal inside, f / f simplifies to the exact constant 1 when it is built, so its derivative is
// constant<0> (static_assert). The case with a runtime literal, where f / f stays a quotient and
// its derivative must vanish numerically, is in test_self_quotient_numeric*.cpp.
#define BOOST_TEST_MODULE laws_self_quotient
#include <boost/test/unit_test.hpp>

#include <type_traits>

#include <boost/hana/concat.hpp>
#include <boost/hana/equal.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/length.hpp>
#include <boost/hana/tuple.hpp>

#include "support/operations.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;
namespace hana = boost::hana;

namespace {
constexpr auto x = symbol<"x">;

constexpr auto all_operations = hana::concat(hana::concat(unary_operations, binary_operations), structural_operations);

template <class Op>
constexpr bool self_quotient_is_exact_zero = [] {
    constexpr auto f = Op{}.apply(x);
    return std::is_same_v<decltype(derivative(f / f, x)), constant<0>> &&
           std::is_same_v<decltype(derivative(f / f - 1_c, x)), constant<0>> &&
           std::is_same_v<decltype(derivative(sum(f / f), x)), constant<0>>;
}();
}  // namespace

BOOST_AUTO_TEST_CASE(exact_zero_by_type_without_literals) {
    hana::for_each(all_operations, [](const auto& op) {
        using Op = std::remove_cvref_t<decltype(op)>;
        static_assert(is_stateless<decltype(op.apply(x))>, "no runtime literal in op(x)");
        static_assert(self_quotient_is_exact_zero<Op>, "d(f / f) must be the type constant<0>");
    });
    BOOST_TEST(hana::length(all_operations) == 31u);
}
