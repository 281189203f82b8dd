// _c takes decimal digits only.
// EXPECT-ERROR: _c takes a decimal integer
#include <symdiff/symdiff.hpp>

using namespace symdiff::literals;

auto f() { return 0x10_c; }
