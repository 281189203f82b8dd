// Tensor operations for classifiers: reductions along an axis (keepdims), log_sum_exp,
// log_softmax, softmax, one_hot, cross_entropy and the named losses. Values against direct
// loops, gradients against central differences, the printed form of the softmax-regression
// gradient, its single matrix product, bias broadcasting and float evaluation.
#define BOOST_TEST_MODULE tensor_softmax_regression_ops
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdint>

#include <symdiff/symdiff.hpp>
#include <xtensor/xrandom.hpp>
#include <xtensor/xtensor.hpp>

#include "support/finite_difference.hpp"

using namespace symdiff;
using namespace symdiff_test;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto W = symbol<"W">;
constexpr auto b = symbol<"b">;
constexpr auto y = symbol<"y">;

xt::xtensor<double, 2> random_matrix(std::size_t r, std::size_t c, int seed) {
    xt::random::seed(static_cast<xt::random::default_engine_type::result_type>(seed));
    return xt::random::randn<double>({r, c});
}

// The gradient of `loss` with respect to W at Wv, by central differences.
template <class L, class... Bs>
xt::xarray<double> numeric_gradient(const L& loss, const xt::xtensor<double, 2>& Wv, const Bs&... bs) {
    return gradient_by_differences([&](const auto& w) { return evaluate(loss, W = w, bs...); }, Wv);
}

// How many matrix products evaluating an expression computes, counting repeated subtrees each
// time and skipping operands read only for their shape.
template <class E>
struct products : std::integral_constant<int, 0> {};
template <class Op, class... A>
struct products<node<Op, A...>> {
    template <std::size_t... I>
    static constexpr int count(std::index_sequence<I...>) {
        return (0 + ... + (detail::is_value_arg<Op>(I) ? products<A>::value : 0));
    }
    static constexpr int value = (std::is_same_v<Op, detail::product_op<detail::product_kind::nn>> ||
                                  std::is_same_v<Op, detail::product_op<detail::product_kind::tn>> ||
                                  std::is_same_v<Op, detail::product_op<detail::product_kind::nt>>) +
                                 count(std::index_sequence_for<A...>{});
};
}  // namespace

