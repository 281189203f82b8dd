#pragma once
// The diagonal of a Hessian, where it is cheap: when the gradient's Jacobian is diagonal by
// construction, the Hessian is diagonal and its diagonal is one directional derivative,
//   H 1 = diag(H)            (H diagonal: row j of H 1 is H_jj),
// i.e. hvp(loss, s, 1): about the cost of one gradient, whatever the size of s. k-means is the
// classic case: the cost sum_i min_k (x_i - c_k)^2 has d^2/dc_k^2 = 2 #{i nearest to c_k} and
// nothing off the diagonal, so a Newton step is Lloyd's step.
//
// "Diagonal by construction": the gradient is diagonal_in s (diff/pointwise.hpp: each of its
// elements moves with its own element of s only); a gradient has the shape of s, so its Jacobian,
// the Hessian, is diagonal.
#include <type_traits>
#include <utility>

#include "../core/traits.hpp"
#include "derivative.hpp"
#include "pointwise.hpp"

namespace symdiff {

/// Is the Hessian of `Loss` with respect to the symbol `S` diagonal by construction (so that
/// `hessian_diagonal` can compute it at the cost of one gradient)? A compile-time answer read
/// from the gradient's expression; `false` means "not proven", and then the Hessian usually has
/// entries off its diagonal (least squares: 2/n xᵀx).
template <class Loss, class S>
inline constexpr bool hessian_is_diagonal =
    detail::diagonal_in<decltype(gradient_of(std::declval<const Loss&>(), std::remove_cvref_t<S>{})),
                        std::remove_cvref_t<S>>::value;

/// The diagonal of the Hessian of the scalar `loss` with respect to `s`, an expression with the
/// shape of `s`'s value (or one that broadcasts to it): hvp(loss, s, 1), which is the diagonal
/// because the Hessian is diagonal by construction (see above). For a loss whose Hessian is not,
/// this does not compile; `hessian_diagonal_at` (eval/hessian.hpp) then computes it column by
/// column.
template <Expression E, class S>
constexpr auto hessian_diagonal(const E& loss, S s) {
    static_assert(Symbol<S>, "hessian_diagonal(loss, s): s must be a symbol such as symdiff::symbol<\"x\">");
    static_assert(hessian_is_diagonal<E, S>,
                  "hessian_diagonal(loss, s): the Hessian of this loss with respect to s is not diagonal by "
                  "construction (an element of the gradient depends on other elements of s, through a product, "
                  "a reduction or a reshape), so its diagonal is not one Hessian-vector product; use "
                  "hessian_diagonal_at(loss, s, bindings...), which computes it one column at a time");
    return hvp(loss, s, one);
}

}  // namespace symdiff
