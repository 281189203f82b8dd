// An axis given as an integer, as torch.sum(x, 1) is written.
// EXPECT-ERROR: sum\(e, 1\): an axis is part of the expression's type: write sum\(e, axis<1>\)
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::sum(x, 1); }
