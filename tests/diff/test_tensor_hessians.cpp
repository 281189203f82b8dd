// Second order with respect to tensor parameters: hessian_at and jacobian_at (PyTorch's layout),
// hvp and jvp, against closed forms written out here (2/n XᵀX for least squares, Xᵀ diag(σ(1-σ)) X / n for
// logistic regression, the softmax-regression Hessian) and central differences of the gradient.
#define BOOST_TEST_MODULE diff_tensor_hessians
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

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
constexpr auto v = symbol<"v">;
constexpr auto W = symbol<"W">;
constexpr auto labels = symbol<"labels">;

const xt::xtensor<double, 2> Xv{
    {0.3, -1.2, 0.8}, {1.1, 0.4, -0.5}, {-0.7, 0.9, 0.2}, {0.5, 0.1, -1.0}, {0.2, 0.6, 0.9}};
const xt::xtensor<double, 1> yv{0.5, -0.25, 1.0, 0.0, 0.3};
const xt::xtensor<double, 1> y01{1.0, 0.0, 1.0, 0.0, 1.0};
const xt::xtensor<double, 1> av{0.4, -0.3, 0.7};
const xt::xtensor<double, 1> vv{0.25, 1.5, -0.75};
const xt::xtensor<std::int32_t, 1> lv{2, 0, 1, 1, 0};
const xt::xtensor<double, 2> Wv{{0.1, -0.2}, {0.3, 0.05}, {-0.4, 0.2}};  // 3 features by 2 outputs

constexpr std::size_t n = 5, p = 3;

double sigmoid_of(double z) { return 1 / (1 + std::exp(-z)); }

/// The Jacobian of `g(P)` (an array) by central differences, laid out shape(g) + shape(P): the
/// reference for a Jacobian, and for a Hessian when g is a gradient.
template <class G, class P>
xt::xarray<double> jacobian_by_differences(G&& g, const P& point) {
    const std::size_t m = point.size();
    const xt::xarray<double> g0 = g(point);
    std::vector<std::size_t> shape(g0.shape().begin(), g0.shape().end());
    shape.insert(shape.end(), point.shape().begin(), point.shape().end());
    xt::xarray<double> h = xt::xarray<double>::from_shape(shape);
    for (std::size_t j = 0; j < m; ++j) {
        P up = point, down = point;
        up.flat(j) += fd_step;
        down.flat(j) -= fd_step;
        const xt::xarray<double> gu = g(up), gd = g(down);
        for (std::size_t i = 0; i < g0.size(); ++i) h.flat(i * m + j) = (gu.flat(i) - gd.flat(i)) / (2 * fd_step);
    }
    return h;
}

boost::test_tools::assertion_result symmetric(const xt::xarray<double>& h, std::size_t m, double tol) {
    for (std::size_t i = 0; i < m; ++i)
        for (std::size_t j = 0; j < i; ++j)
            if (std::abs(h.flat(i * m + j) - h.flat(j * m + i)) > tol) {
                boost::test_tools::assertion_result r(false);
                r.message() << "H[" << i << ", " << j << "] = " << h.flat(i * m + j) << " but H[" << j << ", " << i
                            << "] = " << h.flat(j * m + i);
                return r;
            }
    return true;
}
}  // namespace

BOOST_AUTO_TEST_CASE(least_squares_hessian_is_two_over_n_xtx) {
    constexpr auto loss = mean(square(dot(x, a) - y));
    const xt::xarray<double> H = hessian_at(loss, a, x = Xv, y = yv, a = av);
    BOOST_TEST(H.dimension() == 2u);
    BOOST_TEST(H.shape()[0] == p);
    xt::xtensor<double, 2> expected = xt::zeros<double>({p, p});
    for (std::size_t i = 0; i < p; ++i)
        for (std::size_t j = 0; j < p; ++j)
            for (std::size_t r = 0; r < n; ++r) expected(i, j) += 2.0 / n * Xv(r, i) * Xv(r, j);
    BOOST_TEST(all_near(H, expected, 1e-14));
    // printed as a person writes it: 2/n xᵀ x v
    BOOST_TEST(to_string(hvp(loss, a, v)) == "dot(transpose(x), 2 * dot(x, v) / n)");
}

