// The evaluation engine (eval/engine.hpp, eval/executor.hpp), white box through its counters:
//   - one expression and a tuple holding it give the same bits;
//   - a compiled step over rows of data runs in blocks of rows, in one pass over the data, and
//     its result equals a plain loop written here to rounding;
//   - a warmed-up step allocates nothing (operator new is counted in this file);
//   - repeated subtrees that hold runtime numbers are computed once (0.5 * dot(X, w) twice);
//   - a sum of c * v, c a number, sums v and multiplies by c once (the counter says so), with
//     the value of the plain loop.
// (operator new and delete are replaced below: malloc and free, so GCC's pairing check is off)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#define BOOST_TEST_MODULE eval_engine
#include <boost/test/unit_test.hpp>

#include <array>
#include <atomic>
#include <cmath>
#include <cstdlib>
#include <new>
#include <tuple>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

namespace {
std::atomic<std::size_t> allocations{0};  // calls of operator new in this program (on every thread)
}  // namespace

void* operator new(std::size_t n) {
    ++allocations;
    if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
    throw std::bad_alloc();
}
void* operator new(std::size_t n, std::align_val_t a) {
    ++allocations;
    const auto al = static_cast<std::size_t>(a);
    if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace symdiff;
namespace hana = boost::hana;

namespace {
constexpr auto X = symbol<"X">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto b = symbol<"b">;

/// n rows of d features, and targets, from a fixed formula (no generator state).
struct rows_data {
    xt::xtensor<double, 2> X;
    xt::xtensor<double, 1> y;
    rows_data(std::size_t n, std::size_t d) : X(std::array<std::size_t, 2>{n, d}), y(std::array<std::size_t, 1>{n}) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < d; ++j) X(i, j) = std::sin(0.37 * double(i) + 1.3 * double(j));
            y(i) = std::cos(0.11 * double(i));
        }
    }
};
}  // namespace

BOOST_AUTO_TEST_CASE(one_expression_and_a_tuple_give_the_same_bits) {
    const rows_data d(1001, 3);
    const xt::xtensor<double, 1> W{0.3, -0.2, 0.5};
    const auto loss = mean(square(tanh(dot(X, w) + b) - y));
    const auto dw = derivative(loss, w);
    const double alone = evaluate(loss, X = d.X, y = d.y, w = W, b = 0.1);
    const auto both = evaluate(hana::make_tuple(loss, dw), X = d.X, y = d.y, w = W, b = 0.1);
    const xt::xarray<double> dw_alone = evaluate(dw, X = d.X, y = d.y, w = W, b = 0.1);
    BOOST_TEST(alone == hana::at_c<0>(both));  // exactly
    BOOST_TEST(dw_alone == hana::at_c<1>(both));
}

BOOST_AUTO_TEST_CASE(a_step_over_rows_runs_in_blocks_in_one_pass_and_matches_a_plain_loop) {
    const std::size_t n = 50000, dim = 8;
    const rows_data d(n, dim);
    xt::xtensor<double, 1> W = xt::zeros<double>({dim});
    for (std::size_t j = 0; j < dim; ++j) W(j) = 0.1 * double(j) - 0.3;
    const auto loss = mean(square(dot(X, w) + b - y));
    auto step = compile(rows(X, y), loss, derivative(loss, w), derivative(loss, b));

    counters().reset();
    const auto [L, gw, gb] = step(X = d.X, y = d.y, w = W, b = 0.25);
    BOOST_TEST(counters().data_passes == 1u);
    BOOST_TEST(counters().row_blocks > 1u);  // the blocked path ran

    // reference: the loop a person would write
    double ref_L = 0, ref_gb = 0;
    std::vector<double> ref_gw(dim, 0.0);
    for (std::size_t i = 0; i < n; ++i) {
        double r = 0.25 - d.y(i);
        for (std::size_t j = 0; j < dim; ++j) r += d.X(i, j) * W(j);
        ref_L += r * r;
        ref_gb += 2 * r;
        for (std::size_t j = 0; j < dim; ++j) ref_gw[j] += 2 * r * d.X(i, j);
    }
    const auto tol = boost::test_tools::tolerance(1e-12);
    BOOST_TEST(L == ref_L / double(n), tol);
    BOOST_TEST(gb == ref_gb / double(n), tol);
    BOOST_REQUIRE_EQUAL(gw.size(), dim);
    for (std::size_t j = 0; j < dim; ++j) BOOST_TEST(gw(j) == ref_gw[j] / double(n), tol);
}

