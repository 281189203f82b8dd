// einsum: every subscript pattern against explicit loops written here; gradients against central
// differences and closed forms (d tr(AB)/dA = Bᵀ, d xᵀMx/dx = (M + Mᵀ)x, Hessian M + Mᵀ);
// forward mode against differences; printing; shape errors; blocks of rows.
#define BOOST_TEST_MODULE ops_einsum
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <string>
#include <type_traits>

#include <symdiff/symdiff.hpp>
#include <xtensor/xarray.hpp>

#include "support/arrays.hpp"
#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;
using namespace symdiff::literals;

namespace {
constexpr auto A = symbol<"A">;
constexpr auto B = symbol<"B">;
constexpr auto C = symbol<"C">;
constexpr auto u = symbol<"u">;
constexpr auto v = symbol<"v">;
constexpr auto X = symbol<"X">;
constexpr auto W = symbol<"W">;

const xt::xarray<double> Am = irregular({3, 4}, 0.1), Bm = irregular({4, 5}, 1.3), Sq = irregular({4, 4}, 2.2);
const xt::xarray<double> Ab = irregular({2, 3, 4}, 0.4), Bb = irregular({2, 4, 5}, 0.9);
const xt::xarray<double> uv = irregular({3}, 0.5), vv = irregular({4}, 1.7);
const xt::xarray<double> Cm = irregular({5, 2}, 3.1);
}  // namespace

BOOST_AUTO_TEST_SUITE(values_against_loops)

BOOST_AUTO_TEST_CASE(matrix_products_plain_permuted_and_transposed) {
    xt::xarray<double> ref = xt::zeros<double>({3, 5});
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t k = 0; k < 5; ++k)
            for (std::size_t j = 0; j < 4; ++j) ref(i, k) += Am(i, j) * Bm(j, k);
    auto& paths = symdiff::detail::einsum_paths();
    const auto before = paths;
    BOOST_TEST(all_near(evaluate(einsum<"ij,jk->ik">(A, B), A = Am, B = Bm), ref, 1e-13));
    BOOST_TEST(paths.products == before.products + 1);  // ran as a matrix product
    BOOST_TEST(paths.loops == before.loops);
    BOOST_TEST(all_near(evaluate(einsum<"ij,jk">(A, B), A = Am, B = Bm), ref, 1e-13));  // implicit output
    // the result transposed, and operands given transposed: copies into product order
    BOOST_TEST(all_near(evaluate(einsum<"ij,jk->ki">(A, B), A = Am, B = Bm), xt::transpose(ref), 1e-13));
    const xt::xarray<double> At = xt::transpose(Am), Bt = xt::transpose(Bm);
    BOOST_TEST(all_near(evaluate(einsum<"ji,kj->ik">(A, B), A = At, B = Bt), ref, 1e-13));
}

BOOST_AUTO_TEST_CASE(batched_products_and_two_contracted_letters) {
    xt::xarray<double> ref = xt::zeros<double>({2, 3, 5});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t k = 0; k < 5; ++k)
                for (std::size_t j = 0; j < 4; ++j) ref(b, i, k) += Ab(b, i, j) * Bb(b, j, k);
    BOOST_TEST(all_near(evaluate(einsum<"bij,bjk->bik">(A, B), A = Ab, B = Bb), ref, 1e-13));
    // both operands stored transposed per batch entry ([b, j, i] and [b, k, j])
    xt::xarray<double> At = xt::xarray<double>::from_shape({2, 4, 3}), Bt = xt::xarray<double>::from_shape({2, 5, 4});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t j = 0; j < 4; ++j) {
            for (std::size_t i = 0; i < 3; ++i) At(b, j, i) = Ab(b, i, j);
            for (std::size_t k = 0; k < 5; ++k) Bt(b, k, j) = Bb(b, j, k);
        }
    BOOST_TEST(all_near(evaluate(einsum<"bji,bkj->bik">(A, B), A = At, B = Bt), ref, 1e-13));
    // the batch letter last in the output
    xt::xarray<double> moved = evaluate(einsum<"bij,bjk->ikb">(A, B), A = Ab, B = Bb);
    BOOST_REQUIRE(moved.shape() == (std::vector<std::size_t>{3, 5, 2}));
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t k = 0; k < 5; ++k) BOOST_TEST(near(moved(i, k, b), ref(b, i, k), 1e-13));
    // sum over b and j together: (i, k) = sum_bj A[b,i,j] B[b,j,k]
    xt::xarray<double> two = xt::zeros<double>({3, 5});
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t k = 0; k < 5; ++k)
                for (std::size_t j = 0; j < 4; ++j) two(i, k) += Ab(b, i, j) * Bb(b, j, k);
    BOOST_TEST(all_near(evaluate(einsum<"bij,bjk->ik">(A, B), A = Ab, B = Bb), two, 1e-13));
}

