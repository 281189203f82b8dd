// A consumer of the installed package: find_package(symdiff CONFIG REQUIRED) + symdiff::symdiff.
#include <symdiff/symdiff.hpp>

#include <xtensor/xtensor.hpp>

int main() {
    constexpr auto x = symdiff::symbol<"x">;
    constexpr auto w = symdiff::symbol<"w">;
    static_assert(symdiff::evaluate(symdiff::derivative(square(x), x), x = 3.0) == 6.0);
    const xt::xtensor<double, 1> X{1.0, 2.0, 3.0, 4.0};
    const double g = symdiff::evaluate(symdiff::derivative(mean(square(w * x - 2.0 * x)), w), w = 0.0, x = X);
    return g == -30.0 ? 0 : 1;  // mean(2 * (w x - 2 x) x) at w = 0 is -4 * mean(x^2) = -30
}
