#pragma once
// How an operation is written. Each operation tag declares its notation; the printers
// (to_string, to_latex) only need these fields, so a new operation never edits the printers.
#include <string_view>

namespace symdiff {

enum class style {
    function,  ///< name(a, b)
    infix,     ///< a name b, left-associative
    prefix,    ///< name a
    power,     ///< a^b, right-associative
    // LaTeX only (an operation's optional `latex_notation`):
    fraction,  ///< \frac{a}{b}
    radical,   ///< \sqrt{a}
    bars,      ///< \left|a\right|
    postfix,   ///< a^\top
    juxtapose, ///< a b (matrix product)
};

/// Binding strength used to decide on parentheses.
namespace precedence {
inline constexpr int sum = 1;
inline constexpr int product = 2;
inline constexpr int unary = 3;
inline constexpr int power = 4;
inline constexpr int atom = 5;
}  // namespace precedence

}  // namespace symdiff
