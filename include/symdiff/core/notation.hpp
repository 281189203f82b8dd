#pragma once
// How an operation is written. Each operation tag declares its notation; the printers
// (to_string, to_latex) and the engine's messages only need these fields, so a new operation
// never edits them.
#include <cstddef>
#include <string_view>
#include <vector>

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

/// How an operation's axis is written as its last argument: `sum(x, axis=1)` (`\text{axis}=1` in
/// LaTeX), never a bare number, which would read as an operand (`max(x, 1.0)` is elementwise).
inline constexpr std::string_view axis_label_prefix = "axis=";

/// How a reduction onto a shape is written once the shapes are known (a gradient reduction
/// printed with the values bound: `to_string(e, x = X, ...)`):
///   factor * sum(h, axes) / divisor, with `sum(h)` when every axis of h is summed, `mean(h)` when
///   that is a mean, and plain `h` when no axis is.
struct reduction_notation {
    std::vector<std::size_t> axes;  ///< the axes of h summed (h's own numbering)
    bool all = false;               ///< every axis of h that has more than one element is summed
    bool mean = false;              ///< written mean(h): all axes summed, divided by their count
    std::size_t factor = 1;         ///< elements of the domain that h broadcasts over (a repeat)
    std::size_t divisor = 1;        ///< what the whole is divided by (a mean's count)

    /// Its binding strength, given that of h.
    constexpr int strength(int of_h) const {
        if (factor != 1 || divisor != 1) return precedence::product;  // (h in parentheses if weaker)
        return axes.empty() ? of_h : precedence::atom;
    }
};

}  // namespace symdiff
