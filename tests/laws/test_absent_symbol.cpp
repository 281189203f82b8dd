// The derivative with respect to a symbol that does not occur is the TYPE constant<0>, for every
// operation, in forward mode and in reverse mode (static_assert), and it evaluates to 0.
#define BOOST_TEST_MODULE laws_absent_symbol
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
constexpr auto y = symbol<"y">;
constexpr auto all_operations = hana::concat(hana::concat(unary_operations, binary_operations), structural_operations);
}  // namespace

BOOST_AUTO_TEST_CASE(forward_and_reverse_mode) {
    hana::for_each(all_operations, [](const auto& op) {
        using F = decltype(op.apply(x));
        static_assert(std::is_same_v<decltype(derivative(F{}, y)), constant<0>>, "forward mode");
        static_assert(std::is_same_v<decltype(derivative(sum(F{}), y)), constant<0>>, "reverse mode");
        static_assert(std::is_same_v<decltype(derivative(op.apply(0.5 * x), y)), constant<0>>, "with a literal");
        static_assert(std::is_same_v<decltype(derivative<2>(F{}, y)), constant<0>>, "second derivative");
        BOOST_TEST_CONTEXT(op.name) { BOOST_TEST(evaluate(derivative(F{}, y), x = 0.4, y = 1.0) == 0.0); }
    });
    BOOST_TEST(hana::length(all_operations) == 31u);
}

BOOST_AUTO_TEST_CASE(symbols_that_differ_only_in_name) {
    constexpr auto xx = symbol<"xx">;  // a longer name, same prefix
    static_assert(std::is_same_v<decltype(derivative(exp(x) * sin(x), xx)), constant<0>>);
    static_assert(std::is_same_v<decltype(derivative(exp(xx), x)), constant<0>>);
    BOOST_TEST(evaluate(derivative(exp(xx), xx), xx = 0.0) == 1.0);
}