BOOST_AUTO_TEST_CASE(traces_diagonals_outer_products_sums_and_permutations) {
    double tr = 0;
    xt::xarray<double> diag = xt::zeros<double>({4});
    for (std::size_t i = 0; i < 4; ++i) tr += Sq(i, i), diag(i) = Sq(i, i);
    BOOST_TEST(near(evaluate(einsum<"ii->">(A), A = Sq), tr, 1e-14));
    BOOST_TEST(near(evaluate(einsum<"ii">(A), A = Sq), tr, 1e-14));
    BOOST_TEST(all_near(evaluate(einsum<"ii->i">(A), A = Sq), diag, 1e-14));

    xt::xarray<double> outer = xt::zeros<double>({3, 4});
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 4; ++j) outer(i, j) = uv(i) * vv(j);
    BOOST_TEST(all_near(evaluate(einsum<"i,j->ij">(u, v), u = uv, v = vv), outer, 1e-14));

    xt::xarray<double> col = xt::zeros<double>({4}), row = xt::zeros<double>({3});
    double all = 0;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 4; ++j) col(j) += Am(i, j), row(i) += Am(i, j), all += Am(i, j);
    BOOST_TEST(all_near(evaluate(einsum<"ij->j">(A), A = Am), col, 1e-14));
    BOOST_TEST(all_near(evaluate(einsum<"ij->i">(A), A = Am), row, 1e-14));
    BOOST_TEST(near(evaluate(einsum<"ij->">(A), A = Am), all, 1e-14));

    xt::xarray<double> perm = evaluate(einsum<"bij->jbi">(A), A = Ab);
    BOOST_REQUIRE(perm.shape() == (std::vector<std::size_t>{4, 2, 3}));
    for (std::size_t b = 0; b < 2; ++b)
        for (std::size_t i = 0; i < 3; ++i)
            for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(perm(j, b, i) == Ab(b, i, j));

    // a letter repeated in the output writes the diagonal
    xt::xarray<double> d = evaluate(einsum<"i->ii">(u), u = uv);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(d(i, j) == (i == j ? uv(i) : 0.0));
}

BOOST_AUTO_TEST_CASE(dot_products_are_numbers) {
    double ref = 0;
    for (std::size_t i = 0; i < 3; ++i) ref += uv(i) * uv(i);
    const double got = evaluate(einsum<"i,i">(u, u), u = uv);  // a number, not a 0-d array
    BOOST_TEST(near(got, ref, 1e-14));
    // the bilinear form uᵀ A v: three operands, a number
    double bil = 0;
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 4; ++j) bil += uv(i) * Am(i, j) * vv(j);
    BOOST_TEST(near(evaluate(einsum<"i,ij,j->">(u, A, v), u = uv, A = Am, v = vv), bil, 1e-14));
}

BOOST_AUTO_TEST_CASE(three_operands_contract_pairwise) {
    xt::xarray<double> ref = xt::zeros<double>({3, 2});
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t l = 0; l < 2; ++l)
            for (std::size_t j = 0; j < 4; ++j)
                for (std::size_t k = 0; k < 5; ++k) ref(i, l) += Am(i, j) * Bm(j, k) * Cm(k, l);
    auto& paths = symdiff::detail::einsum_paths();
    const auto before = paths;
    BOOST_TEST(all_near(evaluate(einsum<"ij,jk,kl->il">(A, B, C), A = Am, B = Bm, C = Cm), ref, 1e-13));
    BOOST_TEST(paths.products == before.products + 2);  // (A B) C: two matrix products
    BOOST_TEST(paths.loops == before.loops);
    // a letter shared by all three (a batch of triple products)
    xt::xarray<double> h = xt::zeros<double>({4});
    for (std::size_t j = 0; j < 4; ++j)
        for (std::size_t i = 0; i < 3; ++i) h(j) += uv(i) * Am(i, j) * vv(j) * vv(j);
    BOOST_TEST(all_near(evaluate(einsum<"i,ij,j->j">(u, A, v * v), u = uv, A = Am, v = vv), h, 1e-13));
}

