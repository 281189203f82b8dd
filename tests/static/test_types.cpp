// Derivative and simplification results as TYPES: compiling this file is most of the test
// (static_assert). The runtime cases check what cannot be a constant expression: emptiness of
// expression types, and expressions that outlive the locals they were built from.
#define BOOST_TEST_MODULE static_types
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <string>
#include <type_traits>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;
using namespace symdiff::literals;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto X = symbol<"X">;

template <class A, class B>
constexpr bool same = std::is_same_v<std::remove_cvref_t<A>, std::remove_cvref_t<B>>;

using x_t = symbol_t<"x">;

template <class A, class B>
constexpr bool addable = requires(A a, B b) {
    a + b;
};
template <class A, class B>
constexpr bool multipliable = requires(A a, B b) {
    a* b;
};
}  // namespace

// ---- derivatives ---------------------------------------------------------------------------------
static_assert(same<decltype(derivative(3_c * x, x)), constant<3>>);
static_assert(same<decltype(derivative(x * x, x)), decltype(2_c * x)>);
static_assert(same<decltype(derivative(x * x, x)), node<multiply_op, constant<2>, x_t>>);
static_assert(same<decltype(derivative(x, x)), constant<1>>);
static_assert(same<decltype(derivative(y, x)), constant<0>>);
static_assert(same<decltype(derivative(x - x, x)), constant<0>>);
static_assert(same<decltype(derivative(-x, x)), constant<-1>>);
static_assert(same<decltype(derivative(exp(x), x)), decltype(exp(x))>);
static_assert(same<decltype(derivative(pow(x, 3_c), x)), decltype(3_c * square(x))>);
// exact rationals stay exact: (x^(1/3))' = 1/3 x^(-2/3)
static_assert(same<decltype(derivative(pow(x, exact<1, 3>), x)),
                   node<multiply_op, constant<1, 3>, node<pow_op, x_t, constant<-2, 3>>>>);
static_assert(same<decltype(derivative(exact<2, 3> * square(x), x)), decltype(exact<4, 3> * x)>);
// the gradient of a scalar-by-construction expression is built in reverse mode: the adjoint 2 of
// each entry, brought to the shape of x (reduce_to<false>: no sum, x is the shape of 2 x)
static_assert(same<decltype(derivative(sum(2_c * x), x)),
                   node<reduce_to_op<false>, constant<2>, node<multiply_op, constant<2>, x_t>, x_t>>);

// ---- simplification when building ----------------------------------------------------------------
static_assert(same<decltype(x - x), constant<0>>);
static_assert(same<decltype(x / x), constant<1>>);
static_assert(same<decltype(-(-x)), x_t>);
static_assert(same<decltype(x + 0_c), x_t>);
static_assert(same<decltype(0_c + x), x_t>);
static_assert(same<decltype(x * 1_c), x_t>);
static_assert(same<decltype(0_c * x), constant<0>>);
static_assert(same<decltype(x * x), decltype(square(x))>);
static_assert(same<decltype(x * 3_c), decltype(3_c * x)>);            // coefficients go first
static_assert(same<decltype(2_c * x + 3_c * x), decltype(5_c * x)>);  // c1 x + c2 x collects
static_assert(same<decltype(x + x), decltype(2_c * x)>);
static_assert(same<decltype(2_c * sin(x) - 2_c * sin(x)), constant<0>>);
static_assert(same<decltype(exact<1, 2> * x + exact<1, 3> * x), decltype(exact<5, 6> * x)>);
static_assert(same<decltype(2_c * (3_c * x)), decltype(6_c * x)>);
static_assert(same<decltype(-(2_c * x)), decltype(-2_c * x)>);
static_assert(same<decltype(exp(log(x))), x_t>);
static_assert(same<decltype(log(exp(x))), x_t>);
static_assert(same<decltype(square(-x)), decltype(square(x))>);
static_assert(same<decltype(transpose(transpose(X))), symbol_t<"X">>);
static_assert(same<decltype(sum(sum(x))), decltype(sum(x))>);  // the sum of a scalar is itself

