// A subscript that is not a letter is rejected when the einsum is built, in words.
// EXPECT-ERROR: einsum: a subscript must be a letter, a-z or A-Z
#include <symdiff/symdiff.hpp>

constexpr auto a = symdiff::symbol<"a">;

auto f() { return symdiff::einsum<"i1,1j->ij">(a, a); }
