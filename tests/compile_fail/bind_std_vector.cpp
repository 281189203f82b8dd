// A symbol bound to a std::vector instead of an xtensor array.
// EXPECT-ERROR: a symbol is bound to a value that is neither a number nor an xtensor array
#include <vector>

#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

auto f(const std::vector<double>& v) { return symdiff::evaluate(symdiff::square(x), x = v); }
