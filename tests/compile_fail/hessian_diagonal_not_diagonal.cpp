// hessian_diagonal of a loss whose Hessian is not diagonal by construction (least squares: 2/n xᵀx).
// EXPECT-ERROR: is not diagonal by construction
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;
constexpr auto y = symdiff::symbol<"y">;
constexpr auto a = symdiff::symbol<"a">;

auto f() { return symdiff::hessian_diagonal(symdiff::mean(symdiff::square(symdiff::dot(x, a) - y)), a); }
