// Several symbols given to derivative, as one would ask torch.autograd.grad for several inputs.
// EXPECT-ERROR: derivative\(f, w, b\): derivative takes one symbol; gradient\(f, w, b\) gives the derivative
#include <symdiff/symdiff.hpp>

constexpr auto w = symdiff::symbol<"w">;
constexpr auto b = symdiff::symbol<"b">;
constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::derivative(symdiff::square(w * x + b), w, b); }
