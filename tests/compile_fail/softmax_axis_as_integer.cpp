// log_softmax with its axis as an integer, as torch.log_softmax(z, 1) is written.
// EXPECT-ERROR: log_softmax\(e, 1\): an axis is part of the expression's type
#include <symdiff/symdiff.hpp>

constexpr auto z = symdiff::symbol<"z">;

auto f() { return symdiff::log_softmax(z, 1); }
