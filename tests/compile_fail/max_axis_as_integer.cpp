// max(x, 1) written as torch.max(x, 1) or np.max(x, 1), meaning an axis: refused, saying how to
// write the axis and how to write the elementwise maximum with a number.
// EXPECT-ERROR: max\(e, 1\): as in NumPy and PyTorch this reads as an axis
// EXPECT-ERROR: write max\(e, axis<1>\)
// EXPECT-ERROR: write max\(e, 1.0\)
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::max(x, 1); }
