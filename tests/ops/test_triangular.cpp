// fill_triangular and fill_triangular_inverse: values against loops written here, batched; their
// derivatives against central differences and the closed form (each is the other's adjoint: the
// gradient of sum(W * fill_triangular(v)) is W's lower triangle, row by row); shape errors.
#define BOOST_TEST_MODULE ops_triangular
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor/xarray.hpp>

#include "support/arrays.hpp"
#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto v = symbol<"v">;
constexpr auto W = symbol<"W">;
constexpr auto M = symbol<"M">;

}  // namespace

BOOST_AUTO_TEST_CASE(entries_fill_the_lower_triangle_row_by_row) {
    const xt::xarray<double> e{1, 2, 3, 4, 5, 6};  // d = 3
    const xt::xarray<double> L = evaluate(fill_triangular(v), v = e);
    const xt::xarray<double> expected{{1, 0, 0}, {2, 3, 0}, {4, 5, 6}};
    BOOST_TEST(all_near(L, expected, 0.0));
    // batched over leading axes: 2 x 4 vectors of 6 entries
    const xt::xarray<double> b = irregular({2, 4, 6}, 0.3);
    const xt::xarray<double> Lb = evaluate(fill_triangular(v), v = b);
    BOOST_REQUIRE(Lb.shape() == (std::vector<std::size_t>{2, 4, 3, 3}));
    for (std::size_t s = 0; s < 2; ++s)
        for (std::size_t t = 0; t < 4; ++t)
            for (std::size_t i = 0; i < 3; ++i)
                for (std::size_t j = 0; j < 3; ++j)
                    BOOST_TEST(Lb(s, t, i, j) == (j <= i ? b(s, t, i * (i + 1) / 2 + j) : 0.0));
}

BOOST_AUTO_TEST_CASE(the_inverse_reads_the_lower_triangle_and_undoes_fill) {
    const xt::xarray<double> A = irregular({5, 3, 3}, 1.1);
    const xt::xarray<double> e = evaluate(fill_triangular_inverse(M), M = A);
    BOOST_REQUIRE(e.shape() == (std::vector<std::size_t>{5, 6}));
    for (std::size_t s = 0; s < 5; ++s)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j <= i; ++j) BOOST_TEST(e(s, i * (i + 1) / 2 + j) == A(s, i, j));
    // inverse(fill(v)) is v itself, by construction
    static_assert(std::is_same_v<decltype(fill_triangular_inverse(fill_triangular(v))), symbol_t<"v">>);
}

BOOST_AUTO_TEST_CASE(the_gradient_is_the_other_operation_closed_form_and_differences) {
    const xt::xarray<double> Wv = irregular({4, 4}, 0.7), e = irregular({10}, 2.0);
    // d/dv sum(W * fill_triangular(v)) = W's lower triangle, row by row
    const xt::xarray<double> g = evaluate(derivative(sum(W * fill_triangular(v)), v), W = Wv, v = e);
    BOOST_REQUIRE(g.shape() == (std::vector<std::size_t>{10}));
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j <= i; ++j) BOOST_TEST(g(i * (i + 1) / 2 + j) == Wv(i, j));
    // a nonlinear loss through both directions, against central differences
    const auto loss = sum(square(einsum<"ij,jk->ik">(fill_triangular(v), W))) + sum(sin(fill_triangular_inverse(W)));
    auto f_v = [&](const xt::xarray<double>& p) { return evaluate(loss, v = p, W = Wv); };
    auto f_w = [&](const xt::xarray<double>& p) { return evaluate(loss, v = e, W = p); };
    BOOST_TEST(all_near(evaluate(gradient_of(loss, v), v = e, W = Wv), gradient_by_differences(f_v, e), 1e-6));
    BOOST_TEST(all_near(evaluate(gradient_of(loss, W), v = e, W = Wv), gradient_by_differences(f_w, Wv), 1e-6));
    // forward mode along a direction
    const xt::xarray<double> dir = irregular({10}, 4.0);
    const auto f = fill_triangular(v);
    const xt::xarray<double> jv = evaluate(jvp(f, v, M), v = e, M = dir);
    BOOST_TEST(all_near(jv, evaluate(fill_triangular(v), v = dir), 0.0));  // linear: its own derivative
    const xt::xarray<double> Md = irregular({3, 3}, 5.0), Mdir = irregular({3, 3}, 6.0);
    BOOST_TEST(all_near(evaluate(jvp(fill_triangular_inverse(M), M, W), M = Md, W = Mdir),
                        evaluate(fill_triangular_inverse(M), M = Mdir), 0.0));
}

BOOST_AUTO_TEST_CASE(printed_by_name) {
    BOOST_TEST(to_string(derivative(sum(W * fill_triangular(v)), v)) == "fill_triangular_inverse(W)");
    BOOST_TEST(to_latex(fill_triangular(v)) == "\\operatorname{fill\\_triangular}\\left(v\\right)");
}

BOOST_AUTO_TEST_CASE(shape_errors_say_what_is_wrong) {
    const xt::xarray<double> seven = irregular({7}, 0.0), rect = irregular({2, 3}, 0.0);
    try {
        (void)evaluate(fill_triangular(v), v = seven);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("fill_triangular") != std::string::npos, m);
        BOOST_TEST(m.find("7 entries, not a triangular number") != std::string::npos, m);
    }
    try {
        (void)evaluate(fill_triangular_inverse(M), M = rect);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("square matrices (..., d, d), got shape (2, 3)") != std::string::npos, m);
    }
}
