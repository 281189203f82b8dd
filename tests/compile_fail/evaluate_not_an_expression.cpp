// evaluate given something that is neither an expression nor a tuple of expressions.
// EXPECT-ERROR: the first argument must be a symdiff expression, or a std::tuple or
#include <symdiff/symdiff.hpp>
#include <vector>

constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::evaluate(std::vector<double>{1.0}, x = 1.0); }
