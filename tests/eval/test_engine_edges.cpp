// The engine at its edges, each case a defect a review found: a copied program, a plan that
// throws, a region whose members differ in shape run in blocks, an array with one entry per row
// that is not in rows(...), the tail of a matrix row next to an infinity, a result bound as the
// next call's input, an element count that overflows. References are loops written here.
#define BOOST_TEST_MODULE eval_engine_edges
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <stdexcept>
#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto z = symbol<"z">;
constexpr auto A = symbol<"A">;
constexpr auto v = symbol<"v">;
}  // namespace

BOOST_AUTO_TEST_CASE(a_program_assigned_over_one_that_ran_plans_again) {
    const auto f = sum(square(x));
    auto p = compile(f), q = compile(f);
    const xt::xtensor<double, 1> a{1.0, 2.0, 3.0};
    BOOST_TEST(std::get<0>(q(x = a)) == 14.0);
    q = p;
    BOOST_TEST(std::get<0>(q(x = a)) == 14.0);
}

BOOST_AUTO_TEST_CASE(a_plan_that_throws_leaves_no_plan) {
    // the second call with the same wrong shapes must throw again, not run the first call's plan
    auto p = compile(sum(x * y));
    const xt::xtensor<double, 1> a = xt::ones<double>({8}), b8 = xt::ones<double>({8}), b3 = xt::ones<double>({3});
    BOOST_TEST(std::get<0>(p(x = a, y = b8)) == 8.0);
    BOOST_CHECK_THROW(p(x = a, y = b3), shape_error);
    BOOST_CHECK_THROW(p(x = a, y = b3), shape_error);
    BOOST_TEST(std::get<0>(p(x = a, y = b8)) == 8.0);
}

BOOST_AUTO_TEST_CASE(members_of_different_shapes_run_in_blocks) {
    // exp(x) (n, 1) times z (n, 3): a region whose members differ in shape runs node by node; in
    // blocks of rows its buffers hold every row
    const std::size_t n = 20000;
    xt::xtensor<double, 2> X = xt::xtensor<double, 2>::from_shape({n, 1}),
                           Z = xt::xtensor<double, 2>::from_shape({n, 3});
    double expected = 0;
    for (std::size_t i = 0; i < n; ++i) {
        X(i, 0) = 0.001 * std::sin(0.1 * static_cast<double>(i));
        for (std::size_t j = 0; j < 3; ++j) {
            Z(i, j) = std::cos(0.37 * static_cast<double>(i) + static_cast<double>(j));
            expected += std::exp(X(i, 0)) * Z(i, j);
        }
    }
    auto p = compile(rows(x, z), sum(exp(x) * z));
    counters().reset();
    const double got = std::get<0>(p(x = X, z = Z));
    BOOST_TEST(counters().row_blocks > 1u);  // (the case is what it says)
    BOOST_TEST(std::abs(got - expected) <= 1e-10 * n, got << " against " << expected);
    p.threads(2);
    BOOST_TEST(std::abs(std::get<0>(p(x = X, z = Z)) - expected) <= 1e-10 * n);
}

BOOST_AUTO_TEST_CASE(an_array_with_one_entry_per_row_outside_rows_is_read_at_its_rows) {
    // P (n, 1) holds a weight per row but is not in rows(...): sum(x * P) = 3 sum_i i (exact)
    for (const std::size_t n : {1000u, 40000u}) {
        const xt::xtensor<double, 2> X = xt::ones<double>({n, std::size_t{3}});
        xt::xtensor<double, 2> P = xt::xtensor<double, 2>::from_shape({n, 1});
        double expected = 0;
        for (std::size_t i = 0; i < n; ++i) {
            P(i, 0) = static_cast<double>(i);
            expected += 3.0 * static_cast<double>(i);
        }
        auto p = compile(rows(x), sum(x * y));
        BOOST_TEST(std::get<0>(p(x = X, y = P)) == expected, "n = " << n);
    }
}

BOOST_AUTO_TEST_CASE(an_infinity_in_one_row_of_a_product_stays_in_that_row) {
    // A x with rows of 17 numbers (more than a SIMD batch, not a multiple of one): row 2 holds an
    // inf; the other rows are 17
    for (const std::size_t bad : {0u, 2u, 31u}) {
        xt::xtensor<double, 2> M = xt::ones<double>({32, 17});
        M(bad, 0) = std::numeric_limits<double>::infinity();
        const xt::xtensor<double, 1> w = xt::ones<double>({17});
        const xt::xarray<double> r = evaluate(dot(A, v), A = M, v = w);
        for (std::size_t i = 0; i < 32; ++i)
            BOOST_TEST(r(i) == (i == bad ? std::numeric_limits<double>::infinity() : 17.0), "row " << i);
        const xt::xtensor<float, 2> Mf = xt::cast<float>(M);
        const xt::xtensor<float, 1> wf = xt::ones<float>({17});
        const xt::xarray<float> rf = evaluate(dot(A, v), A = Mf, v = wf);
        for (std::size_t i = 0; i < 32; ++i)
            BOOST_TEST(rf(i) == (i == bad ? std::numeric_limits<float>::infinity() : 17.0f), "float row " << i);
    }
}

BOOST_AUTO_TEST_CASE(a_result_bound_as_the_next_input_is_refused) {
    // v = step(v) with the reference the call returned: refused, not read while it is written
    const xt::xtensor<double, 2> R{{0, 1}, {1, 0}};
    const xt::xarray<double> v0{1, 2};
    auto step = compile(dot(A, v));
    const auto& once = std::get<0>(step(A = R, v = v0));
    BOOST_CHECK_EXCEPTION(step(A = R, v = once), std::invalid_argument, [](const std::invalid_argument& e) {
        const std::string m = e.what();
        return m.find("'v' is bound to an array this program returned") != std::string::npos &&
               m.find("step(..., v = copy)") != std::string::npos;
    });
    const xt::xarray<double> copy = std::get<0>(step(A = R, v = v0));
    const xt::xarray<double> twice = std::get<0>(step(A = R, v = copy));
    BOOST_TEST(twice(0) == 1.0);
    BOOST_TEST(twice(1) == 2.0);
    // bound first as an xtensor, then as the xarray it returned: another kind of bindings, which
    // runs on an engine of its own while the first (which holds the array) lives through the run
    auto other = compile(dot(A, v));
    const xt::xtensor<double, 1> vt{1, 2};
    const auto& first = std::get<0>(other(A = R, v = vt));
    const xt::xarray<double> second = std::get<0>(other(A = R, v = first));
    BOOST_TEST(second(0) == 1.0);
    BOOST_TEST(second(1) == 2.0);
}

BOOST_AUTO_TEST_CASE(an_element_count_that_overflows_is_a_shape_error) {
    const xt::xtensor<double, 1> labels = xt::zeros<double>({4});
    BOOST_CHECK_THROW(evaluate(sum(one_hot(y, std::size_t{1} << 62)), y = labels), shape_error);
}
