// derivative with respect to a number.
// EXPECT-ERROR: s must be a symbol
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::derivative(x * x, 2.0); }