// ---- exact constants -----------------------------------------------------------------------------
static_assert(same<decltype(exact<2, 4>), constant<1, 2>>);
static_assert(same<decltype(exact<3, -6>), constant<-1, 2>>);
static_assert(same<decltype(1_c / 3_c), constant<1, 3>>);
static_assert(same<decltype(exact<1, 2> + exact<1, 3>), constant<5, 6>>);
static_assert(same<decltype(exact<1, 2> * 4_c), constant<2>>);
static_assert(same<decltype(2_c - 5_c), constant<-3>>);
static_assert(same<decltype(pow(exact<2, 3>, 2_c)), constant<4, 9>>);
static_assert(same<decltype(1'000_c), constant<1000>>);

// ---- scalar by construction ----------------------------------------------------------------------
static_assert(static_scalar<decltype(sum(x))>);
static_assert(static_scalar<decltype(mean(X) * 2_c + sum(y))>);
static_assert(static_scalar<decltype(tanh(sum(x)))>);
static_assert(!static_scalar<decltype(x)>);
static_assert(!static_scalar<decltype(sum(x) * y)>);

// ---- operators accept only symdiff expressions and plain numbers ---------------------------------
static_assert(!addable<x_t, std::string>);
static_assert(!multipliable<x_t, bool>);  // bool is not a number here
static_assert(!multipliable<x_t, std::string>);
static_assert(addable<x_t, int> && multipliable<float, x_t> && addable<unsigned, x_t>);

// ---- constant evaluation -------------------------------------------------------------------------
static_assert(evaluate(derivative(square(x), x), x = 3.0) == 6.0);
static_assert(evaluate(derivative(pow(x, 3_c) + 2_c * x, x), x = 2.0) == 14.0);
static_assert(evaluate(exact<1, 4> * x + y, x = 2.0, y = 1.0) == 1.5);

namespace {
/// Returns an expression built from function locals (runtime literals); it must own copies of them.
// an expression with a runtime literal kept in a static constexpr member, as models are written
struct holds_a_model {
    static constexpr auto f = 0.5 * x + sin(x);
};

auto make_line(double slope, double intercept) {
    const double s = slope;
    const double c = intercept;
    const auto line = s * x + c;
    return line;
}

/// Returns the derivative of an expression local to the function.
auto derivative_of_local(double k) {
    const auto f = k * square(x) + sin(k * x);
    return derivative(f, x);
}

xt::xtensor<double, 1> temporary_vector() { return {1.0, 2.0, 3.0}; }
}  // namespace

// Equal types mean equal expressions: leaves are empty types, and a tree without runtime literals
// is `stateless` (its nodes hold only empty operands: a few bytes of tuple storage).
static_assert(std::is_empty_v<decltype(x)>);
static_assert(std::is_empty_v<decltype(3_c)>);
static_assert(is_stateless<decltype(x + y)>);
static_assert(is_stateless<decltype(sin(x) * exp(2_c * y))>);
static_assert(sizeof(decltype(x + y)) <= 2);
static_assert(is_stateless<decltype(derivative(sum(square(dot(X, y) - x)), y))>);
static_assert(!is_stateless<decltype(0.5 * x)>);
static_assert(!is_stateless<decltype(sin(x) + 0.5 * x)>);

BOOST_AUTO_TEST_CASE(expressions_are_stored_by_value) {
    const auto line = make_line(2.0, 0.5);  // the function's locals are gone
    BOOST_TEST(evaluate(line, x = 3.0) == 6.5);
    const auto d = derivative_of_local(3.0);  // 6 x + 3 cos(3 x)
    BOOST_TEST(evaluate(d, x = 0.0) == 3.0);
    BOOST_TEST(evaluate(holds_a_model::f, x = 2.0) == 1.0 + std::sin(2.0));
    auto copy = line;  // copies are independent values
    BOOST_TEST(evaluate(copy, x = 1.0) == 2.5);
    // an array given as a temporary is copied into the binding
    const auto v = evaluate(2.0 * x, x = temporary_vector());
    BOOST_TEST(v(2) == 6.0);
}
