// Every simplification the builders make, one static_assert each, against the simplified form
// written by hand (a constant, a symbol, or the canonical expression built without that rule).
// The mutation tests (scripts/mutation.py) switch each rule off in turn: each must fail here.
#define BOOST_TEST_MODULE static_simplifications
#include <boost/test/unit_test.hpp>

#include <type_traits>

#include <symdiff/symdiff.hpp>

using namespace symdiff;
using namespace symdiff::literals;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto X = symbol<"X">;
using x_t = symbol_t<"x">;
using X_t = symbol_t<"X">;

template <class A, class B>
constexpr bool same = std::is_same_v<std::remove_cvref_t<A>, std::remove_cvref_t<B>>;
}  // namespace

// ---- functions of constants and of their inverses ------------------------------------------------
static_assert(same<decltype(abs(-3_c)), constant<3>>);
static_assert(same<decltype(abs(abs(x))), node<abs_op, x_t>>);
static_assert(same<decltype(sin(0_c)), constant<0>>);
static_assert(same<decltype(cos(0_c)), constant<1>>);
static_assert(same<decltype(tan(0_c)), constant<0>>);
static_assert(same<decltype(tanh(0_c)), constant<0>>);
static_assert(same<decltype(exp(0_c)), constant<1>>);
static_assert(same<decltype(log(1_c)), constant<0>>);
static_assert(same<decltype(sqrt(0_c)), constant<0>>);
static_assert(same<decltype(sqrt(1_c)), constant<1>>);
static_assert(same<decltype(relu(-2_c)), constant<0>>);
static_assert(same<decltype(sign(-2_c)), constant<-1>>);
static_assert(same<decltype(step(2_c)), constant<1>>);
static_assert(same<decltype(min(x, x)), x_t>);
static_assert(same<decltype(max(x, x)), x_t>);

// ---- sums and differences ------------------------------------------------------------------------
static_assert(same<decltype(x + (-y)), decltype(x - y)>);
static_assert(same<decltype(x + (-2_c)), node<subtract_op, x_t, constant<2>>>);
static_assert(same<decltype(x + (-2_c) * y), node<subtract_op, x_t, node<multiply_op, constant<2>, symbol_t<"y">>>>);
static_assert(same<decltype(x - 0_c), x_t>);
static_assert(same<decltype(0_c - x), node<negate_op, x_t>>);
static_assert(same<decltype(x - (-2_c)), node<add_op, x_t, constant<2>>>);
static_assert(same<decltype(x - (-2_c) * y), node<add_op, x_t, node<multiply_op, constant<2>, symbol_t<"y">>>>);
// ---- products and quotients ----------------------------------------------------------------------
static_assert(same<decltype(2_c * 3_c), constant<6>>);
static_assert(same<decltype(x * 1_c), x_t>);
static_assert(same<decltype(-1_c * x), node<negate_op, x_t>>);
static_assert(same<decltype((-x) * (-y)), decltype(x * y)>);
static_assert(same<decltype(2_c * (-y)), node<multiply_op, constant<-2>, symbol_t<"y">>>);
static_assert(same<decltype((2_c * x) * y), decltype(2_c * (x * y))>);
static_assert(same<decltype(x * (2_c * y)), decltype(2_c * (x * y))>);
static_assert(same<decltype(0_c / x), constant<0>>);
static_assert(same<decltype(x / 1_c), x_t>);
static_assert(same<decltype(x / 2_c), node<divide_op, x_t, constant<2>>>);
static_assert(same<decltype((3_c * x) / 2_c), node<multiply_op, constant<3, 2>, x_t>>);
static_assert(same<decltype(x / (2_c * y)), node<multiply_op, constant<1, 2>, decltype(x / y)>>);
static_assert(same<decltype((-x) / y), node<negate_op, decltype(x / y)>>);

// ---- powers --------------------------------------------------------------------------------------
static_assert(same<decltype(pow(x, 0_c)), constant<1>>);
static_assert(same<decltype(pow(x, 1_c)), x_t>);
static_assert(same<decltype(pow(x, exact<1, 2>)), node<sqrt_op, x_t>>);
static_assert(same<decltype(pow(2_c, 3_c)), constant<8>>);
static_assert(same<decltype(pow(1_c, x)), constant<1>>);

// ---- reductions, products and transposes of scalars ----------------------------------------------
static_assert(same<decltype(sum(zero)), constant<0>>);
static_assert(same<decltype(sum(zero, axis<1>)), constant<0>>);
static_assert(same<decltype(mean(sum(x))), decltype(sum(x))>);
static_assert(same<decltype(transpose(sum(X))), decltype(sum(X))>);
static_assert(same<decltype(dot(X, 0_c)), constant<0>>);
static_assert(same<decltype(dot(2_c, X)), node<multiply_op, constant<2>, X_t>>);

// ---- selection -----------------------------------------------------------------------------------
static_assert(same<decltype(where(1_c, x, y)), x_t>);  // a constant condition picks its branch
static_assert(same<decltype(where(0_c, x, y)), symbol_t<"y">>);
static_assert(same<decltype(where(X, x, x)), x_t>);    // equal branches need no condition
static_assert(same<decltype(max(2_c)), constant<2>>);  // a number is its own extreme
static_assert(same<decltype(min(2_c)), constant<2>>);
static_assert(same<decltype(stop_gradient(2_c)), constant<2>>);  // nothing to stop
static_assert(same<decltype(stop_gradient(stop_gradient(x))), node<stop_gradient_op, x_t>>);

BOOST_AUTO_TEST_CASE(the_simplifications_are_checked_at_compile_time) { BOOST_TEST(true); }