BOOST_AUTO_TEST_CASE(logistic_regression_hessian) {
    // loss = mean(softplus(x a) - y (x a)):  H = Xᵀ diag(σ(1 - σ)) X / n, σ = sigmoid(x a)
    constexpr auto loss = mean(softplus(dot(x, a)) - y * dot(x, a));
    const xt::xarray<double> H = hessian_at(loss, a, x = Xv, y = y01, a = av);
    xt::xtensor<double, 2> expected = xt::zeros<double>({p, p});
    for (std::size_t r = 0; r < n; ++r) {
        double z = 0;
        for (std::size_t k = 0; k < p; ++k) z += Xv(r, k) * av(k);
        const double w = sigmoid_of(z) * (1 - sigmoid_of(z)) / n;
        for (std::size_t i = 0; i < p; ++i)
            for (std::size_t j = 0; j < p; ++j) expected(i, j) += Xv(r, i) * w * Xv(r, j);
    }
    BOOST_TEST(all_near(H, expected, 1e-14));
    BOOST_TEST(symmetric(H, p, 1e-15));  // up to rounding: each column is its own product
    // with rows(x, y) as for compile: the columns read the data in blocks of rows, the same Hessian
    const xt::xarray<double> Hr = hessian_at(loss, a, rows(x, y), x = Xv, y = y01, a = av);
    BOOST_TEST(all_near(Hr, expected, 1e-14));
    // and its diagonal, one hvp per element (this Hessian is not diagonal)
    const xt::xarray<double> Dr = hessian_diagonal_at(loss, a, rows(x, y), x = Xv, y = y01, a = av);
    BOOST_TEST(Dr.dimension() == 1u);
    for (std::size_t i = 0; i < p; ++i) BOOST_TEST(near(Dr(i), expected(i, i), 1e-14));
}

