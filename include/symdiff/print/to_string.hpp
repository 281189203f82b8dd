#pragma once
// to_string: readable infix text with minimal parentheses, e.g. "mean(2 * (a * x + b - y) * x)".
#include <ostream>
#include <string>

#include "printer.hpp"

namespace symdiff {

template <Expression E>
std::string to_string(const E& e) {
    detail::printer<detail::format::text> p;
    p.print(e);
    return p.out;
}

/// Writes `e` as to_string does: `std::cout << derivative(loss, w)` prints `mean(2 * (w * x - y) * x)`.
template <Expression E>
std::ostream& operator<<(std::ostream& os, const E& e) {
    return os << to_string(e);
}

}  // namespace symdiff
