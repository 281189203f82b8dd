// derivative_of_square: the derivative of x^2 is 2x, so at x = 3 the slope is 6
// (seed 002, "Calculating Gradients": PyTorch's xt.grad is tensor(6.)).
//
// symdiff builds the derivative as an expression at compile time: no tape, no graph at run time.
// The same expression is then evaluated at compile time (static_assert), at run time with a
// number, and at run time over an xtensor array.
//
// Usage: derivative_of_square [x]     (x defaults to 3)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <type_traits>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "common/check.hpp"

using namespace symdiff;
using namespace symdiff::literals;  // 3_c: the exact constant 3

// [snippet:derivative_of_square]
// A symbol is a named placeholder; its value is given only when the expression is evaluated.
constexpr auto x = symbol<"x">;

// f(x) = x^2 and its derivative, both plain constexpr values whose types spell out the formula.
constexpr auto f = square(x);
constexpr auto df = derivative(f, x);  // 2 * x

// Checked by the compiler: d/dx x^2 at x = 3 is 6.
static_assert(evaluate(df, x = 3.0) == 6.0);
// [/snippet:derivative_of_square]

// [snippet:higher_derivatives]
// Derivatives of derivatives. Constants stay exact (2, not 2.0000001), and a derivative that is
// zero is the exact constant 0 in the type system: the compiler knows x^2 has no third derivative.
constexpr auto d2f = derivative<2>(f, x);  // 2
constexpr auto d3f = derivative<3>(f, x);  // 0
static_assert(evaluate(d2f, x = 3.0) == 2.0);
static_assert(std::is_same_v<decltype(derivative<3>(f, x)), zero_t>);

constexpr auto cube = pow(x, 3_c);  // x^3: 3x^2, 6x, 6, 0
static_assert(evaluate(derivative(cube, x), x = 3.0) == 27.0);
static_assert(evaluate(derivative<2>(cube, x), x = 3.0) == 18.0);
// [/snippet:higher_derivatives]

int main(int argc, char** argv) {
    example::checker check;

    // [snippet:print_derivative]
    // Print the formulas: as text, and as LaTeX for documents.
    std::printf("f(x)    = %s\n", to_string(f).c_str());
    std::printf("f'(x)   = %s\n", to_string(df).c_str());
    std::printf("LaTeX:  f(x) = %s,  f'(x) = %s\n", to_latex(f).c_str(), to_latex(df).c_str());
    // [/snippet:print_derivative]

    // [snippet:runtime_derivative]
    // At run time the point may come from anywhere, here the command line.
    const double at = argc > 1 ? std::strtod(argv[1], nullptr) : 3.0;
    const double slope = evaluate(df, x = at);
    std::printf("\nf(%g) = %g, f'(%g) = %g\n", at, evaluate(f, x = at), at, slope);

    // Over an array, the derivative is taken element by element (what plot_function draws).
    const xt::xtensor<double, 1> xs{-2.0, -1.0, 0.0, 1.0, 2.0, 3.0};
    const xt::xtensor<double, 1> slopes = evaluate(df, x = xs);
    // [/snippet:runtime_derivative]
    std::printf("\n   x  |  f(x) = x^2  |  f'(x) = 2x\n");
    for (std::size_t i = 0; i < xs.size(); ++i)
        std::printf("%5.1f |  %10.1f  |  %10.1f\n", xs(i), xs(i) * xs(i), slopes(i));

    check.near("f'(x) at the requested x", slope, 2.0 * at, 0.0);
    if (argc <= 1) check.near("d/dx x^2 at x = 3 (the seed's xt.grad)", slope, 6.0, 0.0);
    for (std::size_t i = 0; i < xs.size(); ++i) check.near("f'(x) over the array", slopes(i), 2.0 * xs(i), 0.0);
    check.same_text("to_string(derivative(square(x), x))", to_string(df), "2 * x");
    check.same_text("to_latex(derivative(square(x), x))", to_latex(df), "2 \\cdot x");

    // Higher derivatives, printed and evaluated at x = 3.
    std::printf("\nhigher derivatives, evaluated at x = 3:\n");
    const auto show = [](const char* name, const auto& e) {
        const double v = evaluate(e, x = 3.0);
        std::printf("  %-12s = %-10s -> %g\n", name, to_string(e).c_str(), v);
        return v;
    };
    check.near("(x^2)'' at 3", show("(x^2)''", d2f), 2.0, 0.0);
    check.near("(x^2)''' at 3", show("(x^2)'''", d3f), 0.0, 0.0);
    check.near("(x^3)' at 3", show("(x^3)'", derivative(cube, x)), 27.0, 0.0);
    check.near("(x^3)'' at 3", show("(x^3)''", derivative<2>(cube, x)), 18.0, 0.0);
    check.near("(x^3)''' at 3", show("(x^3)'''", derivative<3>(cube, x)), 6.0, 0.0);
    check.near("(x^3)'''' at 3", show("(x^3)''''", derivative<4>(cube, x)), 0.0, 0.0);
    // sin cycles through cos, -sin, -cos, sin.
    const double s3 = show("sin''''(x)", derivative<4>(sin(x), x));
    check.near("sin'''' at 3 equals sin(3)", s3, std::sin(3.0), 0.0);
    check.same_text("to_string((x^3)'')", to_string(derivative<2>(cube, x)), "6 * x");
    check.same_text("to_string(sin'''')", to_string(derivative<4>(sin(x), x)), "sin(x)");

    return check.exit_code();
}
