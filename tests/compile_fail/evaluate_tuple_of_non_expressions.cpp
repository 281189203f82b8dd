// evaluate(hana::make_tuple(...)) with an element that is not a symdiff expression.
// EXPECT-ERROR: every element of the tuple must be a symdiff expression
#include <boost/hana/tuple.hpp>
#include <symdiff/symdiff.hpp>

constexpr auto x = symdiff::symbol<"x">;

auto f() { return symdiff::evaluate(boost::hana::make_tuple(x, 3.0), x = 1.0); }
