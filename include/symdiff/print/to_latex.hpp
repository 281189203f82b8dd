#pragma once
// to_latex: the same expression as LaTeX math, e.g. "\operatorname{mean}\left(2 \cdot ...\right)".
#include <string>

#include "printer.hpp"

namespace symdiff {

template <Expression E>
std::string to_latex(const E& e) {
    detail::printer<detail::format::latex> p;
    p.print(e);
    return p.out;
}

}  // namespace symdiff
