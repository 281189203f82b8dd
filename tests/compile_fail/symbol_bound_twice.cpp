// evaluate with one symbol bound twice: ambiguous, rejected, and the symbol is named.
// EXPECT-ERROR: a symbol is bound more than once
// EXPECT-ERROR: symbol_bound_twice<symdiff::fixed_string<2>."x"
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

double f() { return symdiff::evaluate(x * x, x = 1.0, x = 2.0); }
