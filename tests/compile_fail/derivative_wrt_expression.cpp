// derivative with respect to an expression (x + 1) instead of a symbol.
// EXPECT-ERROR: s must be a symbol
#include <symdiff/symdiff.hpp>

using namespace symdiff::literals;
constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::derivative(x * x, x + 1_c); }
