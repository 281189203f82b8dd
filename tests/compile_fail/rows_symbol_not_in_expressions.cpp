// compile(rows(z), ...) with z in none of the compiled expressions (a misspelt symbol).
// EXPECT-ERROR: a symbol named in rows\(...\) is in none of the compiled expressions
#include <symdiff/symdiff.hpp>

constexpr auto w = symdiff::symbol<"w">;
constexpr auto x = symdiff::symbol<"x">;
constexpr auto z = symdiff::symbol<"z">;

auto f() {
    constexpr auto loss = symdiff::mean(symdiff::square(w * x - 1.0));
    return symdiff::compile(symdiff::rows(z), loss, symdiff::derivative(loss, w));
}
