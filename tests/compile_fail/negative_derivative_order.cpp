// derivative<N> with a negative order.
// EXPECT-ERROR: N must not be negative
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::derivative<-1>(x * x, x); }
