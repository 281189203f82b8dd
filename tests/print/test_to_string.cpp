// to_string: infix text with the minimal parentheses that keep the tree's meaning, exact
// rationals as n/d, runtime literals in shortest form, and derivatives as a person would write
// them.
#define BOOST_TEST_MODULE print_to_string
#include <boost/test/unit_test.hpp>

#include <sstream>

#include <symdiff/symdiff.hpp>

using namespace symdiff;
using namespace symdiff::literals;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
constexpr auto c = symbol<"c">;
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto z = symbol<"z">;
constexpr auto A = symbol<"A">;
constexpr auto B = symbol<"B">;
constexpr auto C = symbol<"C">;
}  // namespace

BOOST_AUTO_TEST_CASE(written_to_a_stream) {
    // std::cout << e writes what to_string gives, as a person would write it
    std::ostringstream os;
    os << derivative(mean(square(a * x - y)), a) << "; " << x * x << "; " << 2_c << "; " << y;
    BOOST_TEST(os.str() == "mean(2 * (a * x - y) * x); x^2; 2; y");
}

BOOST_AUTO_TEST_CASE(sums_and_differences) {
    BOOST_TEST(to_string(a - (b - c)) == "a - (b - c)");
    BOOST_TEST(to_string((a - b) - c) == "a - b - c");
    BOOST_TEST(to_string(a - (b + c)) == "a - (b + c)");
    BOOST_TEST(to_string(a + (b + c)) == "a + b + c");
    BOOST_TEST(to_string(a + (b - c)) == "a + (b - c)");
    BOOST_TEST(to_string(a + b * c) == "a + b * c");
    BOOST_TEST(to_string((a + b) * c) == "(a + b) * c");
}

BOOST_AUTO_TEST_CASE(products_and_quotients) {
    BOOST_TEST(to_string(a / (b * c)) == "a / (b * c)");
    BOOST_TEST(to_string(a / b / c) == "a / b / c");
    BOOST_TEST(to_string(a / (b / c)) == "a / (b / c)");
    BOOST_TEST(to_string(a * (b * c)) == "a * b * c");
    BOOST_TEST(to_string(a * b / c) == "a * b / c");
    BOOST_TEST(to_string(a * (b / c)) == "a * (b / c)");
    BOOST_TEST(to_string((a - b) / (a + b)) == "(a - b) / (a + b)");
}

BOOST_AUTO_TEST_CASE(powers) {
    BOOST_TEST(to_string(square(a + b)) == "(a + b)^2");
    BOOST_TEST(to_string(square(a * b)) == "(a * b)^2");
    BOOST_TEST(to_string(square(sin(x))) == "sin(x)^2");
    BOOST_TEST(to_string(pow(x, -1_c)) == "x^(-1)");
    BOOST_TEST(to_string(pow(x, y + 1_c)) == "x^(y + 1)");
    BOOST_TEST(to_string(pow(pow(x, y), z)) == "(x^y)^z");
    BOOST_TEST(to_string(pow(-x, 3_c)) == "(-x)^3");
    BOOST_TEST(to_string(pow(2_c, x)) == "2^x");
    BOOST_TEST(to_string(pow(exact<1, 2>, x)) == "(1/2)^x");
}

BOOST_AUTO_TEST_CASE(unary_minus) {
    BOOST_TEST(to_string(-(x + y)) == "-(x + y)");
    BOOST_TEST(to_string(-(x * y)) == "-(x * y)");
    BOOST_TEST(to_string(-x * y) == "-x * y");
    BOOST_TEST(to_string(-square(x)) == "-x^2");  // -(x^2): the power binds tighter
    BOOST_TEST(to_string(exp(-x)) == "exp(-x)");
    BOOST_TEST(to_string(x - (-y)) == "x + y");
}

BOOST_AUTO_TEST_CASE(exact_rationals_and_literals) {
    BOOST_TEST(to_string(exact<1, 3>) == "1/3");
    BOOST_TEST(to_string(exact<-2, 3>) == "-2/3");
    BOOST_TEST(to_string(exact<1, 3> * x) == "1/3 * x");
    BOOST_TEST(to_string(x * exact<-2, 3>) == "-2/3 * x");
    BOOST_TEST(to_string(pow(x, exact<1, 3>)) == "x^(1/3)");
    BOOST_TEST(to_string(square(exact<1, 3> * x)) == "(1/3 * x)^2");
    BOOST_TEST(to_string(y + (-2_c) * x) == "y - 2 * x");
    BOOST_TEST(to_string(0.5 * x) == "0.5 * x");
    BOOST_TEST(to_string(x + 1e-3) == "x + 0.001");
    // a negative fraction is a quotient: x / -1/3 would read (x / -1) / 3; evaluate gives x * -3
    BOOST_TEST(to_string(x / exact<-1, 3>) == "x / (-1/3)");
    BOOST_TEST(evaluate(x / exact<-1, 3>, x = 1.5) == -4.5);
    BOOST_TEST(to_string(y - x / exact<-5, 7>) == "y - x / (-5/7)");
    // a number in scientific notation is a product: x^2e-07 would read as x^2 * e - 07
    BOOST_TEST(to_string(pow(x, 2e-7)) == "x^(2e-07)");
    BOOST_TEST(to_string(pow(2.5e-7, x)) == "(2.5e-07)^x");
}

