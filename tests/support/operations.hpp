#pragma once
// Every symdiff operation as a function of one expression, for the law tests (tests/laws/):
// a law checker takes `op.apply(x)` (or `op.apply(g(x))`) and checks it at `op.points`, points
// where that operation is defined and smooth (no kink, jump or tie nearby), so that central
// differences and closed forms are valid there.
//
// Binary operations appear with a constant or a second function of the argument as the other
// operand, in both positions. The structural operations (sum, mean, transpose, dot) appear too:
// bound to numbers they compute numbers, and their derivative rules (tangent and pullback) are
// exercised like the others.
#include <array>
#include <string_view>

#include <boost/hana/tuple.hpp>
#include <symdiff/symdiff.hpp>

namespace symdiff_test {

/// One operation: its name (for failure messages), the function, and points in its smooth domain.
template <class F>
struct operation {
    std::string_view name;
    F apply;
    std::array<double, 3> points;
};

template <class F>
constexpr operation<F> make_operation(std::string_view name, F apply, std::array<double, 3> points) {
    return {name, apply, points};
}

namespace ops_detail {
using namespace symdiff;
using namespace symdiff::literals;

inline constexpr auto elementwise_unary =
    boost::hana::make_tuple(make_operation("negate", [](auto e) { return -e; }, {-1.3, 0.4, 2.0}),
                            make_operation("square", [](auto e) { return square(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("sqrt", [](auto e) { return sqrt(e); }, {0.3, 1.1, 2.5}),
                            make_operation("exp", [](auto e) { return exp(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("log", [](auto e) { return log(e); }, {0.3, 1.1, 2.5}),
                            make_operation("sin", [](auto e) { return sin(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("cos", [](auto e) { return cos(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("tan", [](auto e) { return tan(e); }, {-1.2, 0.4, 1.1}),
                            make_operation("tanh", [](auto e) { return tanh(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("sigmoid", [](auto e) { return sigmoid(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("softplus", [](auto e) { return softplus(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("abs", [](auto e) { return abs(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("relu", [](auto e) { return relu(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("sign", [](auto e) { return sign(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("step", [](auto e) { return step(e); }, {-1.3, 0.4, 2.0}));

inline constexpr auto elementwise_binary = boost::hana::make_tuple(
    make_operation("e + 3/2", [](auto e) { return e + exact<3, 2>; }, {-1.3, 0.4, 2.0}),
    make_operation("3/2 - e", [](auto e) { return exact<3, 2> - e; }, {-1.3, 0.4, 2.0}),
    make_operation("e * sin(e)", [](auto e) { return e * sin(e); }, {-1.3, 0.4, 2.0}),
    make_operation("3 / e", [](auto e) { return 3_c / e; }, {-1.3, 0.4, 2.0}),
    make_operation("e / (1 + e^2)", [](auto e) { return e / (1_c + square(e)); }, {-1.3, 0.4, 2.0}),
    make_operation("min(e, 1/2)", [](auto e) { return min(e, exact<1, 2>); }, {-1.3, 0.4, 2.0}),
    make_operation("max(1/2, e)", [](auto e) { return max(exact<1, 2>, e); }, {-1.3, 0.4, 2.0}),
    make_operation("min(e^2, e)", [](auto e) { return min(square(e), e); }, {-1.3, 0.4, 2.0}),
    make_operation("pow(e, 3)", [](auto e) { return pow(e, 3_c); }, {-1.3, 0.4, 2.0}),
    make_operation("pow(e, 1/3)", [](auto e) { return pow(e, exact<1, 3>); }, {0.3, 1.1, 2.5}),
    make_operation("pow(2, e)", [](auto e) { return pow(2_c, e); }, {-1.3, 0.4, 2.0}),
    make_operation("pow(e, e)", [](auto e) { return pow(e, e); }, {0.3, 1.1, 2.5}));

inline constexpr auto structural =
    boost::hana::make_tuple(make_operation("sum", [](auto e) { return sum(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("mean", [](auto e) { return mean(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("transpose", [](auto e) { return transpose(e); }, {-1.3, 0.4, 2.0}),
                            make_operation("dot(e, e)", [](auto e) { return dot(e, e); }, {-1.3, 0.4, 2.0}));
}  // namespace ops_detail

/// The unary elementwise operations.
inline constexpr auto unary_operations = ops_detail::elementwise_unary;
/// The binary elementwise operations, completed with a constant or a function of the argument.
inline constexpr auto binary_operations = ops_detail::elementwise_binary;
/// sum, mean, transpose and dot applied to a scalar argument.
inline constexpr auto structural_operations = ops_detail::structural;

}  // namespace symdiff_test
