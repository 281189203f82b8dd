#pragma once
// What a structural operation hands to each operand in reverse mode.
//
// `adjoint<G, D, K>` says: the operand's adjoint is `g`, whose nominal shape is that of the
// domain `d` (g itself may be smaller: it broadcasts). When the reverse pass reaches a symbol
// (or another structural node) inside that operand, it reduces `g` onto the symbol's shape:
//   K = sum:   sum over the broadcast axes            (sum(e), elementwise regions)
//   K = mean:  the same, divided by the element count of `d`   (mean(e))
//   K = exact: `g` already has exactly the operand's shape (matrix products, transpose)
#include "expression.hpp"

namespace symdiff {

enum class reduction { sum, mean, exact };

template <class G, class D, reduction K>
struct adjoint {
    G g;
    D domain;
};

template <reduction K, class G, class D>
constexpr adjoint<G, D, K> make_adjoint(G g, D d) {
    return {g, d};
}

/// For operands that are read only for their shape: nothing flows back.
struct no_adjoint {};

}  // namespace symdiff