BOOST_AUTO_TEST_CASE(softmax_regression_hessian_with_a_matrix_parameter) {
    // loss = mean(cross_entropy(log_softmax(x W), labels)), W: (d, k). With P = softmax(x W):
    // H[(i, c), (j, e)] = 1/n sum_r x_ri x_rj (P_rc [c = e] - P_rc P_re)
    constexpr std::size_t d = 3, k = 3;
    const xt::xtensor<double, 2> W0{{0.1, -0.2, 0.3}, {0.3, 0.05, -0.1}, {-0.4, 0.2, 0.15}};
    constexpr auto loss = mean(cross_entropy(log_softmax(dot(x, W)), labels));
    const xt::xarray<double> H = hessian_at(loss, W, x = Xv, labels = lv, W = W0);
    BOOST_TEST(H.dimension() == 4u);  // (d, k, d, k)
    xt::xarray<double> expected = xt::zeros<double>({d, k, d, k});
    for (std::size_t r = 0; r < n; ++r) {
        double z[k] = {}, total = 0, P[k];
        for (std::size_t c = 0; c < k; ++c) {
            for (std::size_t i = 0; i < d; ++i) z[c] += Xv(r, i) * W0(i, c);
            total += std::exp(z[c]);
        }
        for (std::size_t c = 0; c < k; ++c) P[c] = std::exp(z[c]) / total;
        for (std::size_t i = 0; i < d; ++i)
            for (std::size_t c = 0; c < k; ++c)
                for (std::size_t j = 0; j < d; ++j)
                    for (std::size_t e = 0; e < k; ++e)
                        expected(i, c, j, e) += Xv(r, i) * Xv(r, j) * (P[c] * (c == e) - P[c] * P[e]) / n;
    }
    BOOST_TEST(all_near(H, expected, 1e-14));
    BOOST_TEST(symmetric(H, d * k, 1e-15));
    const auto by_differences = jacobian_by_differences(
        [&](const auto& P) { return xt::xarray<double>(evaluate(derivative(loss, W), x = Xv, labels = lv, W = P)); },
        W0);
    BOOST_TEST(all_near(H, by_differences, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(hessian_of_a_nonlinear_loss_against_differences) {
    constexpr auto loss = mean(tanh(dot(x, a)) * y) + 0.1 * sum(square(a) * sin(a));
    const xt::xarray<double> H = hessian_at(loss, a, x = Xv, y = yv, a = av);
    const auto by_differences = jacobian_by_differences(
        [&](const auto& P) { return xt::xarray<double>(evaluate(derivative(loss, a), x = Xv, y = yv, a = P)); }, av);
    BOOST_TEST(all_near(H, by_differences, fd_tolerance));
    BOOST_TEST(symmetric(H, p, 1e-15));
}

BOOST_AUTO_TEST_CASE(hvp_is_the_derivative_of_the_gradient_along_v) {
    // H v = (g(a + h v) - g(a - h v)) / 2h, g the gradient (by its own finite differences too)
    constexpr auto loss = mean(tanh(dot(x, a)) * y) + 0.1 * sum(square(a) * sin(a));
    const xt::xarray<double> Hv = evaluate(hvp(loss, a, v), x = Xv, y = yv, a = av, v = vv);
    const xt::xtensor<double, 1> up = av + fd_step * vv, down = av - fd_step * vv;
    const auto g = [&](const xt::xtensor<double, 1>& P) {
        return gradient_by_differences([&](const auto& Q) { return double(evaluate(loss, x = Xv, y = yv, a = Q)); }, P,
                                       1e-4);
    };
    const xt::xarray<double> expected = (g(up) - g(down)) / (2 * fd_step);
    BOOST_TEST(all_near(Hv, expected, 1e-4));
    const xt::xarray<double> by_gradients =
        (xt::xarray<double>(evaluate(derivative(loss, a), x = Xv, y = yv, a = up)) -
         xt::xarray<double>(evaluate(derivative(loss, a), x = Xv, y = yv, a = down))) /
        (2 * fd_step);
    BOOST_TEST(all_near(Hv, by_gradients, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(jvp_is_the_directional_derivative) {
    // f(a) = tanh(x a) (a vector per row): J v against (f(a + h v) - f(a - h v)) / 2h
    constexpr auto f = tanh(dot(x, a)) * y;
    const xt::xarray<double> got = evaluate(jvp(f, a, v), x = Xv, y = yv, a = av, v = vv);
    const xt::xtensor<double, 1> up = av + fd_step * vv, down = av - fd_step * vv;
    const xt::xarray<double> expected = (xt::xarray<double>(evaluate(f, x = Xv, y = yv, a = up)) -
                                         xt::xarray<double>(evaluate(f, x = Xv, y = yv, a = down))) /
                                        (2 * fd_step);
    BOOST_TEST(all_near(got, expected, fd_tolerance));
    BOOST_TEST(to_string(jvp(dot(x, a), a, v)) == "dot(x, v)");
    // a direction that broadcasts: 1 moves every element together (x 1: the row sums)
    const xt::xarray<double> row_sums = evaluate(jvp(dot(x, a), a, 1_c), x = Xv, a = av);
    BOOST_TEST(all_near(row_sums, xt::xarray<double>{-0.1, 1.0, 0.4, -0.4, 1.7}, 1e-15));
    // one that does not
    BOOST_CHECK_THROW(evaluate(jvp(dot(x, a), a, v), x = Xv, a = av, v = xt::xtensor<double, 1>{1, 2, 3, 4}),
                      shape_error);
}

BOOST_AUTO_TEST_CASE(a_number_parameter_and_an_absent_one) {
    // (a - 2)^4 at a = 3: 12 (a - 2)^2 = 12
    const xt::xarray<double> h = hessian_at(pow(a - 2_c, 4_c), a, a = 3.0);
    BOOST_TEST(h.dimension() == 0u);
    BOOST_TEST(h() == 12.0);
    const xt::xarray<double> zero_h = hessian_at(mean(square(dot(x, W))), a, x = Xv, W = Wv, a = av);
    BOOST_TEST(all_near(zero_h, xt::xtensor<double, 2>(xt::zeros<double>({p, p})), 0));
}

BOOST_AUTO_TEST_CASE(jacobian_of_a_vector_valued_expression) {
    // f = tanh(x a) y, one value per row: J[r, j] = (1 - tanh(z_r)^2) y_r X[r, j]
    constexpr auto f = tanh(dot(x, a)) * y;
    const xt::xarray<double> J = jacobian_at(f, a, x = Xv, y = yv, a = av);
    BOOST_TEST(J.dimension() == 2u);
    xt::xtensor<double, 2> expected = xt::zeros<double>({n, p});
    for (std::size_t r = 0; r < n; ++r) {
        double z = 0;
        for (std::size_t k = 0; k < p; ++k) z += Xv(r, k) * av(k);
        for (std::size_t j = 0; j < p; ++j) expected(r, j) = (1 - std::tanh(z) * std::tanh(z)) * yv(r) * Xv(r, j);
    }
    BOOST_TEST(all_near(J, expected, 1e-14));
    BOOST_TEST(all_near(jacobian_at(f, a, rows(x, y), x = Xv, y = yv, a = av), expected, 1e-14));
    // with respect to a matrix: (n, k) + (d, k)
    const xt::xarray<double> JW = jacobian_at(softmax(dot(x, W), axis<1>), W, x = Xv, W = Wv);
    BOOST_TEST(JW.dimension() == 4u);
    const auto by_differences = jacobian_by_differences(
        [&](const auto& P) { return xt::xarray<double>(evaluate(softmax(dot(x, W), axis<1>), x = Xv, W = P)); }, Wv);
    BOOST_TEST(all_near(JW, by_differences, fd_tolerance));
}

BOOST_AUTO_TEST_CASE(mixed_blocks_of_two_parameters) {
    // loss = mean((x a + b - y)^2), b a number: d^2 loss / da db = 2/n sum_r X[r, i]
    constexpr auto b = symbol<"b">;
    constexpr auto loss = mean(square(dot(x, a) + b - y));
    const xt::xarray<double> B = hessian_at(loss, a, b, x = Xv, y = yv, a = av, b = 0.5);
    BOOST_TEST(B.dimension() == 1u);
    for (std::size_t i = 0; i < p; ++i) {
        double expected = 0;
        for (std::size_t r = 0; r < n; ++r) expected += 2.0 / n * Xv(r, i);
        BOOST_TEST(near(B(i), expected, 1e-14));
        BOOST_TEST(near(hessian_at(loss, a, b, rows(x, y), x = Xv, y = yv, a = av, b = 0.5)(i), expected, 1e-14));
    }
    // a network's two layers: d^2 loss / dW1 dw2 against differences of the gradient in W1
    constexpr auto W1 = symbol<"W1">;
    constexpr auto w2 = symbol<"w2">;
    constexpr auto net = mean(square(dot(tanh(dot(x, W1)), w2) - y));
    const xt::xtensor<double, 1> w2v{0.5, -1.0};
    const xt::xarray<double> M = hessian_at(net, W1, w2, x = Xv, y = yv, W1 = Wv, w2 = w2v);
    BOOST_TEST(M.dimension() == 3u);  // (3, 2) + (2)
    const auto by_differences = jacobian_by_differences(
        [&](const auto& P) {
            return xt::xarray<double>(evaluate(derivative(net, W1), x = Xv, y = yv, W1 = Wv, w2 = P));
        },
        w2v);
    BOOST_TEST(all_near(M, by_differences, fd_tolerance));
    // the two mixed blocks are transposes of each other
    const xt::xarray<double> Mt = hessian_at(net, w2, W1, x = Xv, y = yv, W1 = Wv, w2 = w2v);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t k = 0; k < 2; ++k)
            for (std::size_t j = 0; j < 2; ++j) BOOST_TEST(near(M(i, k, j), Mt(j, i, k), 1e-15));
}

BOOST_AUTO_TEST_CASE(bindings_of_temporaries) {
    // the parameter's array bound as a temporary (held by value in the binding)
    constexpr auto loss = mean(square(dot(x, a) - y));
    const xt::xarray<double> H = hessian_at(loss, a, x = Xv, y = yv, a = xt::xtensor<double, 1>{0.4, -0.3, 0.7});
    BOOST_TEST(H.shape()[1] == p);
    BOOST_TEST(near(H(0, 0), 2.0 / n * (0.09 + 1.21 + 0.49 + 0.25 + 0.04), 1e-14));
}

BOOST_AUTO_TEST_CASE(jacobians_keep_the_shape_of_f) {
    // d(x a + b)/db for a number b: ones of f's shape (5), not the broadcasting 1
    constexpr auto b = symbol<"b">;
    const xt::xarray<double> Jb = jacobian_at(dot(x, a) + b, b, x = Xv, a = av, b = 0.5);
    BOOST_TEST(all_near(Jb, xt::xarray<double>(xt::ones<double>({n})), 0));
    // d(a + x)/da, x (5, 3), a (3): J[r, i, j] = [i = j]
    const xt::xarray<double> Ja = jacobian_at(a + x, a, x = Xv, a = av);
    BOOST_TEST(Ja.dimension() == 3u);
    for (std::size_t r = 0; r < n; ++r)
        for (std::size_t i = 0; i < p; ++i)
            for (std::size_t j = 0; j < p; ++j) BOOST_TEST(Ja(r, i, j) == (i == j ? 1.0 : 0.0));
    // a parameter f does not contain: zeros of shape(f) + shape(a)
    const xt::xarray<double> J0 = jacobian_at(tanh(x), a, x = Xv, a = av);
    BOOST_TEST(J0.dimension() == 3u);
    BOOST_TEST(all_near(J0, xt::xarray<double>(xt::zeros<double>({n, p, p})), 0));
}

BOOST_AUTO_TEST_CASE(misuse_is_reported) {
    // the Hessian of an array-valued "loss" would be that of its sum: refused
    BOOST_CHECK_THROW(hessian_at(square(a), a, a = av), shape_error);
    // an empty parameter: a 0 x 0 Hessian
    const xt::xarray<double> H = hessian_at(sum(square(a)), a, a = xt::xtensor<double, 1>::from_shape({0}));
    BOOST_TEST(H.dimension() == 2u);
    BOOST_TEST(H.size() == 0u);
}
