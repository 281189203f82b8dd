// readme: the first example of README.md, compiled and run.
//
// The region between the snippet markers is the README's code block, character for character
// (tests/docs/test_snippets.cpp keeps the two in sync), so it is this program's main(). The
// README's program checks nothing itself; it prints two lines whose comments promise what they
// say. The checker below, outside the quoted region, holds it to that promise: it captures
// std::cout from before main() starts, and once main() has returned it checks the two lines and
// ends the program with exit status 1 if either is wrong.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>

#include "common/check.hpp"

namespace {

struct readme_output_check {
    std::ostringstream captured;
    std::streambuf* original;

    // Runs before main() (a namespace-scope object of this file; std::cout is usable because
    // <iostream> is included above).
    readme_output_check() : original(std::cout.rdbuf(captured.rdbuf())) {}

    // Runs after main() has returned.
    ~readme_output_check() {
        std::cout.rdbuf(original);
        const std::string out = captured.str();
        std::cout << out << std::flush;

        example::checker check;
        std::istringstream lines(out);
        std::string gradient, fitted;
        std::getline(lines, gradient);
        std::getline(lines, fitted);
        check.same_text("line 1, the derivative of the loss", gradient, "mean(2 * (w * x - y) * x)");
        const bool prefix = fitted.rfind("w = ", 0) == 0;
        check.that("line 2 starts with \"w = \"", prefix, fitted);
        if (prefix)
            check.near("line 2, w after 100 steps (2 to 4 digits)", std::strtod(fitted.c_str() + 4, nullptr), 2.0,
                       5e-5);
        const int status = check.exit_code();
        std::fflush(stdout);
        if (status != 0) std::_Exit(status);  // main() has returned 0 already; override it
    }
} readme_output;

}  // namespace

// [snippet:readme]
#include <iostream>
#include <symdiff/symdiff.hpp>

int main() {
    using namespace symdiff;
    constexpr auto x = symbol<"x">;
    constexpr auto w = symbol<"w">;
    constexpr auto y = symbol<"y">;
    static_assert(evaluate(derivative(square(x), x), x = 3.0) == 6.0);  // at compile time

    constexpr auto loss = mean(square(w * x - y));
    std::cout << to_string(derivative(loss, w)) << "\n";  // mean(2 * (w * x - y) * x)
    const xt::xtensor<double, 1> X{1, 2, 3, 4}, Y{2, 4, 6, 8};
    auto fit = gradient_descent(loss, params(w = 0.0), data(x = X, y = Y), {.learning_rate = 0.01, .steps = 100});
    std::cout << "w = " << fit[w] << "\n";  // w = 2 (to 4 digits)
}
// [/snippet:readme]
