#pragma once
// Declarations of the expression builders, so that each operation's header can use the others'
// in its derivative rule (sin's derivative is cos, and so on) without an include cycle.
#include "../core/expression.hpp"

namespace symdiff {

struct multiply_op;
struct negate_op;

template <Expression A, Expression B>
constexpr auto add(A a, B b);
template <Expression A, Expression B>
constexpr auto subtract(A a, B b);
template <Expression A, Expression B>
constexpr auto multiply(A a, B b);
template <Expression A, Expression B>
constexpr auto divide(A a, B b);
template <Expression A>
constexpr auto negate(A a);
template <Expression A>
constexpr auto square(A a);
template <Expression A>
constexpr auto sqrt(A a);
template <Expression A>
constexpr auto exp(A a);
template <Expression A>
constexpr auto log(A a);
template <Expression A>
constexpr auto sin(A a);
template <Expression A>
constexpr auto cos(A a);
template <Expression A>
constexpr auto tanh(A a);
template <Expression A>
constexpr auto sigmoid(A a);
template <Expression A>
constexpr auto sign(A a);
template <Expression A>
constexpr auto step(A a);
template <Expression A, Expression B>
constexpr auto pow(A a, B b);
template <Expression A, Expression B>
constexpr auto less(A a, B b);
template <Expression A, Expression B>
constexpr auto less_equal(A a, B b);
template <Expression A>
constexpr auto sum(A a);
template <Expression A>
constexpr auto mean(A a);
template <Expression A>
constexpr auto transpose(A a);
template <Expression A, Expression B>
constexpr auto dot(A a, B b);
template <Expression A, Expression B>
constexpr auto dot_tn(A a, B b);
template <Expression A, Expression B>
constexpr auto dot_nt(A a, B b);

}  // namespace symdiff
