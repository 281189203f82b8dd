// The diagonal of a Hessian: hessian_diagonal (one Hessian-vector product, when the Hessian is
// diagonal by construction) and hessian_diagonal_at (also column by column when it is not),
// against closed forms written out here and central differences of the gradient; and
// derivative<2> with respect to an array: that diagonal, or an error in words.
#define BOOST_TEST_MODULE diff_hessian_diagonal
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstddef>
#include <limits>
#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff::literals;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto a = symbol<"a">;
constexpr auto c = symbol<"c">;

// k-means in one dimension: points x (n x 1), centroids c (k); cost sum_i min_k (x_i - c_k)^2
constexpr auto kmeans_1d = sum(min(square(x - c), axis<1>));
// k-means in d dimensions: points x (n x 1 x d), centroids c (k x d)
constexpr auto kmeans = sum(min(sum(square(x - c), axis<2>), axis<1>));
// separable: every element of a has its own terms; d^2/da_j^2 = exp(a_j) + 1
constexpr auto separable = sum(exp(a) - y * a) + exact<1, 2> * sum(square(a));
// sum_ij (a_ij - a_ji)^2 for a square a: d^2/da_ij^2 = 4 off the diagonal, 0 on it, and
// d^2/da_ij da_ji = -4: not diagonal, although its derivative along all-ones directions is 0
constexpr auto antisymmetric = sum(square(a - transpose(a)));
// least squares: H = 2/n xᵀx, not diagonal
constexpr auto least_squares = mean(square(dot(x, a) - y));

const xt::xtensor<double, 2> points_1d{{0.1}, {0.5}, {2.0}, {2.6}, {3.1}, {-1.0}, {0.3}};
const xt::xtensor<double, 1> centroids_1d{0.0, 2.5, 9.0};  // the last one has no point

const xt::xtensor<double, 3> points{{{0.1, 0.2}}, {{0.4, -0.1}}, {{2.0, 2.2}}, {{2.5, 1.9}}, {{-0.2, 0.0}}};
const xt::xtensor<double, 2> centroids{{0.0, 0.0}, {2.0, 2.0}};

const xt::xtensor<double, 2> Xv{{0.3, -1.2, 0.8}, {1.1, 0.4, -0.5}, {-0.7, 0.9, 0.2}, {0.5, 0.1, -1.0}};
const xt::xtensor<double, 1> yv{0.5, -0.25, 1.0, 0.0};
const xt::xtensor<double, 1> av{0.4, -0.3, 0.7};

/// Entry j of the gradient's derivative along element j, by central differences of `gradient(P)`.
template <class G, class P>
xt::xarray<double> diagonal_by_differences(G&& gradient, const P& point) {
    xt::xarray<double> d = xt::zeros<double>(point.shape());
    for (std::size_t j = 0; j < point.size(); ++j) {
        P up = point, down = point;
        up.flat(j) += fd_step;
        down.flat(j) -= fd_step;
        d.flat(j) =
            (xt::xarray<double>(gradient(up)).flat(j) - xt::xarray<double>(gradient(down)).flat(j)) / (2 * fd_step);
    }
    return d;
}

/// The nearest of the centroids `cs` (rows) to the point `p` (a row of `ps`).
template <class Ps, class Cs>
std::size_t nearest(const Ps& ps, std::size_t i, const Cs& cs, std::size_t k, std::size_t dims) {
    std::size_t best = 0;
    double best_d = std::numeric_limits<double>::infinity();
    for (std::size_t m = 0; m < k; ++m) {
        double dist = 0;
        for (std::size_t j = 0; j < dims; ++j) {
            const double e = ps.flat(i * dims + j) - cs.flat(m * dims + j);
            dist += e * e;
        }
        if (dist < best_d) best_d = dist, best = m;
    }
    return best;
}
}  // namespace

BOOST_AUTO_TEST_CASE(which_hessians_are_diagonal_by_construction) {
    static_assert(hessian_is_diagonal<decltype(kmeans_1d), decltype(c)>);
    static_assert(hessian_is_diagonal<decltype(kmeans), decltype(c)>);
    static_assert(hessian_is_diagonal<decltype(separable), decltype(a)>);
    static_assert(hessian_is_diagonal<decltype(mean(square(a * x - y))), decltype(a)>);  // a scalar a: 1 x 1
    // not diagonal: through a product, a reduction of a, or a row-wise operation
    static_assert(!hessian_is_diagonal<decltype(least_squares), decltype(a)>);
    static_assert(!hessian_is_diagonal<decltype(square(sum(a))), decltype(a)>);
    static_assert(!hessian_is_diagonal<decltype(sum(log_softmax(a))), decltype(a)>);
    // nor through a transpose whose derivative along 1 cancels (s - sᵀ): along e_j it does not
    static_assert(!hessian_is_diagonal<decltype(antisymmetric), decltype(a)>);
    // stop_gradient of a reduction is a constant: the Hessian stays diagonal
    static_assert(hessian_is_diagonal<decltype(sum(square(a)) * 1_c + sum(stop_gradient(sum(a)) * a)), decltype(a)>);
}

