// Two operands given for subscripts that name one.
// EXPECT-ERROR: einsum: the subscripts name a different number of operands than were given
#include <symdiff/symdiff.hpp>

constexpr auto a = symdiff::symbol<"a">;

auto f() { return symdiff::einsum<"ij->j">(a, a); }