BOOST_AUTO_TEST_CASE(a_last_block_of_one_row_is_one_row_not_a_broadcast) {
    // 63 + 3 numbers per row: blocks of 496 rows, so 993 rows end with a block of one row. The
    // gradients reduce onto rows (dW's residual) and over rows (db): both walk that block once.
    constexpr auto Wm = symbol<"Wm">;
    constexpr auto bv = symbol<"bv">;
    constexpr auto Y = symbol<"Y">;
    const std::size_t n = 993, dim = 63, k = 3;
    xt::xtensor<double, 2> Xd(std::array<std::size_t, 2>{n, dim}), Yd(std::array<std::size_t, 2>{n, k}),
        Wd(std::array<std::size_t, 2>{dim, k});
    for (std::size_t i = 0; i < Xd.size(); ++i) Xd.flat(i) = std::sin(0.37 * double(i));
    for (std::size_t i = 0; i < Yd.size(); ++i) Yd.flat(i) = std::cos(0.11 * double(i));
    for (std::size_t i = 0; i < Wd.size(); ++i) Wd.flat(i) = 0.05 * std::cos(0.3 * double(i));
    const xt::xtensor<double, 1> bd{0.1, -0.2, 0.3};
    const auto loss = mean(square(dot(X, Wm) + bv - Y));
    auto step = compile(rows(X, Y), loss, derivative(loss, Wm), derivative(loss, bv));
    counters().reset();
    const auto [L, gW, gb] = step(X = Xd, Y = Yd, Wm = Wd, bv = bd);
    BOOST_TEST(counters().row_blocks == 3u);  // 496 + 496 + 1 rows
    // reference: the loop; L = mean over n k entries of r^2, dL/dr = 2 r / (n k)
    std::vector<double> rW(dim * k, 0.0), rb(k, 0.0);
    double rL = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < k; ++c) {
            double r = bd(c) - Yd(i, c);
            for (std::size_t j = 0; j < dim; ++j) r += Xd(i, j) * Wd(j, c);
            rL += r * r / double(n * k);
            const double g = 2 * r / double(n * k);
            rb[c] += g;
            for (std::size_t j = 0; j < dim; ++j) rW[j * k + c] += g * Xd(i, j);
        }
    const auto tol = boost::test_tools::tolerance(1e-12);
    BOOST_TEST(L == rL, tol);
    for (std::size_t c = 0; c < k; ++c) BOOST_TEST(gb(c) == rb[c], tol);
    for (std::size_t j = 0; j < dim * k; ++j) BOOST_TEST(gW.flat(j) == rW[j], tol);
}

