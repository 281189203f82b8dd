#pragma once
// symdiff: compile-time symbolic differentiation, evaluated over xtensor.
//
//   constexpr auto x = symdiff::symbol<"x">;
//   constexpr auto f = square(x);
//   static_assert(symdiff::evaluate(symdiff::derivative(f, x), x = 3.0) == 6.0);

// Expressions: symbols, exact constants, runtime literals, nodes
#include "core/constant.hpp"
#include "core/expression.hpp"
#include "core/symbol.hpp"
#include "core/traits.hpp"

// Operations: one header each (tag, value, derivative rule, notation)
#include "ops/abs.hpp"
#include "ops/add.hpp"
#include "ops/axis.hpp"
#include "ops/axis_reductions.hpp"
#include "ops/compare.hpp"
#include "ops/concatenate.hpp"
#include "ops/cos.hpp"
#include "ops/cross_entropy.hpp"
#include "ops/divide.hpp"
#include "ops/dot.hpp"
#include "ops/einsum.hpp"
#include "ops/exp.hpp"
#include "ops/extrema.hpp"
#include "ops/log.hpp"
#include "ops/min_max.hpp"
#include "ops/mixed_operators.hpp"
#include "ops/multiply.hpp"
#include "ops/negate.hpp"
#include "ops/one_hot.hpp"
#include "ops/pow.hpp"
#include "ops/reduce_to.hpp"
#include "ops/reductions.hpp"
#include "ops/relu.hpp"
#include "ops/reshape.hpp"
#include "ops/scaled_power.hpp"
#include "ops/sigmoid.hpp"
#include "ops/sign.hpp"
#include "ops/sin.hpp"
#include "ops/softmax.hpp"
#include "ops/softplus.hpp"
#include "ops/sqrt.hpp"
#include "ops/square.hpp"
#include "ops/stop_gradient.hpp"
#include "ops/subtract.hpp"
#include "ops/take.hpp"
#include "ops/tan.hpp"
#include "ops/tanh.hpp"
#include "ops/transpose.hpp"
#include "ops/triangular.hpp"
#include "ops/where.hpp"
#include "ops/xlogy.hpp"

// Loss functions by name (mse, mae, rmse, softmax_cross_entropy, binary_cross_entropy, ...)
#include "losses/losses.hpp"

// Differentiation
#include "diff/derivative.hpp"
#include "diff/diagonal.hpp"

// Evaluation
#include "eval/compile.hpp"
#include "eval/evaluate.hpp"
#include "eval/hessian.hpp"
#include "eval/printing.hpp"

// Optimisation
#include "optim/gradient_check.hpp"
#include "optim/gradient_descent.hpp"
#include "optim/save.hpp"

// Printing
#include "print/to_latex.hpp"
#include "print/to_string.hpp"
