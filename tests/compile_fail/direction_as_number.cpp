// A number as the direction of hvp and jvp (torch.autograd.functional.hvp takes a tensor v).
// EXPECT-ERROR: hvp\(loss, s, 1\.0\): the direction is an expression: a symbol bound to the direction's values
// EXPECT-ERROR: jvp\(f, s, 1\.0\): the direction is an expression
#include <symdiff/symdiff.hpp>

constexpr auto w = symdiff::symbol<"w">;
constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::hvp(symdiff::sum(symdiff::square(w * x)), w, 1.0); }
auto g() { return symdiff::jvp(symdiff::square(w * x), w, 2); }
