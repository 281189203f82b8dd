// Exact arithmetic that overflows intmax_t is a compile error, not a silent wrap.
// EXPECT-ERROR: exact constant overflows intmax_t
#include <symdiff/symdiff.hpp>

using namespace symdiff::literals;

auto f() { return 4000000000_c * 4000000000_c * 4000000000_c; }