BOOST_AUTO_TEST_CASE(an_input_with_rows_broadcast_in_a_loop_is_read_at_every_block) {
    // c of shape (n, 1) against X of shape (n, 64): c is copied out to the loop's shape block by
    // block. More than 16 blocks, so the groups of blocks hold several blocks each.
    constexpr auto c = symbol<"c">;
    const std::size_t n = 40001, dim = 64;
    xt::xtensor<double, 2> Xd(std::array<std::size_t, 2>{n, dim}), cd(std::array<std::size_t, 2>{n, 1});
    for (std::size_t i = 0; i < Xd.size(); ++i) Xd.flat(i) = std::sin(0.37 * double(i));
    for (std::size_t i = 0; i < n; ++i) cd(i, 0) = std::cos(0.1 * double(i));
    auto step = compile(rows(X, c), sum(square(X - c)));
    counters().reset();
    const auto [total] = step(X = Xd, c = cd);
    BOOST_TEST(counters().row_blocks > 32u);
    double ref = 0;
    for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < dim; ++j) ref += (Xd(i, j) - cd(i, 0)) * (Xd(i, j) - cd(i, 0));
    BOOST_TEST(total == ref, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_warmed_up_step_allocates_nothing) {
    // on one thread, and on two (4 blocks of rows: the helper thread runs two of them)
    for (const std::size_t threads : {1u, 2u}) {
        const rows_data d(20000, 4);
        xt::xtensor<double, 1> W{0.1, 0.2, -0.3, 0.4};
        const auto loss = mean(square(sigmoid(dot(X, w) + b) - y)) + 0.01 * sum(square(w));
        auto step = compile(rows(X, y), loss, derivative(loss, w), derivative(loss, b));
        step.threads(threads);
        double bias = 0.0;
        const std::size_t cold = allocations;
        counters().reset();
        step(X = d.X, y = d.y, w = W, b = bias);
        BOOST_TEST(allocations > cold);  // the first call plans and allocates (and the counter sees it)
        BOOST_TEST(counters().helper_threads == threads - 1);
        step(X = d.X, y = d.y, w = W, b = bias);

        const std::size_t before = allocations;
        for (int s = 0; s < 5; ++s) {
            const auto [L, gw, gb] = step(X = d.X, y = d.y, w = W, b = bias);
            for (std::size_t j = 0; j < W.size(); ++j) W(j) -= 0.1 * gw(j);  // parameters change, shapes do not
            bias -= 0.1 * gb;
            BOOST_TEST(std::isfinite(L));
        }
        BOOST_TEST(allocations - before == 0u, "threads: " << threads);
    }
}

