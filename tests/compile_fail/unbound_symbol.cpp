// evaluate with a symbol of the expression left unbound: the error says so and names the symbol.
// EXPECT-ERROR: a symbol of the expression has no value
// EXPECT-ERROR: symbol_has_no_value<symdiff::fixed_string<2>."y"
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;
constexpr auto y = symdiff::symbol<"y">;

double f() { return symdiff::evaluate(x + y, x = 1.0); }