BOOST_AUTO_TEST_CASE(kmeans_in_one_dimension_is_twice_the_cluster_sizes) {
    // d^2 / dc_k^2 = 2 #{i : c_k nearest to x_i}; the Newton step c - g / h is Lloyd's step
    const std::size_t n = points_1d.shape()[0], k = centroids_1d.size();
    xt::xarray<double> expected = xt::zeros<double>({k}), means = xt::zeros<double>({k});
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t m = nearest(points_1d, i, centroids_1d, k, 1);
        expected(m) += 2;
        means(m) += points_1d(i, 0);
    }
    BOOST_TEST(expected(2) == 0.0);  // the far centroid has no point: a zero on the diagonal
    const xt::xarray<double> h = hessian_diagonal_at(kmeans_1d, c, x = points_1d, c = centroids_1d);
    BOOST_TEST(all_near(h, expected, 1e-14));
    const auto gradient = [&](const auto& C) { return evaluate(gradient_of(kmeans_1d, c), x = points_1d, c = C); };
    BOOST_TEST(all_near(h, diagonal_by_differences(gradient, centroids_1d), fd_tolerance));

    const xt::xarray<double> g = gradient(centroids_1d);
    for (std::size_t m = 0; m < 2; ++m)
        BOOST_TEST(near(centroids_1d(m) - g(m) / h(m), means(m) / (expected(m) / 2), 1e-14));
}

