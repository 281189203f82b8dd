// Evaluating several expressions in one call: evaluate(hana::make_tuple(...)) shares
// subexpressions between them (type-level common-subexpression elimination) and must give the
// same numbers as evaluating each expression on its own. Scalar parameters, repeated
// expressions, runtime literals; which nodes are shared (white box).
#define BOOST_TEST_MODULE eval_cse
#include <boost/test/unit_test.hpp>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;
namespace hana = boost::hana;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;

const xt::xtensor<double, 1> xs{0.5, -1.0, 2.0, 1.5, 0.25};
const xt::xtensor<double, 1> ys{1.0, 0.0, 3.0, 2.5, -0.5};
}  // namespace

BOOST_AUTO_TEST_CASE(loss_and_scalar_gradients) {
    constexpr auto loss = mean(square(a * exp(x) + b - y));
    constexpr auto da = derivative(loss, a);
    constexpr auto db = derivative(loss, b);
    const auto together = evaluate(hana::make_tuple(loss, da, db), a = 0.7, b = -0.2, x = xs, y = ys);
    BOOST_TEST(near(hana::at_c<0>(together), evaluate(loss, a = 0.7, b = -0.2, x = xs, y = ys), 1e-14));
    BOOST_TEST(near(hana::at_c<1>(together), evaluate(da, a = 0.7, b = -0.2, x = xs, y = ys), 1e-14));
    BOOST_TEST(near(hana::at_c<2>(together), evaluate(db, a = 0.7, b = -0.2, x = xs, y = ys), 1e-14));
}

BOOST_AUTO_TEST_CASE(a_std_tuple_gives_a_std_tuple_for_structured_bindings) {
    // mean((a x)^2) and its derivative mean(2 a x^2), by hand at a = 0.5, x = (1, 2):
    // mean(0.25, 1) = 0.625 and mean(1, 4) = 2.5; the array x^2 = (1, 4).
    constexpr auto loss = mean(square(a * x));
    const xt::xtensor<double, 1> X{1.0, 2.0};
    const auto [l, d, sq] = evaluate(std::tuple(loss, derivative(loss, a), square(x)), a = 0.5, x = X);
    BOOST_TEST(l == 0.625);
    BOOST_TEST(d == 2.5);
    BOOST_TEST(sq == (xt::xarray<double>{1.0, 4.0}));
    // std::tie copies no expression; a runtime literal inside is read where it is
    const auto scaled = 3.0 * loss;
    const auto [s3, l3] = evaluate(std::tie(scaled, loss), a = 0.5, x = X);
    BOOST_TEST(s3 == 1.875);
    BOOST_TEST(l3 == 0.625);
    // numbers only, in a constant expression: (x^2, 2 x) at x = 3
    static_assert(std::get<1>(evaluate(std::tuple(square(x), derivative(square(x), x)), x = 3.0)) == 6.0);
}

BOOST_AUTO_TEST_CASE(the_same_expression_twice_and_a_subexpression_of_another) {
    constexpr auto inner = sin(x) * y;
    constexpr auto outer = exp(inner) + inner;
    const auto r = evaluate(hana::make_tuple(inner, outer, inner), x = xs, y = ys);
    BOOST_TEST(all_near(hana::at_c<0>(r), evaluate(inner, x = xs, y = ys), 0.0));
    BOOST_TEST(all_near(hana::at_c<1>(r), evaluate(outer, x = xs, y = ys), 1e-15));
    BOOST_TEST(all_near(hana::at_c<2>(r), hana::at_c<0>(r), 0.0));
}

BOOST_AUTO_TEST_CASE(expressions_with_runtime_literals_are_not_confused) {
    // 0.5 * x and 2.0 * x have the same type; only their literals differ. They must not share a value.
    const auto half = 0.5 * x;
    const auto twice = 2.0 * x;
    const auto r = evaluate(hana::make_tuple(sum(half), sum(twice), sum(half) + sum(twice)), x = xs);
    BOOST_TEST(hana::at_c<0>(r) == 0.5 * 3.25);
    BOOST_TEST(hana::at_c<1>(r) == 2.0 * 3.25);
    BOOST_TEST(hana::at_c<2>(r) == 2.5 * 3.25);
}

BOOST_AUTO_TEST_CASE(shared_subexpressions_are_found_by_type) {
    // white box: the residual a exp(x) + b - y appears in the loss and in both gradients, and is
    // one node of the lowered program
    constexpr auto residual = a * exp(x) + b - y;
    constexpr auto loss = mean(square(residual));
    using program = detail::program_of<std::remove_const_t<decltype(loss)>, decltype(derivative(loss, a)),
                                       decltype(derivative(loss, b))>;
    constexpr int k = program::index_of<std::remove_const_t<decltype(residual)>>();
    static_assert(k >= 0, "the residual is a node of the program");
    constexpr int uses = [] {
        int n = 0;
        for (const auto& ops : program::data.operand)
            for (int o : ops) n += o == k;
        return n;
    }();
    static_assert(uses >= 3, "read by the loss's square and by both gradients");
    BOOST_TEST(uses >= 3);
}
