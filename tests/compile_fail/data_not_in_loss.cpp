// EXPECT-ERROR: a data symbol does not occur in the loss
// EXPECT-ERROR: data_not_in_loss<symdiff::fixed_string<2>\{"z"\}>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

int main() {
    using namespace symdiff;
    constexpr auto x = symbol<"x">;
    constexpr auto y = symbol<"y">;
    constexpr auto z = symbol<"z">;
    constexpr auto w = symbol<"w">;
    const xt::xtensor<double, 1> X{1, 2}, Y{2, 4};
    auto fit = gradient_descent(mean(square(w * x - y)), params(w = 0.0), data(x = X, y = Y, z = X));
    (void)fit;
}
