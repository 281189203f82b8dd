// to_latex: \frac for quotients, \sqrt{} for square roots, \left( \right) where (and only where)
// the tree needs them, exact rationals as fractions, products of matrices by juxtaposition.
#define BOOST_TEST_MODULE print_to_latex
#include <boost/test/unit_test.hpp>

#include <limits>

#include <symdiff/symdiff.hpp>

using namespace symdiff;
using namespace symdiff::literals;

namespace {
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
constexpr auto c = symbol<"c">;
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto A = symbol<"A">;
constexpr auto B = symbol<"B">;
constexpr auto C = symbol<"C">;
}  // namespace

BOOST_AUTO_TEST_CASE(fractions_roots_and_powers) {
    BOOST_TEST(to_latex(a / (b * c)) == "\\frac{a}{b \\cdot c}");
    BOOST_TEST(to_latex(sqrt(x + y)) == "\\sqrt{x + y}");
    BOOST_TEST(to_latex(square(a + b)) == "{\\left(a + b\\right)}^{2}");
    BOOST_TEST(to_latex(pow(x, exact<1, 3>)) == "{x}^{\\frac{1}{3}}");
    BOOST_TEST(to_latex(exact<-2, 3> * x) == "-\\frac{2}{3} \\cdot x");
    BOOST_TEST(to_latex(a - (b - c)) == "a - \\left(b - c\\right)");
    BOOST_TEST(to_latex(abs(x - y)) == "\\left|x - y\\right|");
}

BOOST_AUTO_TEST_CASE(functions) {
    BOOST_TEST(to_latex(sin(x + y)) == "\\sin\\left(x + y\\right)");
    BOOST_TEST(to_latex(sigmoid(x)) == "\\sigma\\left(x\\right)");
    BOOST_TEST(to_latex(mean(x)) == "\\operatorname{mean}\\left(x\\right)");
    BOOST_TEST(to_latex(transpose(A)) == "A^\\top");
    BOOST_TEST(to_latex(dot(A, x)) == "A x");
}

BOOST_AUTO_TEST_CASE(derivatives) {
    BOOST_TEST(to_latex(derivative(log(x), x)) == "\\frac{1}{x}");
    BOOST_TEST(to_latex(derivative(x / (1_c + y), x)) == "\\frac{1}{1 + y}");
    BOOST_TEST(to_latex(derivative(log(1_c + exp(x)), x)) ==
               "\\frac{1}{1 + \\exp\\left(x\\right)} \\cdot \\exp\\left(x\\right)");
    BOOST_TEST(to_latex(derivative(tanh(x), x)) == "1 - {\\tanh\\left(x\\right)}^{2}");
    BOOST_TEST(to_latex(derivative(sum(square(dot(A, x) - y)), x)) ==
               "A^\\top \\left(2 \\cdot \\left(A x - y\\right)\\right)");
}

BOOST_AUTO_TEST_CASE(a_fraction_is_an_atom) {
    // \frac{..}{..} is delimited by itself: no \left( \right) around it as an operand
    BOOST_TEST(to_latex(a * (b / c)) == "a \\cdot \\frac{b}{c}");
    BOOST_TEST(to_latex(-(a / b)) == "-\\frac{a}{b}");
}

BOOST_AUTO_TEST_CASE(transposes_of_products_are_parenthesised) {
    // L = sum(dot(A^T, B) * C):  dL/dA = B C^T = (C B^T)^T, dL/dB = A C
    constexpr auto L = sum(dot(transpose(A), B) * C);
    BOOST_TEST(to_latex(derivative(L, B)) == "A C");
    // the gradient is built as transpose(C B^T); juxtaposition binds looser than ^\top, so it needs
    // parentheses ("C B^\top^\top" would mean C B, and a double superscript is not valid LaTeX)
    BOOST_TEST(to_latex(derivative(L, A)) == "\\left(C B^\\top\\right)^\\top");
}