BOOST_AUTO_TEST_CASE(empty_extents_give_zeros) {
    const xt::xarray<double> e0 = xt::xarray<double>::from_shape({3, 0}), e1 = xt::xarray<double>::from_shape({0, 5});
    const xt::xarray<double> r = evaluate(einsum<"ij,jk->ik">(A, B), A = e0, B = e1);
    BOOST_REQUIRE(r.shape() == (std::vector<std::size_t>{3, 5}));
    for (double x : r) BOOST_TEST(x == 0.0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(derivatives)

BOOST_AUTO_TEST_CASE(gradients_of_contractions_match_central_differences) {
    const auto loss = sum(square(einsum<"ij,jk->ik">(A, B)));
    auto f_a = [&](const xt::xarray<double>& a) { return evaluate(loss, A = a, B = Bm); };
    auto f_b = [&](const xt::xarray<double>& b) { return evaluate(loss, A = Am, B = b); };
    BOOST_TEST(all_near(evaluate(gradient_of(loss, A), A = Am, B = Bm), gradient_by_differences(f_a, Am), 1e-6));
    BOOST_TEST(all_near(evaluate(gradient_of(loss, B), A = Am, B = Bm), gradient_by_differences(f_b, Bm), 1e-6));

    const auto batched = sum(exp(einsum<"bij,bjk->ikb">(A, B)));
    auto g_a = [&](const xt::xarray<double>& a) { return evaluate(batched, A = a, B = Bb); };
    auto g_b = [&](const xt::xarray<double>& b) { return evaluate(batched, A = Ab, B = b); };
    BOOST_TEST(all_near(evaluate(gradient_of(batched, A), A = Ab, B = Bb), gradient_by_differences(g_a, Ab), 1e-6));
    BOOST_TEST(all_near(evaluate(gradient_of(batched, B), A = Ab, B = Bb), gradient_by_differences(g_b, Bb), 1e-6));
}

BOOST_AUTO_TEST_CASE(gradients_through_diagonals_sums_and_three_operands) {
    // the diagonal, squared: only diagonal entries move the loss
    const auto diag_loss = sum(square(einsum<"ii->i">(A))) + einsum<"ij->">(A);
    auto f = [&](const xt::xarray<double>& a) { return evaluate(diag_loss, A = a); };
    BOOST_TEST(all_near(evaluate(gradient_of(diag_loss, A), A = Sq), gradient_by_differences(f, Sq), 1e-6));

    // a column sum (letter i summed over A alone: its gradient broadcasts back along i)
    const auto col_loss = sum(sin(einsum<"ij->j">(A)));
    auto g = [&](const xt::xarray<double>& a) { return evaluate(col_loss, A = a); };
    BOOST_TEST(all_near(evaluate(gradient_of(col_loss, A), A = Am), gradient_by_differences(g, Am), 1e-6));

    const auto chain = sum(square(einsum<"ij,jk,kl->il">(A, B, C)));
    auto h = [&](const xt::xarray<double>& b) { return evaluate(chain, A = Am, B = b, C = Cm); };
    BOOST_TEST(all_near(evaluate(gradient_of(chain, B), A = Am, B = Bm, C = Cm), gradient_by_differences(h, Bm), 1e-6));
}

BOOST_AUTO_TEST_CASE(closed_forms_trace_of_a_product_and_a_quadratic_form) {
    // d tr(A B) / dA = Bᵀ, with A 3x4 and B 4x3
    const xt::xarray<double> B43 = irregular({4, 3}, 0.8);
    const xt::xarray<double> g = evaluate(derivative(einsum<"ij,ji->">(A, B), A), A = Am, B = B43);
    BOOST_TEST(all_near(g, xt::transpose(B43), 1e-14));
    // d (vᵀ M v) / dv = (M + Mᵀ) v, and its Hessian M + Mᵀ
    const auto q = einsum<"i,ij,j->">(v, A, v);
    xt::xarray<double> ref = xt::zeros<double>({4});
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) ref(i) += (Sq(i, j) + Sq(j, i)) * vv(j);
    BOOST_TEST(all_near(evaluate(derivative(q, v), v = vv, A = Sq), ref, 1e-13));
    const xt::xarray<double> H = hessian_at(q, v, v = vv, A = Sq);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(near(H(i, j), Sq(i, j) + Sq(j, i), 1e-13));
    // the derivative of a trace is the identity
    const xt::xarray<double> I = evaluate(derivative(einsum<"ii->">(A), A), A = Sq);
    for (std::size_t i = 0; i < 4; ++i)
        for (std::size_t j = 0; j < 4; ++j) BOOST_TEST(I(i, j) == (i == j ? 1.0 : 0.0));
}

BOOST_AUTO_TEST_CASE(hessian_with_respect_to_a_matrix_against_differences_of_the_gradient) {
    // loss(W) = sum over rows of log(1 + (x_r W)_k^2): the Hessian is (4, 2, 4, 2)
    const xt::xarray<double> Xd = irregular({6, 4}, 0.3), W0 = irregular({4, 2}, 1.1);
    const auto loss = sum(log(1.0 + square(einsum<"ri,ik->rk">(X, W))));
    const xt::xarray<double> H = hessian_at(loss, W, X = Xd, W = W0);
    BOOST_REQUIRE(H.shape() == (std::vector<std::size_t>{4, 2, 4, 2}));
    const auto grad = gradient_of(loss, W);
    for (std::size_t j = 0; j < W0.size(); ++j) {
        xt::xarray<double> up = W0, down = W0;
        up.flat(j) += 1e-5;
        down.flat(j) -= 1e-5;
        const xt::xarray<double> d = (evaluate(grad, X = Xd, W = up) - evaluate(grad, X = Xd, W = down)) / 2e-5;
        for (std::size_t i = 0; i < W0.size(); ++i) BOOST_TEST(near(H.flat(i * W0.size() + j), d.flat(i), 1e-6));
    }
}

BOOST_AUTO_TEST_CASE(forward_mode_directional_derivatives_match_differences) {
    const auto f = einsum<"ij,jk->ik">(A, B);
    const xt::xarray<double> dir = irregular({3, 4}, 5.0);
    const xt::xarray<double> jv = evaluate(jvp(f, A, u), A = Am, B = Bm, u = dir);
    const xt::xarray<double> fd = (evaluate(f, A = xt::xarray<double>(Am + 1e-6 * dir), B = Bm) -
                                   evaluate(f, A = xt::xarray<double>(Am - 1e-6 * dir), B = Bm)) /
                                  2e-6;
    BOOST_TEST(all_near(jv, fd, 1e-7));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_CASE(printed_as_einsum_with_its_subscripts) {
    BOOST_TEST(to_string(einsum<"ij,jk">(A, B)) == "einsum(\"ij,jk->ik\", A, B)");
    BOOST_TEST(to_latex(einsum<"ij,jk->ik">(A, B)) == "\\operatorname{einsum}_{ij,jk \\to ik}\\left(A, B\\right)");
    // the gradient of a trace: the identity, written as the adjoint placed on the diagonal
    BOOST_TEST(to_string(derivative(einsum<"ii->">(A), A)) == "einsum(\",*ii->ii\", 1, A)");
    // d tr(AB)/dA: B with its letters swapped, A read for its shape (its extents against B's)
    BOOST_TEST(to_string(derivative(einsum<"ij,ji->">(A, B), A)) == "einsum(\"ji,*ij->ij\", B, A)");
    // d (a . a)/da: the operand is its own twin, nothing to compare
    BOOST_TEST(to_string(derivative(einsum<"i,i->">(u, u), u)) == "2 * u");
    // exact numbers leave the contraction
    BOOST_TEST(to_string(einsum<",ij->ij">(2_c, A)) == "2 * A");
}

BOOST_AUTO_TEST_CASE(shape_errors_name_the_subscript_and_the_operands) {
    const xt::xarray<double> wrong = irregular({5, 5}, 0.0);
    try {
        (void)evaluate(einsum<"ij,jk->ik">(A, B), A = Am, B = wrong);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("einsum(\"ij,jk->ik\", A, B)") != std::string::npos, m);
        BOOST_TEST(m.find("subscript j has extent 4 in operand 1 and 5 in operand 2") != std::string::npos, m);
    }
    try {
        (void)evaluate(einsum<"ij->j">(A), A = uv);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("operand 1 has subscripts \"ij\" (rank 2) but shape (3)") != std::string::npos, m);
    }
    // the gradient of a full contraction, evaluated without the loss, compares the extents too
    // (it used to return B^T, of shape (5, 4), for A of shape (3, 4)); also scaled by a symbol,
    // whose adjoint does not compute the contraction either
    try {
        (void)evaluate(derivative(einsum<"ij,ji->">(A, B), A), A = Am, B = Bm);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("subscript i has extent 5 in operand 1 and 3 in operand 2") != std::string::npos, m);
    }
    try {
        (void)evaluate(derivative(C * einsum<"ij,ji->">(A, B), A), A = Am, B = Bm, C = 2.0);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("subscript i has extent 5") != std::string::npos, m);
    }
    // the identity, written by hand, still checks its operand's rank
    try {
        (void)evaluate(einsum<"i->i">(A), A = Am);
        BOOST_FAIL("no shape_error");
    } catch (const shape_error& e) {
        const std::string m = e.what();
        BOOST_TEST(m.find("operand 1 has subscripts \"i\" (rank 1) but shape (3, 4)") != std::string::npos, m);
    }
}

