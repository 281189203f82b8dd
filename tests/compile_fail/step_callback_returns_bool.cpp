// A step callback that returns a bool, meant as "stop": it would be ignored.
// EXPECT-ERROR: the step callback returns nothing or a step_action
#include <symdiff/symdiff.hpp>

constexpr auto w = symdiff::symbol<"w">;
constexpr auto x = symdiff::symbol<"x">;

auto f(const xt::xtensor<double, 1>& X) {
    using namespace symdiff;
    return gradient_descent(mean(square(w * x - 1.0)), params(w = 0.0), data(x = X), {.steps = 10},
                            [](const auto& s) { return s.loss < 1e-3; });
}