BOOST_AUTO_TEST_CASE(every_function_in_its_notation) {
    BOOST_TEST(to_latex(exp(x) + log(x) + cos(x) + tan(x) + tanh(x) + sqrt(x) + sin(x)) ==
               "\\exp\\left(x\\right) + \\log\\left(x\\right) + \\cos\\left(x\\right) + \\tan\\left(x\\right) + "
               "\\tanh\\left(x\\right) + \\sqrt{x} + \\sin\\left(x\\right)");
    BOOST_TEST(to_latex(relu(x) + step(x) + sign(x) + softplus(x) + sigmoid(x) + abs(x)) ==
               "\\operatorname{relu}\\left(x\\right) + H\\left(x\\right) + \\operatorname{sign}\\left(x\\right) + "
               "\\operatorname{softplus}\\left(x\\right) + \\sigma\\left(x\\right) + \\left|x\\right|");
    BOOST_TEST(to_latex(sum(square(x)) + mean(x)) ==
               "\\sum\\left({x}^{2}\\right) + \\operatorname{mean}\\left(x\\right)");
    BOOST_TEST(to_latex(transpose(A) + min(x, A) + max(x, A)) ==
               "A^\\top + \\min\\left(x, A\\right) + \\max\\left(x, A\\right)");
}

BOOST_AUTO_TEST_CASE(operations_that_derivatives_introduce) {
    BOOST_TEST(to_latex(derivative(min(x, y), y)) == "\\mathbb{1}_<\\left(y, x\\right)");
    BOOST_TEST(to_latex(derivative(max(x, y), x)) == "\\mathbb{1}_\\le\\left(y, x\\right)");
    BOOST_TEST(to_latex(derivative(max(x, axis<1>), x)) ==
               "\\operatorname{sum}\\left(\\operatorname{argmax\\_mask}\\left(x, \\text{axis}=1\\right), "
               "\\text{axis}=1\\right)");
    BOOST_TEST(to_latex(cross_entropy(log_softmax(x), y)) ==
               "\\operatorname{cross\\_entropy}\\left(\\operatorname{log\\_softmax}\\left(x\\right), y\\right)");
    BOOST_TEST(to_latex(one_hot<3>(y)) == "\\operatorname{one\\_hot}\\left(y, 3\\right)");
}

BOOST_AUTO_TEST_CASE(numbers_in_scientific_notation_and_powers_of_fractions) {
    // C's 1e+20 is not LaTeX: 10^{20}; a power of a fraction keeps its parentheses
    BOOST_TEST(to_latex(1e20 * a) == "10^{20} \\cdot a");
    BOOST_TEST(to_latex(2.5e-7 * a) == "2.5 \\cdot 10^{-7} \\cdot a");
    BOOST_TEST(to_latex(pow(a / b, 2_c)) == "{\\left(\\frac{a}{b}\\right)}^{2}");
    BOOST_TEST(to_latex(pow(-2.5, a)) == "{\\left(-2.5\\right)}^{a}");
    // the base is the whole number, not its power of ten: (2.5e-7)^a, not 2.5 * 10^(-7 a)
    BOOST_TEST(to_latex(pow(2.5e-7, a)) == "{\\left(2.5 \\cdot 10^{-7}\\right)}^{a}");
    // C's inf is not LaTeX either
    BOOST_TEST(to_latex(max(a, -std::numeric_limits<double>::infinity()) + std::numeric_limits<double>::infinity()) ==
               "\\max\\left(a, -\\infty\\right) + \\infty");
}

BOOST_AUTO_TEST_CASE(symbol_names) {
    // one letter as it is; a Greek letter's name as the letter; any other name upright, so that
    // lr does not read as l times r; after the first _ a subscript; TeX's special characters escaped
    BOOST_TEST(to_latex(symbol<"alpha"> * symbol<"Sigma">) == "\\alpha \\cdot \\Sigma");
    BOOST_TEST(to_latex(symbol<"lr"> * x) == "\\mathrm{lr} \\cdot x");
    BOOST_TEST(to_latex(symbol<"x_12"> + symbol<"W_hidden">) == "x_{12} + W_{\\mathrm{hidden}}");
    BOOST_TEST(to_latex(symbol<"w_i_j"> + symbol<"beta_1">) == "w_{\\mathrm{i\\_j}} + \\beta_{1}");
    BOOST_TEST(to_latex(symbol<"_x"> + symbol<"y_">) == "_{x} + y");  // (an empty part writes nothing)
    BOOST_TEST(to_latex(symbol<"50%"> + symbol<"a&b">) == "\\mathrm{50\\%} + \\mathrm{a\\&b}");
    // text keeps the names as they are
    BOOST_TEST(to_string(symbol<"w_i_j"> + symbol<"alpha">) == "w_i_j + alpha");
}
