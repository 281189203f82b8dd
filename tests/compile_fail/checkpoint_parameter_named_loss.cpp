// A trainer whose parameter is named "loss" saved to a checkpoint: its file would be the loss history's.
// EXPECT-ERROR: a parameter is named "loss", but a checkpoint keeps the loss history in loss.npy
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

constexpr auto loss = symdiff::symbol<"loss">;
constexpr auto x = symdiff::symbol<"x">;
constexpr auto y = symdiff::symbol<"y">;

void f(const xt::xtensor<double, 1>& X, const xt::xtensor<double, 1>& Y) {
    symdiff::trainer t(symdiff::mean(symdiff::square(loss * x - y)), symdiff::params(loss = 0.5),
                       symdiff::data(x = X, y = Y));
    t.save("checkpoint");
}
