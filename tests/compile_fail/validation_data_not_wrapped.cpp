// Validation data given to trainer.validate_on as bare bindings, without data(...).
// EXPECT-ERROR: the validation data go in data\(\.\.\.\), and each metric is written metric\("name", expression\)
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

constexpr auto w = symdiff::symbol<"w">;
constexpr auto x = symdiff::symbol<"x">;
constexpr auto y = symdiff::symbol<"y">;

void f(const xt::xtensor<double, 1>& X, const xt::xtensor<double, 1>& Y) {
    symdiff::trainer t(symdiff::mean(symdiff::square(w * x - y)), symdiff::params(w = 0.0), symdiff::data(x = X, y = Y),
                       {.learning_rate = 0.01});
    t.validate_on(x = X, y = Y);
}
