// Rows shared across processes (program::share_rows, eval/collective.hpp), with a collective over
// threads standing in for MPI (tests/support/thread_collective.hpp; the MPI tests are in
// tests/distributed/). Each member binds its own rows; every member must get the values over all
// the rows: checked against a plain loop over all the rows written here, and against one process.
#define BOOST_TEST_MODULE eval_shared_rows
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "support/thread_collective.hpp"

using namespace symdiff;

namespace {
constexpr auto X = symbol<"X">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto b = symbol<"b">;

struct rows_data {
    xt::xtensor<double, 2> X;
    xt::xtensor<double, 1> y;
    rows_data(std::size_t n, std::size_t d) : X(std::array<std::size_t, 2>{n, d}), y(std::array<std::size_t, 1>{n}) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < d; ++j) X(i, j) = std::sin(0.37 * double(i) + 1.3 * double(j));
            y(i) = std::cos(0.11 * double(i));
        }
    }
    /// Rows [lo, hi), as arrays of their own.
    rows_data part(std::size_t lo, std::size_t hi) const {
        rows_data p(0, X.shape()[1]);
        p.X = xt::view(X, xt::range(lo, hi), xt::all());
        p.y = xt::view(y, xt::range(lo, hi));
        return p;
    }
};

/// What one member saw.
struct seen {
    double L = 0, gb = 0;
    xt::xtensor<double, 1> gw;
    std::string error;
};

const auto model_loss = mean(square(tanh(dot(X, w) + b) - y)) + 0.01 * sum(square(w));

/// The loss and its gradients by a loop over all the rows: L = mean((tanh(x.w + b) - y)^2) + 0.01|w|^2.
seen by_loop(const rows_data& d, const xt::xtensor<double, 1>& W, double B) {
    const std::size_t n = d.y.size(), dim = W.size();
    seen s;
    s.gw = xt::zeros<double>({dim});
    double L = 0, gb = 0;
    for (std::size_t i = 0; i < n; ++i) {
        double z = B;
        for (std::size_t j = 0; j < dim; ++j) z += d.X(i, j) * W(j);
        const double t = std::tanh(z), r = t - d.y(i), g = 2 * r * (1 - t * t) / double(n);
        L += r * r;
        gb += g;
        for (std::size_t j = 0; j < dim; ++j) s.gw(j) += g * d.X(i, j);
    }
    double ww = 0;
    for (std::size_t j = 0; j < dim; ++j) {
        ww += W(j) * W(j);
        s.gw(j) += 0.02 * W(j);
    }
    s.L = L / double(n) + 0.01 * ww;
    s.gb = gb;
    return s;
}

/// Every member's values equal the loop's over all the rows, to rounding.
void check_against_loop(const std::vector<seen>& out, const seen& ref) {
    const auto tol = boost::test_tools::tolerance(1e-12);
    for (const seen& s : out) {
        BOOST_TEST(s.L == ref.L, tol);
        BOOST_TEST(s.gb == ref.gb, tol);
        BOOST_REQUIRE_EQUAL(s.gw.size(), ref.gw.size());
        for (std::size_t j = 0; j < ref.gw.size(); ++j) BOOST_TEST(s.gw(j) == ref.gw(j), tol);
    }
}
}  // namespace

BOOST_AUTO_TEST_CASE(members_with_their_own_rows_get_the_values_over_all_rows) {
    const std::size_t n = 9000, dim = 8;
    const rows_data all(n, dim);
    const xt::xtensor<double, 1> W{0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.05, -0.1};
    // uneven shares, one of them empty: [0, 4000), [4000, 4000), [4000, 9000)
    const std::array<std::size_t, 4> cut{0, 4000, 4000, n};
    for (const std::size_t threads : {1u, 2u}) {
        std::vector<seen> out(3);
        test_support::run_members(3, [&](std::shared_ptr<collective> c, int r) {
            const auto ur = static_cast<std::size_t>(r);
            const rows_data mine = all.part(cut[ur], cut[ur + 1]);
            auto step = compile(rows(X, y), model_loss, derivative(model_loss, w), derivative(model_loss, b));
            step.share_rows(c).threads(threads);
            for (int call = 0; call < 2; ++call) {  // the second call reuses the plan
                const auto [L, gw, gb] = step(X = mine.X, y = mine.y, w = W, b = 0.1);
                out[ur].L = L;
                out[ur].gw = gw;
                out[ur].gb = gb;
            }
        });
        check_against_loop(out, by_loop(all, W, 0.1));
        for (const seen& s : out) {
            // every member the same bits: every process applies the same update
            BOOST_TEST(s.L == out[0].L);
            BOOST_TEST(s.gb == out[0].gb);
            BOOST_TEST(s.gw == out[0].gw);
        }
    }
}

