// An output letter that no operand has: its extent would be unknown.
// EXPECT-ERROR: einsum: a letter of the output appears in no operand
#include <symdiff/symdiff.hpp>

constexpr auto a = symdiff::symbol<"a">;

auto f() { return symdiff::einsum<"ij->ik">(a); }
