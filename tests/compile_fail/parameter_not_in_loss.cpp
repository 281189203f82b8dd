// EXPECT-ERROR: a parameter does not occur in the loss
// EXPECT-ERROR: parameter_not_in_loss<symdiff::fixed_string<2>\{"W"\}>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

int main() {
    using namespace symdiff;
    constexpr auto x = symbol<"x">;
    constexpr auto y = symbol<"y">;
    constexpr auto w = symbol<"w">;
    constexpr auto W = symbol<"W">;  // a typo: the loss uses w
    const xt::xtensor<double, 1> X{1, 2}, Y{2, 4};
    auto fit = gradient_descent(mean(square(w * x - y)), params(W = 0.0), data(x = X, y = Y));
    (void)fit;
}
