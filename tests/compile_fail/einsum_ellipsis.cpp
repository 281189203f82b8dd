// NumPy's "..." for broadcast axes, as in np.einsum("...ij->...ji", x): refused in words
// (not as "a subscript must be a letter").
// EXPECT-ERROR: einsum: '...' \(NumPy's broadcast axes\) is not supported: name every axis with a letter
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::einsum<"...ij->...ji">(x); }