BOOST_AUTO_TEST_CASE(repeated_subtrees_holding_runtime_numbers_are_computed_once) {
    const rows_data d(200, 5);
    const xt::xtensor<double, 1> W{0.2, -0.1, 0.4, 0.3, -0.5};
    // 0.5 * dot(X, w) appears twice in the loss, and again in each gradient
    const auto z = 0.5 * dot(X, w);
    const auto loss = mean(square(z - y)) + mean(exp(z));
    counters().reset();
    const auto v = evaluate(hana::make_tuple(loss, derivative(loss, w)), X = d.X, y = d.y, w = W);
    // X w once; the gradient holds one product Xᵀ g per term of the loss. (Computed per
    // occurrence, the four occurrences of z would make it 6.)
    BOOST_TEST(counters().operation("dot") == 3u);
    BOOST_TEST(counters().listed_programs == 0u);

    // the same values as a loop
    double ref = 0;
    for (std::size_t i = 0; i < 200; ++i) {
        double zi = 0;
        for (std::size_t j = 0; j < 5; ++j) zi += d.X(i, j) * W(j);
        zi *= 0.5;
        ref += (zi - d.y(i)) * (zi - d.y(i)) + std::exp(zi);
    }
    BOOST_TEST(hana::at_c<0>(v) == ref / 200, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(a_number_factor_is_taken_out_of_a_sum) {
    constexpr auto x = symbol<"x">;
    constexpr auto c = symbol<"c">;
    const std::size_t n = 1003;  // not a multiple of any SIMD width
    xt::xtensor<double, 1> xv = xt::zeros<double>({n}), yv = xt::zeros<double>({n});
    for (std::size_t i = 0; i < n; ++i) {
        xv(i) = std::sin(0.3 * double(i));
        yv(i) = std::cos(0.7 * double(i)) + 0.25;
    }
    double sq = 0, xx = 0, xy = 0, sx = 0;  // plain loops
    for (std::size_t i = 0; i < n; ++i) {
        sq += (xv(i) - yv(i)) * (xv(i) - yv(i));
        xx += xv(i) * xv(i);
        xy += xv(i) * yv(i);
        sx += xv(i);
    }
    const auto tol = boost::test_tools::tolerance(1e-13);

    counters().reset();  // a literal on the left
    BOOST_TEST(evaluate(mean(2.5 * square(x - y)), x = xv, y = yv) == 2.5 * sq / double(n), tol);
    BOOST_TEST(counters().scaled_sums == 1u);

    counters().reset();  // a bound number on the right
    BOOST_TEST(evaluate(sum(square(x) * c), x = xv, c = -3.0) == -3.0 * xx, tol);
    BOOST_TEST(counters().scaled_sums == 1u);

    counters().reset();  // a factor that is itself a sum over the rows: mean(x) sum(x)
    auto program = compile(rows(x), sum(mean(x) * x));
    BOOST_TEST(std::get<0>(program(x = xv)) == sx / double(n) * sx, tol);
    BOOST_TEST(counters().scaled_sums == 1u);

    counters().reset();  // two arrays: nothing to take out
    BOOST_TEST(evaluate(sum(x * y), x = xv, y = yv) == xy, tol);
    BOOST_TEST(counters().scaled_sums == 0u);

    counters().reset();  // a gradient: d/da mean((a x - y)^2) = 2/n sum((a x - y) x)
    constexpr auto a = symbol<"a">;
    const double g = evaluate(derivative(mean(square(a * x - y)), a), a = 0.75, x = xv, y = yv);
    BOOST_TEST(g == 2 * (0.75 * xx - xy) / double(n), tol);
    BOOST_TEST(counters().scaled_sums >= 1u);
}

BOOST_AUTO_TEST_CASE(subtrees_of_one_type_with_different_numbers_are_kept_apart) {
    const rows_data d(100, 2);
    const xt::xtensor<double, 1> W{0.7, -0.4};
    const auto loss = mean(square(0.5 * dot(X, w) - y)) + mean(2.0 * dot(X, w));
    counters().reset();
    const double L = evaluate(loss, X = d.X, y = d.y, w = W);
    BOOST_TEST(counters().operation("dot") == 1u);  // dot(X, w) holds no number: shared
    double ref = 0;
    for (std::size_t i = 0; i < 100; ++i) {
        const double p = d.X(i, 0) * W(0) + d.X(i, 1) * W(1);
        ref += (0.5 * p - d.y(i)) * (0.5 * p - d.y(i)) + 2.0 * p;
    }
    BOOST_TEST(L == ref / 100, boost::test_tools::tolerance(1e-12));
}

BOOST_AUTO_TEST_CASE(thread_counts_give_the_same_bits) {
    // 25 blocks of rows (more than the 16 groups), a sum (db) and a reduction over rows (Xᵀ g)
    const rows_data d(200000, 3);
    const xt::xtensor<double, 1> W{0.4, -0.3, 0.2};
    const auto loss = mean(square(tanh(dot(X, w) + b) - y));
    const auto dw = derivative(loss, w);
    const auto db = derivative(loss, b);
    struct result {
        double L, gb;
        xt::xarray<double> gw;
        std::size_t blocks_here;  // blocks run by the calling thread
    };
    const auto run = [&](std::size_t threads) {
        auto step = compile(rows(X, y), loss, dw, db);
        step.threads(threads);
        counters().reset();
        const auto [L, gw, gb] = step(X = d.X, y = d.y, w = W, b = 0.1);
        return result{L, gb, gw, counters().row_blocks};
    };
    const result one = run(1), two = run(2), three = run(3);
    BOOST_TEST(one.blocks_here > 16u);
    BOOST_TEST(two.blocks_here < one.blocks_here);  // the other threads ran blocks
    BOOST_TEST(three.blocks_here < two.blocks_here);
    for (const result* r : {&two, &three}) {
        BOOST_TEST(r->L == one.L);  // exactly
        BOOST_TEST(r->gb == one.gb);
        BOOST_TEST(r->gw == one.gw);
    }
    // and the values themselves, against a loop
    double ref_L = 0, ref_gb = 0;
    for (std::size_t i = 0; i < 200000; ++i) {
        const double t = std::tanh(d.X(i, 0) * W(0) + d.X(i, 1) * W(1) + d.X(i, 2) * W(2) + 0.1);
        ref_L += (t - d.y(i)) * (t - d.y(i));
        ref_gb += 2 * (t - d.y(i)) * (1 - t * t);
    }
    BOOST_TEST(one.L == ref_L / 200000, boost::test_tools::tolerance(1e-11));
    BOOST_TEST(one.gb == ref_gb / 200000, boost::test_tools::tolerance(1e-9));
}

BOOST_AUTO_TEST_CASE(helper_threads_start_once_and_serve_every_pass) {
    // 25 blocks of rows on 3 threads, five runs of one program: the two helper threads start at the
    // first run (its plan) and run their groups of blocks in every run, with the same bits each time
    const rows_data d(200000, 3);
    const xt::xtensor<double, 1> W{0.4, -0.3, 0.2};
    const auto loss = mean(square(tanh(dot(X, w) + b) - y));
    auto single = compile(rows(X, y), loss, derivative(loss, w));
    const auto [L1, g1] = single(X = d.X, y = d.y, w = W, b = 0.1);
    const xt::xarray<double> gw1 = g1;
    auto step = compile(rows(X, y), loss, derivative(loss, w));
    step.threads(3);
    counters().reset();
    for (int run = 0; run < 5; ++run) {
        const std::size_t blocks_before = counters().row_blocks;
        const auto [L, gw] = step(X = d.X, y = d.y, w = W, b = 0.1);
        BOOST_TEST(L == L1);  // exactly
        BOOST_TEST(gw == gw1);
        BOOST_TEST(counters().row_blocks - blocks_before < 25u);  // the helpers ran the other blocks
    }
    BOOST_TEST(counters().helper_threads == 2u);
    BOOST_TEST(counters().plans == 1u);
    // new shapes: one block of rows (no helper needed), then 25 again; the same two threads serve
    const rows_data small(3000, 3);
    const auto [Ls, gs] = step(X = small.X, y = small.y, w = W, b = 0.1);
    const auto [Ls1, gs1] = single(X = small.X, y = small.y, w = W, b = 0.1);
    BOOST_TEST(Ls == Ls1);
    BOOST_TEST(gs == gs1);
    const auto [L, gw] = step(X = d.X, y = d.y, w = W, b = 0.1);
    BOOST_TEST(L == L1);
    BOOST_TEST(gw == gw1);
    BOOST_TEST(counters().helper_threads == 2u);
}

BOOST_AUTO_TEST_CASE(the_driver_takes_a_thread_count) {
    const rows_data d(60000, 2);
    const auto loss = mean(square(dot(X, w) + b - y));
    descent_options o;
    o.learning_rate = 0.1;
    o.steps = 5;
    const auto one =
        gradient_descent(loss, params(w = xt::xtensor<double, 1>{0.0, 0.0}, b = 0.0), data(X = d.X, y = d.y), o);
    o.threads = 2;
    const auto two =
        gradient_descent(loss, params(w = xt::xtensor<double, 1>{0.0, 0.0}, b = 0.0), data(X = d.X, y = d.y), o);
    BOOST_TEST(one.loss_history == two.loss_history);  // exactly
    o.threads = 0;
    BOOST_CHECK_THROW(
        gradient_descent(loss, params(w = xt::xtensor<double, 1>{0.0, 0.0}, b = 0.0), data(X = d.X, y = d.y), o),
        invalid_argument_error);
}