BOOST_AUTO_TEST_CASE(members_that_bind_views_copy_them_after_the_plan) {
    // y bound as a view (not read in place: the engine copies it into its workspace every run)
    const std::size_t n = 3000, dim = 8;
    const rows_data all(n, dim);
    const xt::xtensor<double, 1> W{0.3, -0.2, 0.5, 0.1, -0.4, 0.2, 0.05, -0.1};
    std::vector<seen> out(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        const auto ur = static_cast<std::size_t>(r);
        const rows_data mine = all.part(ur * 1000, ur == 0 ? 1000 : n);
        auto step = compile(rows(X, y), model_loss, derivative(model_loss, w), derivative(model_loss, b));
        step.share_rows(c);
        const auto [L, gw, gb] = step(X = mine.X, y = xt::view(mine.y, xt::range(0, mine.y.size())), w = W, b = 0.1);
        out[ur].L = L;
        out[ur].gw = gw;
        out[ur].gb = gb;
    });
    check_against_loop(out, by_loop(all, W, 0.1));
}

BOOST_AUTO_TEST_CASE(an_input_with_rows_broadcast_in_a_loop_is_read_at_each_members_blocks) {
    // c (n, 1) against X (n, 48): copied out block by block; each member's last block is partial
    constexpr auto c = symbol<"c">;
    const std::size_t n = 5003, dim = 48;
    xt::xtensor<double, 2> Xd(std::array<std::size_t, 2>{n, dim}), cd(std::array<std::size_t, 2>{n, 1});
    for (std::size_t i = 0; i < Xd.size(); ++i) Xd.flat(i) = std::sin(0.37 * double(i));
    for (std::size_t i = 0; i < n; ++i) cd(i, 0) = std::cos(0.1 * double(i));
    double ref = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < dim; ++j) ref += (Xd(i, j) - cd(i, 0)) * (Xd(i, j) - cd(i, 0));
    std::vector<double> got(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> co, int r) {
        const std::size_t lo = r == 0 ? 0 : 2001, hi = r == 0 ? 2001 : n;
        const xt::xtensor<double, 2> Xm = xt::view(Xd, xt::range(lo, hi), xt::all());
        const xt::xtensor<double, 2> cm = xt::view(cd, xt::range(lo, hi), xt::all());
        auto step = compile(rows(X, c), sum(square(X - c)));
        step.share_rows(co);
        got[static_cast<std::size_t>(r)] = std::get<0>(step(X = Xm, c = cm));
    });
    for (double g : got) BOOST_TEST(g == ref, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(members_that_change_their_number_of_rows_plan_again) {
    const rows_data all(600, 3);
    const xt::xtensor<double, 1> W{0.3, -0.2, 0.5};
    std::vector<double> seen_L(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        auto step = compile(rows(X, y), model_loss, derivative(model_loss, w));
        step.share_rows(c);
        // first [0, 300) | [300, 600), then [0, 100) | [100, 600): member 0's shapes change, 1's do not
        // (its rows are the same arrays' shapes only by chance: here they differ, 300 then 500)
        const std::size_t mid = 300;
        const rows_data a = all.part(r == 0 ? 0 : mid, r == 0 ? mid : 600);
        step(X = a.X, y = a.y, w = W, b = 0.1);
        const rows_data p = all.part(r == 0 ? 0 : 100, r == 0 ? 100 : 600);
        seen_L[static_cast<std::size_t>(r)] = std::get<0>(step(X = p.X, y = p.y, w = W, b = 0.1));
    });
    const double ref = by_loop(all, W, 0.1).L;
    for (double L : seen_L) BOOST_TEST(L == ref, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_failure_on_one_member_is_raised_on_every_member_with_its_message) {
    const rows_data all(300, 3);
    const xt::xtensor<double, 1> W{0.3, -0.2, 0.5};
    std::vector<std::string> first(3), then(3);
    std::vector<double> after(3);
    test_support::run_members(3, [&](std::shared_ptr<collective> c, int r) {
        const auto ur = static_cast<std::size_t>(r);
        auto step = compile(rows(X, y), model_loss, derivative(model_loss, w));
        step.share_rows(c);
        const rows_data mine = all.part(100 * ur, 100 * ur + 100);
        // member 1 binds one target too few
        const xt::xtensor<double, 1> short_y = xt::view(mine.y, xt::range(0, 99));
        try {
            step(X = mine.X, y = r == 1 ? short_y : mine.y, w = W, b = 0.1);
        } catch (const shape_error& e) {
            first[ur] = e.what();
        }
        // member 2 binds w of the wrong length: its shapes fail in the plan, after the rows agreed
        const xt::xtensor<double, 1> W2{0.3, -0.2};
        try {
            step(X = mine.X, y = mine.y, w = r == 2 ? W2 : W, b = 0.1);
        } catch (const shape_error& e) {
            then[ur] = e.what();
        }
        // and the next call, with good data everywhere, runs
        after[ur] = std::get<0>(step(X = mine.X, y = mine.y, w = W, b = 0.1));
    });
    for (std::size_t r = 0; r < 3; ++r) {
        BOOST_TEST_INFO("member " << r << ": " << first[r]);
        BOOST_TEST(first[r].rfind("rank 1: ", 0) == 0u);
        BOOST_TEST(first[r].find("different numbers of rows: X has 100, y has 99") != std::string::npos);
        BOOST_TEST_INFO("member " << r << ": " << then[r]);
        BOOST_TEST(then[r].rfind("rank 2: ", 0) == 0u);
        BOOST_TEST(after[r] == by_loop(all, W, 0.1).L, boost::test_tools::tolerance(1e-12));
    }
}

BOOST_AUTO_TEST_CASE(a_non_finite_row_on_one_member_makes_the_loss_non_finite_on_every_member) {
    const rows_data all(200, 3);
    const xt::xtensor<double, 1> W{0.3, -0.2, 0.5};
    std::vector<double> L(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        auto step = compile(rows(X, y), model_loss);
        step.share_rows(c);
        rows_data mine = all.part(100 * static_cast<std::size_t>(r), 100 * static_cast<std::size_t>(r) + 100);
        if (r == 1) mine.X(7, 1) = std::numeric_limits<double>::quiet_NaN();
        L[static_cast<std::size_t>(r)] = std::get<0>(step(X = mine.X, y = mine.y, w = W, b = 0.1));
    });
    BOOST_TEST(std::isnan(L[0]));
    BOOST_TEST(std::isnan(L[1]));
}

BOOST_AUTO_TEST_CASE(a_result_with_one_row_per_example_is_refused_on_every_member) {
    const rows_data all(100, 3);
    const xt::xtensor<double, 1> W{0.3, -0.2, 0.5};
    std::vector<std::string> msg(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        auto step = compile(rows(X, y), model_loss, dot(X, w));
        step.share_rows(c);
        const rows_data mine = all.part(50 * static_cast<std::size_t>(r), 50 * static_cast<std::size_t>(r) + 50);
        try {
            step(X = mine.X, y = mine.y, w = W, b = 0.1);
        } catch (const std::invalid_argument& e) {
            msg[static_cast<std::size_t>(r)] = e.what();
        }
    });
    for (const std::string& m : msg) {
        BOOST_TEST_INFO(m);
        BOOST_TEST(m.find("one row per example cannot be computed with the rows shared") != std::string::npos);
    }
}