BOOST_AUTO_TEST_CASE(kmeans_in_two_dimensions) {
    const std::size_t n = points.shape()[0], k = centroids.shape()[0], dims = centroids.shape()[1];
    xt::xarray<double> expected = xt::zeros<double>({k, dims});
    for (std::size_t i = 0; i < n; ++i) {
        const std::size_t m = nearest(points, i, centroids, k, dims);
        for (std::size_t j = 0; j < dims; ++j) expected(m, j) += 2;
    }
    counters().reset();
    const xt::xarray<double> h = hessian_diagonal_at(kmeans, c, x = points, c = centroids);
    BOOST_TEST(counters().runs == 2u);  // the loss (is it a number?), then one hvp for all 4 entries
    BOOST_TEST(all_near(h, expected, 1e-14));
    // the same numbers as an expression, evaluated like any other
    const xt::xarray<double> e = evaluate(hessian_diagonal(kmeans, c), x = points, c = centroids);
    BOOST_TEST(all_near(xt::xarray<double>(xt::broadcast(e, {k, dims})), expected, 1e-14));
    const auto gradient = [&](const auto& C) { return evaluate(gradient_of(kmeans, c), x = points, c = C); };
    BOOST_TEST(all_near(h, diagonal_by_differences(gradient, centroids), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(newton_steps_on_kmeans_are_lloyd_steps) {
    // the points split into {0, 1, 4} and {2, 3}: each centroid goes to the mean of its points
    const xt::xarray<double> lloyd{{(0.1 + 0.4 - 0.2) / 3, (0.2 - 0.1 + 0.0) / 3}, {2.25, 2.05}};
    // [snippet:kmeans_newton]
    // x: n x 1 x d points, c: k x d centroids; the cost is the squared distance to the nearest
    constexpr auto cost = sum(min(sum(square(x - c), axis<2>), axis<1>));
    xt::xarray<double> C = centroids;
    for (int step = 0; step < 3; ++step) {
        const xt::xarray<double> g = evaluate(gradient_of(cost, c), x = points, c = C);
        const xt::xarray<double> h = hessian_diagonal_at(cost, c, x = points, c = C);  // 2 x cluster size
        C -= xt::where(h > 0, g / h, 0.0);  // a centroid without points stays
    }
    // [/snippet:kmeans_newton]
    BOOST_TEST(all_near(C, lloyd, 1e-15));
}

BOOST_AUTO_TEST_CASE(a_separable_loss) {
    const xt::xarray<double> h = hessian_diagonal_at(separable, a, a = av, y = xt::xtensor<double, 1>{1.0, 2.0, 0.5});
    const xt::xarray<double> expected = xt::exp(av) + 1.0;
    BOOST_TEST(all_near(h, expected, 1e-14));
    const auto gradient = [&](const auto& A) {
        return evaluate(gradient_of(separable, a), a = A, y = xt::xtensor<double, 1>{1.0, 2.0, 0.5});
    };
    BOOST_TEST(all_near(h, diagonal_by_differences(gradient, av), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(not_diagonal_by_construction_column_by_column) {
    // least squares: diag(2/n xᵀx)_j = 2/n sum_r x_rj^2
    const std::size_t n = Xv.shape()[0], p = Xv.shape()[1];
    xt::xarray<double> expected = xt::zeros<double>({p});
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t j = 0; j < p; ++j) expected(j) += 2.0 / double(n) * Xv(r, j) * Xv(r, j);
    counters().reset();
    const xt::xarray<double> h = hessian_diagonal_at(least_squares, a, x = Xv, y = yv, a = av);
    BOOST_TEST(counters().runs == 1 + p);  // the loss, then one hvp per entry
    BOOST_TEST(all_near(h, expected, 1e-14));
    // where the Hessian is not diagonal, hvp(loss, a, 1) is not its diagonal: the row sums instead
    const xt::xarray<double> row_sums = evaluate(hvp(least_squares, a, 1_c), x = Xv, y = yv, a = av);
    BOOST_TEST(!all_near(row_sums, expected, 1e-3));
}

BOOST_AUTO_TEST_CASE(a_scalar_parameter) {
    // mean((a x - y)^2): d^2/da^2 = 2/n sum x^2, shape ()
    const xt::xtensor<double, 1> xs{1.0, 2.0, -0.5}, ys{0.3, 0.1, 0.2};
    const xt::xarray<double> h = hessian_diagonal_at(mean(square(a * x - y)), a, a = 0.7, x = xs, y = ys);
    BOOST_TEST(h.dimension() == 0u);
    BOOST_TEST(near(h(), 2.0 / 3.0 * (1.0 + 4.0 + 0.25), 1e-14));
}

BOOST_AUTO_TEST_CASE(the_loss_must_be_a_number) {
    BOOST_CHECK_THROW(hessian_diagonal_at(square(a), a, a = av), shape_error);
}

BOOST_AUTO_TEST_CASE(second_derivative_with_respect_to_an_array) {
    // diagonal by construction: derivative<2> is the diagonal (k-means: twice the cluster sizes,
    // 4 points nearest to 0, 3 to 2.5, none to 9)
    const xt::xarray<double> d2 = evaluate(derivative<2>(kmeans_1d, c), x = points_1d, c = centroids_1d);
    BOOST_TEST(all_near(xt::xarray<double>(xt::broadcast(d2, {3})), xt::xarray<double>{8.0, 6.0, 0.0}, 1e-14));
    // not diagonal: with a bound to an array, the evaluation stops first, in words, before the
    // shape error deep inside the forward-mode formula
    std::string message;
    try {
        (void)evaluate(derivative<2>(least_squares, a), x = Xv, y = yv, a = av);
    } catch (const shape_error& e) {
        message = e.what();
    }
    BOOST_TEST(message.find("a second derivative with respect to a, bound to an array of shape (3), is a block of "
                            "the Hessian") != std::string::npos,
               message);
    BOOST_TEST(message.find("hessian_at(loss, a, ...)") != std::string::npos);
    BOOST_CHECK_THROW(
        evaluate(boost::hana::at_c<0>(boost::hana::at_c<0>(hessian(least_squares, a))), x = Xv, y = yv, a = av),
        shape_error);
    // with numbers, the mixed partial d/db dL/da of mean((a x + b - y)^2) is 2 mean(x)
    const xt::xtensor<double, 1> xs{1.0, 2.0, -0.5}, ys{0.3, 0.1, 0.2};
    constexpr auto line = mean(square(a * x + c - y));
    const auto H = hessian(line, a, c);
    BOOST_TEST(near(double(evaluate(boost::hana::at_c<1>(boost::hana::at_c<0>(H)), a = 0.7, c = 0.1, x = xs, y = ys)),
                    2.0 * (1.0 + 2.0 - 0.5) / 3.0, 1e-15));
    BOOST_TEST(near(double(evaluate(derivative<2>(line, a), a = 0.7, c = 0.1, x = xs, y = ys)),
                    2.0 * (1.0 + 4.0 + 0.25) / 3.0, 1e-15));
}

BOOST_AUTO_TEST_CASE(a_transpose_that_cancels_along_ones) {
    const xt::xtensor<double, 2> A{{0.5, -1.0, 2.0}, {0.25, 3.0, -0.5}, {1.5, 0.75, -2.0}};
    const xt::xarray<double> h = hessian_diagonal_at(antisymmetric, a, a = A);
    const xt::xarray<double> expected{{0, 4, 4}, {4, 0, 4}, {4, 4, 0}};
    BOOST_TEST(all_near(h, expected, 1e-13));
    BOOST_CHECK_THROW(evaluate(derivative<2>(antisymmetric, a), a = A), shape_error);
}
