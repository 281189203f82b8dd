// Parameters and data given to gradient_descent as bare bindings, without params(...)/data(...).
// EXPECT-ERROR: gradient_descent\(loss, params\(w = 0\.0, \.\.\.\), data\(x = X, y = Y\), \{options\}\): the parameters
// go in params
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

constexpr auto w = symdiff::symbol<"w">;
constexpr auto x = symdiff::symbol<"x">;
constexpr auto y = symdiff::symbol<"y">;

double f(const xt::xtensor<double, 1>& X, const xt::xtensor<double, 1>& Y) {
    auto fit = symdiff::gradient_descent(symdiff::mean(symdiff::square(w * x - y)), w = 0.0, x = X, y = Y);
    return fit[w];
}