BOOST_AUTO_TEST_CASE(spaces_in_the_subscripts_are_ignored) {
    // as in np.einsum("ij, jk -> ik", a, b): the same operation (one type, shared with the other
    // spelling) and the same values as the loops
    static_assert(std::is_same_v<decltype(einsum<" ij , jk -> ik ">(A, B)), decltype(einsum<"ij,jk->ik">(A, B))>);
    const xt::xarray<double> got = evaluate(einsum<"ij, jk -> ik">(A, B), A = Am, B = Bm);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t k = 0; k < 5; ++k) {
            double s = 0;
            for (std::size_t j = 0; j < 4; ++j) s += Am(i, j) * Bm(j, k);
            BOOST_TEST(got(i, k) == s, boost::test_tools::tolerance(1e-12));
        }
}

BOOST_AUTO_TEST_CASE(over_rows_of_data_runs_in_blocks_and_matches_one_block) {
    // X holds rows: "ri,ik->rk" is local to each row, "ri,rk->ik" (Xᵀ G) sums over them
    const std::size_t n = 20000, d = 6;
    const xt::xarray<double> Xd = irregular({n, d}, 0.2), W0 = irregular({d, 3}, 0.6);
    const auto loss = sum(square(tanh(einsum<"ri,ik->rk">(X, W)))) / 1000.0;
    auto step = compile(rows(X), loss, gradient_of(loss, W));
    counters().reset();
    const auto [L, G] = step(X = Xd, W = W0);
    BOOST_TEST(counters().row_blocks > 1u);  // the blocked path ran
    double ref_L = 0;
    xt::xarray<double> ref_G = xt::zeros<double>(std::vector<std::size_t>{d, 3});
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t k = 0; k < 3; ++k) {
            double z = 0;
            for (std::size_t i = 0; i < d; ++i) z += Xd(r, i) * W0(i, k);
            const double t = std::tanh(z);
            ref_L += t * t;
            for (std::size_t i = 0; i < d; ++i) ref_G(i, k) += 2 * t * (1 - t * t) * Xd(r, i);
        }
    BOOST_TEST(near(L, ref_L / 1000.0, 1e-12));
    BOOST_TEST(all_near(G, ref_G / 1000.0, 1e-12));
}

