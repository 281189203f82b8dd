// EXPECT-ERROR: fit\[...\] / params\[...\]: this symbol is not one of the parameters
// EXPECT-ERROR: not_a_parameter<symdiff::fixed_string<2>\{"b"\}>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

int main() {
    using namespace symdiff;
    constexpr auto x = symbol<"x">;
    constexpr auto y = symbol<"y">;
    constexpr auto w = symbol<"w">;
    constexpr auto b = symbol<"b">;
    const xt::xtensor<double, 1> X{1, 2}, Y{2, 4};
    auto fit = gradient_descent(mean(square(w * x - y)), params(w = 0.0), data(x = X, y = Y));
    return static_cast<int>(fit[b]);
}
