// Shapes at evaluation: NumPy broadcasting where it applies, and symdiff::shape_error (a
// std::invalid_argument) otherwise, whose message names the operation and both shapes. Values and
// gradients alike.
#define BOOST_TEST_MODULE eval_shapes
#include <boost/test/unit_test.hpp>

#include <stdexcept>
#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto a = symbol<"a">;
constexpr auto z = symbol<"z">;

const xt::xtensor<double, 1> v3{1.0, 2.0, 3.0};
const xt::xtensor<double, 1> v4{1.0, 2.0, 3.0, 4.0};
const xt::xtensor<double, 2> m42 = xt::ones<double>({4, 2});
const xt::xtensor<double, 2> m23{{1.0, 2.0, 3.0}, {4.0, 5.0, 6.0}};

/// The message of the shape_error that `f` throws, or a note that it threw none.
template <class F>
std::string shape_error_message(F&& f) {
    try {
        f();
    } catch (const shape_error& e) {
        return e.what();
    }
    return "<no shape_error thrown>";
}

bool mentions(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }
}  // namespace

BOOST_AUTO_TEST_CASE(shape_error_is_an_invalid_argument) {
    static_assert(std::is_base_of_v<std::invalid_argument, shape_error>);
    BOOST_CHECK_THROW(evaluate(x + y, x = v3, y = v4), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(elementwise_operands_that_do_not_broadcast) {
    const std::string m = shape_error_message([] { evaluate(x + y, x = v3, y = v4); });
    BOOST_TEST_CONTEXT("message: " << m) {
        BOOST_TEST(mentions(m, "x + y"));
        BOOST_TEST(mentions(m, "(3)"));
        BOOST_TEST(mentions(m, "(4)"));
    }
}

BOOST_AUTO_TEST_CASE(error_inside_a_larger_expression_names_the_failing_node) {
    // (2, 3) against (2): the trailing dimensions 3 and 2 differ
    const std::string m = shape_error_message([] {
        evaluate(sum(exp(x) * sin(y)), x = m23, y = xt::xtensor<double, 1>{1, 2});
    });
    BOOST_TEST_CONTEXT("message: " << m) {
        BOOST_TEST(mentions(m, "exp(x) * sin(y)"));
        BOOST_TEST(mentions(m, "(2, 3)"));
        BOOST_TEST(mentions(m, "(2)"));
    }
}

// The message spells the failing node with each operation's name, also the operations that
// derivatives introduce and that to_string shows in another form (element_count as n).
BOOST_AUTO_TEST_CASE(messages_spell_every_operation) {
    const auto message_of = [](auto e) {
        return shape_error_message([&] { evaluate(e + y, x = v3, y = v4, z = 2.0); });
    };
    BOOST_TEST(message_of(x / element_count(x)) == "x / element_count(x) + y: cannot broadcast shapes (3) and (4)");
    BOOST_TEST(message_of(axis_length<0>(x) * x) ==
               "axis_length(x, axis=0) * x + y: cannot broadcast shapes (3) and (4)");
    BOOST_TEST(message_of(broadcast_to(z, x)) == "broadcast_to(z, x) + y: cannot broadcast shapes (3) and (4)");
    BOOST_TEST(message_of(less(x, z) - less_equal(z, x)) ==
               "less(x, z) - less_equal(z, x) + y: cannot broadcast shapes (3) and (4)");
    BOOST_TEST(message_of(sqrt(x) + pow(x, z) + square(x)) ==
               "sqrt(x) + x^z + x^2 + y: cannot broadcast shapes (3) and (4)");
    BOOST_TEST(shape_error_message([] { evaluate(argmax_mask(x, axis<1>) + y, x = m23, y = v4); }) ==
               "argmax_mask(x, axis=1) + y: cannot broadcast shapes (2, 3) and (4)");
    BOOST_TEST(shape_error_message([] { evaluate(sum(x, axis<0>) + softmax(y, axis<0>), x = m23, y = v4); }) ==
               "sum(x, axis=0) + softmax(y, axis=0): cannot broadcast shapes (1, 3) and (4)");
}

BOOST_AUTO_TEST_CASE(matrix_vector_product_with_different_inner_dimensions) {
    const std::string m = shape_error_message([] { evaluate(dot(x, a), x = m42, a = v3); });
    BOOST_TEST_CONTEXT("message: " << m) {
        BOOST_TEST(mentions(m, "dot(x, a)"));
        BOOST_TEST(mentions(m, "(4, 2)"));
        BOOST_TEST(mentions(m, "(3)"));
    }
}

BOOST_AUTO_TEST_CASE(products_take_vectors_and_matrices_only) {
    const xt::xtensor<double, 3> t = xt::ones<double>({2, 2, 2});
    const std::string m = shape_error_message([&] { evaluate(dot(x, a), x = t, a = xt::xtensor<double, 1>{1, 1}); });
    BOOST_TEST_CONTEXT("message: " << m) { BOOST_TEST(mentions(m, "(2, 2, 2)")); }
}

BOOST_AUTO_TEST_CASE(gradient_with_incompatible_shapes) {
    // The gradient of sum(x y) with respect to x would be y, of the wrong length: refused.
    const std::string m = shape_error_message([] { evaluate(derivative(sum(x * y), x), x = v3, y = v4); });
    BOOST_TEST_CONTEXT("message: " << m) {
        BOOST_TEST(mentions(m, "(3)"));
        BOOST_TEST(mentions(m, "(4)"));
    }
}

BOOST_AUTO_TEST_CASE(gradient_through_a_product_with_different_inner_dimensions) {
    // dot(x, a) with x (4, 2) and a (3) has no value, so neither has the gradient of sum(dot(x, a)):
    // it must not come back as an array of some other shape.
    const std::string m = shape_error_message([] { evaluate(derivative(sum(dot(x, a)), a), x = m42, a = v3); });
    BOOST_TEST_CONTEXT("message: " << m) {
        BOOST_TEST(mentions(m, "(4, 2)"));
        BOOST_TEST(mentions(m, "(3)"));
    }
}

BOOST_AUTO_TEST_CASE(transposed_operand_with_wrong_inner_dimension) {
    // transpose(x) is (2, 4); a (3) does not fit
    const std::string m = shape_error_message([] { evaluate(dot(transpose(x), a), x = m42, a = v3); });
    BOOST_TEST_CONTEXT("message: " << m) {
        BOOST_TEST(mentions(m, "(2, 4)"));
        BOOST_TEST(mentions(m, "(3)"));
    }
}

BOOST_AUTO_TEST_CASE(compatible_shapes_broadcast) {
    BOOST_TEST(evaluate(x + y, x = m23, y = v3).shape(0) == 2u);  // (2, 3) + (3)
    const xt::xtensor<double, 2> column{{10.0}, {20.0}};
    const auto s = evaluate(x + y, x = column, y = v3);  // (2, 1) + (3) -> (2, 3)
    BOOST_TEST(s.shape(0) == 2u);
    BOOST_TEST(s.shape(1) == 3u);
    BOOST_TEST(s(1, 2) == 23.0);
    BOOST_TEST(evaluate(sum(x * y), x = 2.0, y = v4) == 20.0);  // () and (4)
    // a gradient has its symbol's shape, even when the symbol was broadcast
    const auto g = evaluate(derivative(sum(x * y), y), x = m23, y = v3);
    BOOST_TEST(g.dimension() == 1u);
    BOOST_TEST(g.shape(0) == 3u);
    BOOST_TEST(evaluate(derivative(sum(x * y), x), x = 2.0, y = v4) == 10.0);
}
