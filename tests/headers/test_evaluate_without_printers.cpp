// A program that evaluates and differentiates without including the printers (print/) or the
// umbrella header links and runs: nothing in ops/, diff/ or eval/ needs a printer's definition.
#define BOOST_TEST_MODULE headers_evaluate_without_printers
#include <boost/test/unit_test.hpp>

#include <cmath>

#include <symdiff/diff/derivative.hpp>
#include <symdiff/eval/evaluate.hpp>
#include <symdiff/ops/exp.hpp>
#include <symdiff/ops/mixed_operators.hpp>
#include <symdiff/ops/multiply.hpp>
#include <symdiff/ops/sin.hpp>

BOOST_AUTO_TEST_CASE(evaluate_and_differentiate_without_printers) {
    constexpr auto x = symdiff::symbol<"x">;
    const auto f = exp(x) * sin(x);
    const double d = symdiff::evaluate(symdiff::derivative(f, x), x = 0.5);
    // (e^x sin x)' = e^x (sin x + cos x), by hand
    BOOST_TEST(d == std::exp(0.5) * (std::sin(0.5) + std::cos(0.5)), boost::test_tools::tolerance(1e-14));
}
