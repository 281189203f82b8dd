// gradient_descent with a symbol of the loss in neither params(...) nor data(...): the error says
// where it goes and names the symbol.
// EXPECT-ERROR: a symbol of the expression has no value
// EXPECT-ERROR: each symbol of the loss goes in params\(...\) or in data\(...\)
// EXPECT-ERROR: symbol_has_no_value<symdiff::fixed_string<2>\{"y"\}>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

int main() {
    using namespace symdiff;
    constexpr auto x = symbol<"x">;
    constexpr auto y = symbol<"y">;
    constexpr auto w = symbol<"w">;
    const xt::xtensor<double, 1> X{1, 2, 3};
    auto fit =
        gradient_descent(mean(square(w * x - y)), params(w = 0.0), data(x = X), {.learning_rate = 0.01, .steps = 10});
    return fit[w] > 0 ? 0 : 1;
}
