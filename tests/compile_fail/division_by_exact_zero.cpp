// Dividing by the exact constant 0 is rejected when the expression is built.
// EXPECT-ERROR: division by the exact constant 0
#include <symdiff/symdiff.hpp>

using namespace symdiff::literals;
constexpr auto x = symdiff::symbol<"x">;

auto f() { return x / 0_c; }
