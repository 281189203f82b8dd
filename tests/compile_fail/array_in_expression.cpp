// An xtensor array written into an expression, as a PyTorch tensor would be.
// EXPECT-ERROR: e \* X with X an array: an array cannot be part of a symdiff expression
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

constexpr auto w = symdiff::symbol<"w">;

auto f(const xt::xtensor<double, 1>& X) { return symdiff::mean(symdiff::square(w * X)); }