BOOST_AUTO_TEST_CASE(functions) {
    BOOST_TEST(to_string(sin(x + y)) == "sin(x + y)");
    BOOST_TEST(to_string(min(x, y)) == "min(x, y)");
    BOOST_TEST(to_string(max(x, 0_c)) == "max(x, 0)");
    // an axis is written as one, never as a number operand
    BOOST_TEST(to_string(max(x, 1.0)) == "max(x, 1)");
    BOOST_TEST(to_string(max(x, axis<1>)) == "max(x, axis=1)");
    BOOST_TEST(to_string(sum(square(x))) == "sum(x^2)");
    BOOST_TEST(to_string(mean(x)) == "mean(x)");
    BOOST_TEST(to_string(dot(A, x)) == "dot(A, x)");
    BOOST_TEST(to_string(transpose(A)) == "transpose(A)");
    BOOST_TEST(to_string(relu(x) + step(x) + sign(x) + softplus(x) + sigmoid(x) + abs(x)) ==
               "relu(x) + step(x) + sign(x) + softplus(x) + sigmoid(x) + abs(x)");
}

BOOST_AUTO_TEST_CASE(every_elementary_function) {
    BOOST_TEST(to_string(exp(x) + log(x) + cos(x) + tan(x) + tanh(x) + sqrt(x)) ==
               "exp(x) + log(x) + cos(x) + tan(x) + tanh(x) + sqrt(x)");
}

BOOST_AUTO_TEST_CASE(derivatives) {
    BOOST_TEST(to_string(derivative(tanh(x), x)) == "1 - tanh(x)^2");
    BOOST_TEST(to_string(derivative(tan(x), x)) == "1 + tan(x)^2");
    BOOST_TEST(to_string(derivative(x / y, y)) == "-(x / y^2)");
    BOOST_TEST(to_string(derivative(sigmoid(2_c * x), x)) == "2 * sigmoid(2 * x) * (1 - sigmoid(2 * x))");
    BOOST_TEST(to_string(derivative(mean(square(a * x - y)), a)) == "mean(2 * (a * x - y) * x)");
    BOOST_TEST(to_string(derivative(sum(square(dot(A, x) - y)), x)) == "dot(transpose(A), 2 * (dot(A, x) - y))");
    BOOST_TEST(to_string(derivative(mean(exp(dot(A, B))), B)) == "dot(transpose(A), exp(dot(A, B)) / n)");
    // a gradient that sums nothing reads without a sum: elementwise functions of the symbol keep its shape
    BOOST_TEST(to_string(derivative(sum(relu(x)), x)) == "step(x)");
    BOOST_TEST(to_string(derivative(mean(square(x)), x)) == "2 * x / n");
    BOOST_TEST(to_string(derivative(sum(3_c * exp(x) + 1_c), x)) == "3 * exp(x)");
}

// Operations that appear in derivatives: the indicators of min and max (ties go to the first
// operand: d min(x, y)/dy = 1 where y < x), the mask of an axis maximum, the fused cross-entropy.
BOOST_AUTO_TEST_CASE(operations_that_derivatives_introduce) {
    BOOST_TEST(to_string(derivative(min(x, y), y)) == "less(y, x)");
    BOOST_TEST(to_string(derivative(max(x, y), x)) == "less_equal(y, x)");
    BOOST_TEST(to_string(derivative(max(x, axis<1>), x)) == "sum(argmax_mask(x, axis=1), axis=1)");
    BOOST_TEST(to_string(cross_entropy(log_softmax(z), y)) == "cross_entropy(log_softmax(z), y)");
    BOOST_TEST(to_string(one_hot<3>(y)) == "one_hot(y, 3)");
}

BOOST_AUTO_TEST_CASE(gradients_through_a_transposed_operand) {
    // L = sum(dot(A^T, B) * C):  dL/dB = A C, with no transpose(transpose(A)) left in the text.
    constexpr auto L = sum(dot(transpose(A), B) * C);
    BOOST_TEST(to_string(derivative(L, B)) == "dot(A, C)");
    BOOST_TEST(to_string(derivative(sum(dot(transpose(x), a) * y), a)) == "dot(x, y)");
}

BOOST_AUTO_TEST_CASE(a_negative_runtime_number_is_parenthesised_where_its_sign_would_bind_wrongly) {
    // (-2.5)^a is 6.25 at a = 2; -2.5^a would read -(2.5^a) = -6.25
    BOOST_TEST(to_string(pow(-2.5, a)) == "(-2.5)^a");
    BOOST_TEST(to_string(-pow(-2.5, a)) == "-(-2.5)^a");
    BOOST_TEST(to_string(2.0 * pow(-2.5, a)) == "2 * (-2.5)^a");
    BOOST_TEST(to_string(derivative(pow(-2.5, a), a)) == "(-2.5)^a * log(-2.5)");
    BOOST_TEST(evaluate(pow(-2.5, a), a = 2.0) == 6.25);
    BOOST_TEST(to_string(-2.5 * a) == "-2.5 * a");  // (a leading minus binds as tightly as the product)
}
