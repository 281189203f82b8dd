// exact<1, 0> is not a rational number.
// EXPECT-ERROR: division by the exact constant 0
#include <symdiff/symdiff.hpp>

auto f() { return symdiff::exact<1, 0>; }