BOOST_AUTO_TEST_CASE(shape_only_operands_with_rows_match_one_block) {
    // a letter summed over one operand alone comes back through a shape-only operand that holds
    // the rows: in blocks, its rows letter takes the block's extent (found by a review: the
    // engine gives shape-only operands whole, and the result was written past its block)
    const std::size_t n = 20000, d = 6;
    const xt::xarray<double> Xd = irregular({n, d}, 0.1), wd = irregular({d}, 0.4), vd = irregular({3}, 0.8);
    const auto g = gradient_of(einsum<"ri->">(tanh(X * W)), W);
    auto blocked = compile(rows(X), g);
    counters().reset();
    const auto [G] = blocked(X = Xd, W = wd);
    BOOST_TEST(counters().row_blocks > 1u);
    BOOST_TEST(all_near(G, evaluate(g, X = Xd, W = wd), 1e-12));

    const auto loss = sum(sin(einsum<"ri->r">(tanh(X * W))));
    auto step = compile(rows(X), loss, gradient_of(loss, W));
    const auto [L, G2] = step(X = Xd, W = wd);
    BOOST_TEST(near(L, evaluate(loss, X = Xd, W = wd), 1e-12));
    BOOST_TEST(all_near(G2, evaluate(gradient_of(loss, W), X = Xd, W = wd), 1e-12));

    // rows only in a shape-only operand: the value does not depend on them (no sum over blocks)
    const auto e = einsum<"*ri,k->ik">(X, u);
    auto whole = compile(rows(X), e);
    const auto [E] = whole(X = Xd, u = vd);
    BOOST_TEST(all_near(E, evaluate(e, X = Xd, u = vd), 0.0));
    for (std::size_t i = 0; i < d; ++i)
        for (std::size_t k = 0; k < 3; ++k) BOOST_TEST(E(i, k) == vd(k));
}
