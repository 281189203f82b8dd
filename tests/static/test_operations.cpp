// Every operation satisfies the Operation concept (core/operation.hpp), of its own kind, and
// things that are not operations do not: the engines rely on the concept, never on a name.
// Compiling this file is the test (static_assert); the runtime case keeps Boost.Test happy.
#define BOOST_TEST_MODULE static_operations
#include <boost/test/unit_test.hpp>

#include <string_view>

#include <symdiff/symdiff.hpp>

using namespace symdiff;
using detail::product_kind;
using symdiff::axis_reduction;
using symdiff::softmax_kind;

namespace {
template <class... Op>
constexpr bool all_elementwise = ((ElementwiseOperation<Op> && !StructuralOperation<Op> && Operation<Op>)&&...);
template <class... Op>
constexpr bool all_structural = ((StructuralOperation<Op> && !ElementwiseOperation<Op> && Operation<Op>)&&...);

// Not operations: a symbol, a number, an empty tag, and tags missing one hook each.
struct empty_tag {};
struct no_partial : elementwise_op {  // an elementwise tag without its derivative
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "f", latex = "f";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr double apply(double a) { return a; }
};
struct no_apply : elementwise_op {  // an elementwise tag without its value
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "g", latex = "g";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return constant<1>{};
    }
};
struct no_compute : structural_op {  // a structural tag without a way to compute its value
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "h", latex = "h";
    static constexpr auto notation = style::function;
    static constexpr int precedence = precedence::atom;
    template <std::size_t I, class N, class G>
    static constexpr auto pullback(const N&, const G& g) {
        return g;
    }
    template <class N, class D>
    static constexpr auto tangent(const N&, const D& d) {
        return d;
    }
    template <class N>
    static shape_type shape(const N&, const shape_type& s) {
        return s;
    }
    static constexpr bool number_result(bool a) { return a; }
};
// Written as a function in both formats, so to_latex needs its `latex` spelling: without it, not
// an operation. Drawn as a root in LaTeX, the same tag needs none.
template <bool Root>
struct unspelled : elementwise_op {
    static constexpr std::size_t arity = 1;
    static constexpr std::string_view name = "u";
    static constexpr auto notation = style::function;
    static constexpr auto latex_notation = Root ? style::radical : style::function;
    static constexpr int precedence = precedence::atom;
    static constexpr double apply(double a) { return a; }
    template <std::size_t I, class N>
    static constexpr auto partial(const N&) {
        return constant<1>{};
    }
};
}  // namespace

static_assert(
    all_elementwise<abs_op, add_op, cos_op, divide_op, exp_op, less_equal_op, less_op, log_op, max_op, min_op,
                    multiply_op, negate_op, pow_op, relu_op, scaled_power_op, sigmoid_op, sign_op, sin_op, softplus_op,
                    sqrt_op, square_op, step_op, stop_gradient_op, subtract_op, tan_op, tanh_op, where_op, xlogy_op>,
    "every elementwise operation satisfies ElementwiseOperation");

static_assert(
    all_structural<sum_op, mean_op, transpose_op, element_count_op, broadcast_to_op, softmax_cross_entropy_op,
                   reduce_to_op<true>, reduce_to_op<false>, detail::product_op<product_kind::nn>,
                   detail::product_op<product_kind::tn>, detail::product_op<product_kind::nt>, axis_length_op<0>,
                   axis_length_op<-1>, one_hot_op<10>, axis_reduce_op<axis_reduction::sum, 0>,
                   axis_reduce_op<axis_reduction::mean, -1>, axis_reduce_op<axis_reduction::max, 1>, argmax_mask_op<-1>,
                   axis_reduce_op<axis_reduction::min, 0>, argmin_mask_op<1>, extremum_op<axis_reduction::max>,
                   extremum_op<axis_reduction::min>, first_extremum_mask_op<axis_reduction::min>,
                   softmax_family_op<softmax_kind::softmax, -1>, softmax_family_op<softmax_kind::log_softmax, 1>,
                   softmax_family_op<softmax_kind::log_sum_exp, 0>, einsum_op<"ij,jk->ik">, einsum_op<"ii->">,
                   einsum_op<"i,ij,j->">, einsum_op<"j,*ij->ij">, fill_triangular_op, fill_triangular_inverse_op,
                   take_op<0>, take_op<-1>, scatter_add_op<1>, reshape_op<3, -1>, reshape_as_op, expand_dims_op<0>,
                   concatenate_op<0, 2>, concatenate_op<-1, 3>, concat_part_op<0, 1, 2>, concat_embed_op<1, 2, 3>,
                   for_a_number_op<1>, for_a_number_op<2>>,
    "every structural operation satisfies StructuralOperation");

static_assert(!Operation<empty_tag>, "an empty struct is not an operation");
static_assert(!Operation<int>, "a number type is not an operation");
static_assert(!Operation<symbol_t<"x">>, "a symbol is not an operation");
static_assert(!Operation<no_partial>, "an elementwise tag without partial<I> is not an operation");
static_assert(!Operation<no_apply>, "an elementwise tag without apply is not an operation");
static_assert(!Operation<no_compute>, "a structural tag without compute or sink_scale is not an operation");
static_assert(!Operation<unspelled<false>>, "an operation that to_latex writes by name needs its latex spelling");
static_assert(Operation<unspelled<true>>, "an operation drawn without a spelling in LaTeX needs none");

BOOST_AUTO_TEST_CASE(the_concept_is_checked_at_compile_time) {
    BOOST_TEST(Operation<exp_op>);
    BOOST_TEST(!Operation<empty_tag>);
}