BOOST_AUTO_TEST_CASE(axis_reductions_keep_the_axis) {
    const xt::xtensor<double, 2> X{{1, 5, 3}, {4, 6, 6}};
    const auto s1 = evaluate(sum(x, axis<1>), x = X);
    BOOST_TEST((s1.shape() == std::vector<std::size_t>{2, 1}));
    BOOST_TEST(all_near(s1, xt::xtensor<double, 2>{{9.0}, {16.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(sum(x, axis<0>), x = X), xt::xtensor<double, 2>{{5.0, 11.0, 9.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(mean(x, axis<-1>), x = X), xt::xtensor<double, 2>{{3.0}, {16.0 / 3}}, 1e-15));
    BOOST_TEST(all_near(evaluate(max(x, axis<1>), x = X), xt::xtensor<double, 2>{{5.0}, {6.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(max(x, axis<0>), x = X), xt::xtensor<double, 2>{{4.0, 6.0, 6.0}}, 1e-15));
    // ties: the first maximum
    BOOST_TEST(all_near(evaluate(argmax_mask(x, axis<1>), x = X), xt::xarray<double>{{0, 1, 0}, {0, 1, 0}}, 0));
    BOOST_TEST(to_string(sum(x, axis<1>)) == "sum(x, 1)");
    BOOST_TEST(to_string(max(x, axis<-1>)) == "max(x, -1)");
    // a 3-d operand, middle axis
    xt::xtensor<double, 3> T3 = xt::reshape_view(xt::arange<double>(24), {2, 3, 4});
    xt::xarray<double> expected = xt::sum(T3, {1}, xt::keep_dims);
    BOOST_TEST(all_near(evaluate(sum(x, axis<1>), x = T3), expected, 1e-15));
    BOOST_CHECK_THROW(evaluate(sum(x, axis<2>), x = X), shape_error);
}

BOOST_AUTO_TEST_CASE(axis_reduction_gradients) {
    const auto X = random_matrix(4, 3, 1);
    const auto Wv = random_matrix(4, 3, 2);
    const auto loss = sum(square(max(x * W, axis<1>))) + sum(sin(mean(x * W, axis<0>))) +
                      sum(cos(sum(x * W, axis<-1>))) + mean(exp(max(W, axis<0>)));
    const auto g = evaluate(derivative(loss, W), x = X, W = Wv);
    BOOST_TEST(all_near(g, numeric_gradient(loss, Wv, x = X), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(max_gradient_goes_to_the_first_maximum) {
    const xt::xtensor<double, 2> Wv{{2, 7, 7}, {1, 1, 0}};
    const auto g = evaluate(derivative(sum(max(W, axis<1>)), W), W = Wv);
    BOOST_TEST(all_near(g, xt::xarray<double>{{0, 1, 0}, {1, 0, 0}}, 0));
}

BOOST_AUTO_TEST_CASE(axis_reductions_forward_mode) {
    const auto X = random_matrix(2, 3, 3);
    // d/dt sum(x + t, axis 1) = 3 for every row (forward mode: x moves as a whole)
    BOOST_TEST(all_near(evaluate(derivative(sum(x, axis<1>), x), x = X), xt::xtensor<double, 2>{{3.0}, {3.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(derivative(mean(x, axis<0>), x), x = X), xt::xtensor<double, 2>{{1.0, 1.0, 1.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(derivative(max(x, axis<0>), x), x = X), xt::xtensor<double, 2>{{1.0, 1.0, 1.0}}, 1e-15));
    BOOST_TEST(all_near(evaluate(derivative(log_sum_exp(x), x), x = X), xt::xtensor<double, 2>{{1.0}, {1.0}}, 1e-14));
    // log_softmax(x + t) = log_softmax(x): 0, as a (2, 1) column that broadcasts over x
    BOOST_TEST(all_near(evaluate(derivative(log_softmax(x), x), x = X), xt::zeros<double>({2, 1}), 1e-14));
}

BOOST_AUTO_TEST_CASE(softmax_family_values_and_stability) {
    const xt::xtensor<double, 2> Z{{1, 2, 3}, {1000, 1001, 1002}, {-1000, -1000, -1000}};
    const auto lse = evaluate(log_sum_exp(x), x = Z);
    const double l0 = std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0));
    BOOST_TEST(all_near(lse, xt::xtensor<double, 2>{{l0}, {l0 + 999}, {-1000 + std::log(3.0)}}, 1e-14));
    const auto ls = evaluate(log_softmax(x), x = Z);
    const auto sm = evaluate(softmax(x), x = Z);
    for (std::size_t i = 0; i < 3; ++i)
        for (std::size_t j = 0; j < 3; ++j) {
            BOOST_TEST(std::isfinite(ls(i, j)));
            BOOST_TEST(near(sm(i, j), std::exp(ls(i, j)), 1e-13));
        }
    BOOST_TEST(near(sm(0, 2), std::exp(3.0 - l0), 1e-15));
    BOOST_TEST(near(sm(2, 1), 1.0 / 3, 1e-15));
    // along axis 0: columns sum to one
    const auto s0 = evaluate(sum(softmax(x, axis<0>), axis<0>), x = Z);
    BOOST_TEST(all_near(s0, xt::ones<double>({1, 3}), 1e-14));
}

BOOST_AUTO_TEST_CASE(softmax_family_gradients) {
    const auto X = random_matrix(5, 4, 4);
    const auto Wv = random_matrix(4, 3, 5);
    const auto z = dot(x, W);
    const auto loss = sum(sin(softmax(z)) * z) + sum(cos(log_softmax(z, axis<0>))) + mean(square(log_sum_exp(z))) +
                      sum(exp(log_sum_exp(z, axis<0>)));
    const auto g = evaluate(derivative(loss, W), x = X, W = Wv);
    BOOST_TEST(all_near(g, numeric_gradient(loss, Wv, x = X), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(one_hot_encoding) {
    const xt::xtensor<std::int32_t, 1> Y{2, 0, 1};
    const xt::xarray<double> expected{{0, 0, 1}, {1, 0, 0}, {0, 1, 0}};
    BOOST_TEST(all_near(evaluate(one_hot<3>(y), y = Y), expected, 0));
    BOOST_TEST(all_near(evaluate(one_hot(y, 3), y = Y), expected, 0));
    BOOST_TEST(evaluate(one_hot(y, 5), y = Y).shape()[1] == 5u);
    BOOST_TEST(to_string(one_hot<3>(y)) == "one_hot(y, 3)");
    BOOST_CHECK_THROW(evaluate(one_hot<2>(y), y = Y), shape_error);
    // a function of labels only: no derivative with respect to anything else
    BOOST_TEST((std::is_same_v<decltype(derivative(sum(one_hot<3>(y) * W), y)), zero_t> ||
                evaluate(derivative(sum(one_hot<3>(y) * W), y), y = Y, W = random_matrix(3, 3, 6)) == 0));
}

BOOST_AUTO_TEST_CASE(softmax_cross_entropy_gradient_is_the_textbook_one) {
    const auto X = random_matrix(6, 4, 7);
    const auto Wv = random_matrix(4, 3, 8);
    const xt::xtensor<double, 1> bv{0.1, -0.2, 0.3};
    const xt::xtensor<std::int32_t, 1> Y{0, 2, 1, 1, 0, 2};
    const auto z = dot(x, W) + b;
    const auto loss = mean(cross_entropy(log_softmax(z), y));
    const auto dW = derivative(loss, W);
    const auto db = derivative(loss, b);

    BOOST_TEST(to_string(loss) == "mean(cross_entropy(log_softmax(dot(x, W) + b), y))");
    BOOST_TEST(to_string(dW) == "dot(transpose(x), (softmax(dot(x, W) + b) - one_hot(y)) / n)");
    static_assert(products<std::remove_cvref_t<decltype(dW)>>::value == 2);  // the forward X W (inside softmax) and X^T G
    static_assert(products<std::remove_cvref_t<decltype(dW)>>::value - products<std::remove_cvref_t<decltype(z)>>::value == 1);
    {
        // One evaluate call of (loss, dW, db), as the driver makes: the scores z and the residual
        // G = (softmax(z) - one_hot(y)) / n are each computed once and shared.
        namespace hana = boost::hana;
        using Z = std::remove_cvref_t<decltype(z)>;
        using G = std::remove_cvref_t<decltype(dW.template arg<1>().template arg<0>())>;
        using roots = hana::tuple<hana::type<std::remove_cvref_t<decltype(loss)>>, hana::type<std::remove_cvref_t<decltype(dW)>>,
                                  hana::type<std::remove_cvref_t<decltype(db)>>>;
        constexpr auto shared = detail::shared_nodes(roots{});
        static_assert(decltype(hana::contains(shared, hana::type_c<Z>))::value);
        static_assert(decltype(hana::contains(shared, hana::type_c<G>))::value);
        BOOST_TEST(to_string(G{}) == "(softmax(dot(x, W) + b) - one_hot(y)) / n");
    }

    // value: the fused form equals the generic one and the direct formula
    const double fused = evaluate(loss, x = X, W = Wv, b = bv, y = Y);
    const double generic = evaluate(mean(cross_entropy(z - log_sum_exp(z), y)), x = X, W = Wv, b = bv, y = Y);
    BOOST_TEST(near(fused, generic, 1e-14));
    const xt::xarray<double> Zv = xt::linalg::dot(X, Wv) + bv;
    double direct = 0;
    for (std::size_t i = 0; i < 6; ++i) {
        double s = 0;
        for (std::size_t j = 0; j < 3; ++j) s += std::exp(Zv(i, j));
        direct += std::log(s) - Zv(i, static_cast<std::size_t>(Y(i)));
    }
    BOOST_TEST(near(fused, direct / 6, 1e-14));

    const auto gW = evaluate(dW, x = X, W = Wv, b = bv, y = Y);
    BOOST_TEST(all_near(gW, numeric_gradient(loss, Wv, x = X, b = bv, y = Y), fd_tolerance));
    // the hand-written gradient
    const xt::xarray<double> G = (evaluate(softmax(z), x = X, W = Wv, b = bv, y = Y) - evaluate(one_hot<3>(y), y = Y)) / 6.0;
    BOOST_TEST(all_near(gW, xt::linalg::dot(xt::transpose(X), G), 1e-14));
    // bias broadcast over the rows: its gradient is the column sum
    const auto gb = evaluate(db, x = X, W = Wv, b = bv, y = Y);
    BOOST_TEST((gb.shape() == std::vector<std::size_t>{3}));
    BOOST_TEST(all_near(gb, xt::sum(G, {0}), 1e-14));
    // the generic cross-entropy (no fusion) has the same gradient
    const auto generic_loss = mean(cross_entropy(log_softmax(z) * 1.0, y));
    BOOST_TEST(all_near(evaluate(derivative(generic_loss, W), x = X, W = Wv, b = bv, y = Y), gW, 1e-13));
    // a weighted sum of the per-row losses
    const auto weighted = sum(cross_entropy(log_softmax(z), y) * sum(x, axis<1>));
    BOOST_TEST(all_near(evaluate(derivative(weighted, W), x = X, W = Wv, b = bv, y = Y),
                        numeric_gradient(weighted, Wv, x = X, b = bv, y = Y), fd_tolerance));
}

BOOST_AUTO_TEST_CASE(cross_entropy_label_errors) {
    const auto X = random_matrix(2, 3, 9);
    BOOST_CHECK_THROW(evaluate(mean(cross_entropy(log_softmax(x), y)), x = X, y = xt::xtensor<std::int32_t, 1>{0, 3}),
                      shape_error);
    BOOST_CHECK_THROW(evaluate(mean(cross_entropy(log_softmax(x), y)), x = X, y = xt::xtensor<std::int32_t, 1>{0, 1, 2}),
                      shape_error);
}

BOOST_AUTO_TEST_CASE(models_evaluate_in_float) {
    const xt::xtensor<float, 2> X = xt::cast<float>(random_matrix(6, 4, 10));
    const xt::xtensor<float, 2> Wv = xt::cast<float>(random_matrix(4, 3, 11));
    const xt::xtensor<float, 1> bv{0.1f, -0.2f, 0.3f};
    const xt::xtensor<std::int32_t, 1> Y{0, 2, 1, 1, 0, 2};
    const auto loss = softmax_cross_entropy(dot(x, W) + b, y);
    const auto values = evaluate(boost::hana::make_tuple(loss, derivative(loss, W), derivative(loss, b)), x = X, W = Wv,
                                 b = bv, y = Y);
    static_assert(std::is_same_v<std::remove_cvref_t<decltype(boost::hana::at_c<0>(values))>, float>);
    static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(boost::hana::at_c<1>(values))>::value_type, float>);
    static_assert(std::is_same_v<typename std::remove_cvref_t<decltype(boost::hana::at_c<2>(values))>::value_type, float>);
    const xt::xtensor<double, 2> Xd = X, Wd = Wv;
    const xt::xtensor<double, 1> bd = bv;
    const double ld = evaluate(loss, x = Xd, W = Wd, b = bd, y = Y);
    BOOST_TEST(near(boost::hana::at_c<0>(values), ld, 1e-6));
    BOOST_TEST(all_near(boost::hana::at_c<1>(values), evaluate(derivative(loss, W), x = Xd, W = Wd, b = bd, y = Y), 1e-6));
}

BOOST_AUTO_TEST_CASE(named_losses) {
    const xt::xtensor<double, 1> P{0.2, 0.7, 0.9}, T{0.0, 1.0, 1.0};
    const auto p = symbol<"p">;
    const auto t = symbol<"t">;
    BOOST_TEST(near(evaluate(mse(p, t), p = P, t = T), (0.04 + 0.09 + 0.01) / 3, 1e-15));
    BOOST_TEST(near(evaluate(mae(p, t), p = P, t = T), (0.2 + 0.3 + 0.1) / 3, 1e-15));
    BOOST_TEST(near(evaluate(rmse(p, t), p = P, t = T), std::sqrt((0.04 + 0.09 + 0.01) / 3), 1e-15));
    const double bce = -(std::log(0.8) + std::log(0.7) + std::log(0.9)) / 3;
    BOOST_TEST(near(evaluate(binary_cross_entropy(p, t), p = P, t = T), bce, 1e-15));
    const xt::xtensor<double, 1> Zl = xt::log(P / (1.0 - P));
    BOOST_TEST(near(evaluate(binary_cross_entropy_with_logits(p, t), p = Zl, t = T), bce, 1e-14));

    // gradients through a linear model, against finite differences
    const auto X = random_matrix(5, 3, 12);
    const auto Wv = random_matrix(3, 2, 13);
    const auto Tm = random_matrix(5, 2, 14);
    const xt::xtensor<double, 2> T01 = xt::cast<double>(Tm > 0.0);
    const xt::xtensor<std::int32_t, 1> Y{1, 0, 1, 1, 0};
    const auto pred = dot(x, W);
    BOOST_TEST(all_near(evaluate(derivative(mse(pred, t), W), x = X, W = Wv, t = Tm),
                        numeric_gradient(mse(pred, t), Wv, x = X, t = Tm), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(mae(pred, t), W), x = X, W = Wv, t = Tm),
                        numeric_gradient(mae(pred, t), Wv, x = X, t = Tm), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(rmse(pred, t), W), x = X, W = Wv, t = Tm),
                        numeric_gradient(rmse(pred, t), Wv, x = X, t = Tm), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(binary_cross_entropy(sigmoid(pred), t), W), x = X, W = Wv, t = T01),
                        numeric_gradient(binary_cross_entropy(sigmoid(pred), t), Wv, x = X, t = T01), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(binary_cross_entropy_with_logits(pred, t), W), x = X, W = Wv, t = T01),
                        numeric_gradient(binary_cross_entropy_with_logits(pred, t), Wv, x = X, t = T01), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(softmax_cross_entropy(pred, y), W), x = X, W = Wv, y = Y),
                        numeric_gradient(softmax_cross_entropy(pred, y), Wv, x = X, y = Y), fd_tolerance));
    BOOST_TEST(all_near(evaluate(derivative(nll_loss(log_softmax(pred) * 1.0, y), W), x = X, W = Wv, y = Y),
                        numeric_gradient(softmax_cross_entropy(pred, y), Wv, x = X, y = Y), fd_tolerance));
}
