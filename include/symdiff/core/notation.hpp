#pragma once
// How an operation is written. Each operation tag declares its notation; the printers
// (to_string, to_latex) and the engine's messages only need these fields, so a new operation
// never edits them.
#include <string_view>

namespace symdiff {

enum class style {
    function,  ///< name(a, b)
    infix,     ///< a name b, left-associative
    prefix,    ///< name a
    power,     ///< a^b, right-associative
    // LaTeX only (an operation's optional `latex_notation`):
    fraction,   ///< \frac{a}{b}
    radical,    ///< \sqrt{a}
    bars,       ///< \left|a\right|
    postfix,    ///< a^\top
    juxtapose,  ///< a b (matrix product)
};

/// Binding strength used to decide on parentheses.
namespace precedence {
inline constexpr int sum = 1;
inline constexpr int product = 2;
inline constexpr int unary = 3;
inline constexpr int power = 4;
inline constexpr int atom = 5;
}  // namespace precedence

/// The notation of operation `Op` in LaTeX: its `latex_notation` when it has one.
template <class Op>
constexpr style latex_notation_of() {
    if constexpr (requires { Op::latex_notation; }) return Op::latex_notation;
    else return Op::notation;
}

/// Does this notation write the operation's spelling (`name` or `latex`)? Powers, fractions,
/// roots, bars and juxtaposition are drawn by the printer from the operands alone.
constexpr bool writes_spelling(style s) {
    return s == style::function || s == style::infix || s == style::prefix || s == style::postfix;
}

}  // namespace symdiff
