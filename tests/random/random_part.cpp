// The randomised derivative tests: one share of the generated expressions per executable.
// tests/CMakeLists.txt compiles this file once per part, defining either
//   SYMDIFF_RANDOM_ELEMENTWISE_PART = k   (k < SYMDIFF_RANDOM_ELEMENTWISE_PARTS): elementwise trees
//   SYMDIFF_RANDOM_REDUCTION_PART = k     (k < SYMDIFF_RANDOM_REDUCTION_PARTS): reduction-rooted trees
// so that no file instantiates more derivatives than compile in a few seconds. What is generated
// and how it is checked: tests/support/random_expr.hpp, random_cases.hpp, random_check.hpp.
#define BOOST_TEST_MODULE random
#include <boost/test/unit_test.hpp>

#include "support/random_cases.hpp"

#if !defined(SYMDIFF_RANDOM_ELEMENTWISE_PARTS) || !defined(SYMDIFF_RANDOM_REDUCTION_PARTS)
#error "tests/CMakeLists.txt defines the number of parts of the randomised suite"
#endif

// The issue asks for at least 500 generated expressions in all.
static_assert(SYMDIFF_RANDOM_ELEMENTWISE_PARTS * (symdiff_random::scalar_per_part + 1) +
                      SYMDIFF_RANDOM_REDUCTION_PARTS * symdiff_random::reductions_per_part >=
                  500,
              "the randomised suite must check at least 500 expressions: add parts in tests/CMakeLists.txt");

#if defined(SYMDIFF_RANDOM_ELEMENTWISE_PART)
static_assert(SYMDIFF_RANDOM_ELEMENTWISE_PART < SYMDIFF_RANDOM_ELEMENTWISE_PARTS);
BOOST_AUTO_TEST_CASE(elementwise_expressions) { symdiff_random::check_scalar_part<SYMDIFF_RANDOM_ELEMENTWISE_PART>(); }
#elif defined(SYMDIFF_RANDOM_REDUCTION_PART)
static_assert(SYMDIFF_RANDOM_REDUCTION_PART < SYMDIFF_RANDOM_REDUCTION_PARTS);
BOOST_AUTO_TEST_CASE(reduction_rooted_expressions) {
    symdiff_random::check_reduction_part<SYMDIFF_RANDOM_REDUCTION_PART>();
}
#else
#error "define SYMDIFF_RANDOM_ELEMENTWISE_PART or SYMDIFF_RANDOM_REDUCTION_PART"
#endif
