// A metric given to trainer.validate_on as a bare expression, without metric("name", ...).
// EXPECT-ERROR: the validation data go in data\(\.\.\.\), and each metric is written metric\("name", expression\)
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

constexpr auto w = symdiff::symbol<"w">;
constexpr auto x = symdiff::symbol<"x">;
constexpr auto y = symdiff::symbol<"y">;

void f(const xt::xtensor<double, 1>& X, const xt::xtensor<double, 1>& Y) {
    symdiff::trainer t(symdiff::mean(symdiff::square(w * x - y)), symdiff::params(w = 0.0), symdiff::data(x = X, y = Y),
                       {.learning_rate = 0.01});
    t.validate_on(symdiff::data(x = X, y = Y), symdiff::mean(symdiff::abs(w * x - y)));
}
