// EXPECT-ERROR: initial values must be floating point
#include <symdiff/symdiff.hpp>

int main() {
    constexpr auto w = symdiff::symbol<"w">;
    auto p = symdiff::params(w = 0);  // an integer parameter could not take a fractional step
    (void)p;
}
