// The driver with vector parameters: the user's arrays are untouched, a run is saved to and
// loaded from .npy files.
#define BOOST_TEST_MODULE driver_vector_parameters
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

#include <xtensor/xview.hpp>

#include "optim/driver_support.hpp"

using namespace symdiff;
using namespace driver_test;
namespace tt = boost::test_tools;

BOOST_AUTO_TEST_CASE(vector_parameter_and_data_untouched) {
    const xt::xtensor<double, 2> M{{1, 1}, {2, 1}, {3, 1}, {4, 1}};
    const xt::xtensor<double, 1> A0{0.0, 0.0};
    const auto fit = gradient_descent(mean(square(dot(x, a) - y)), params(a = A0), data(x = M, y = Y),
                                      {.learning_rate = 0.05, .steps = 2000});
    BOOST_TEST(fit[a](0) == 2.0, tt::tolerance(1e-6));
    BOOST_TEST(std::abs(fit[a](1)) < 1e-6);
    BOOST_TEST(A0(0) == 0.0);  // the initial values were copied, not updated
}

BOOST_AUTO_TEST_CASE(initial_values_written_as_xtensor_expressions) {
    // params(a = xt::zeros<double>({2})) and a view of a matrix, as PyTorch's torch.zeros(2) and
    // A[0]: evaluated once into an array; the run equals the one from xtensor<double, 1>{0, 0}
    const xt::xtensor<double, 2> M{{1, 1}, {2, 1}, {3, 1}, {4, 1}};
    const descent_options o{.learning_rate = 0.05, .steps = 50};
    const auto from_array = gradient_descent(mean(square(dot(x, a) - y)), params(a = xt::xtensor<double, 1>{0.0, 0.0}),
                                             data(x = M, y = Y), o);
    const auto from_zeros =
        gradient_descent(mean(square(dot(x, a) - y)), params(a = xt::zeros<double>({2})), data(x = M, y = Y), o);
    const xt::xtensor<double, 2> start{{0.0, 0.0}, {5.0, 5.0}};
    const auto from_view =
        gradient_descent(mean(square(dot(x, a) - y)), params(a = xt::view(start, 0, xt::all())), data(x = M, y = Y), o);
    BOOST_TEST(from_zeros[a] == from_array[a]);
    BOOST_TEST(from_view[a] == from_array[a]);
    BOOST_TEST(start(0, 0) == 0.0);  // the viewed matrix is not updated
    BOOST_TEST(std::abs(from_array[a](0) - 2.0) < 0.2);
}

BOOST_AUTO_TEST_CASE(save_and_load_npy) {
    const auto dir = (std::filesystem::temp_directory_path() / "symdiff_test_save").string();
    const xt::xtensor<double, 2> M{{1, 1}, {2, 1}, {3, 1}, {4, 1}};
    const auto fit =
        gradient_descent(mean(square(dot(x, a) + b - y)), params(a = xt::xtensor<double, 1>{0.0, 0.0}, b = 0.5),
                         data(x = M, y = Y), {.learning_rate = 0.01, .steps = 5});
    save_npy(fit, dir);
    auto p = params(a = xt::xtensor<double, 1>{9.0, 9.0}, b = 9.0);
    load_npy(p, dir);
    BOOST_TEST(p[a](0) == fit[a](0));
    BOOST_TEST(p[a](1) == fit[a](1));
    BOOST_TEST(p[b] == fit[b]);
    BOOST_TEST(load_npy_vector<double>(dir + "/loss.npy").size() == 5u);
    // all or nothing: a file of the wrong shape (c, saved as (2), read into (3)) throws before any
    // parameter changes, also those read before it (a)
    constexpr auto c = symbol<"c">;
    save_npy(dir + "/c.npy", xt::xtensor<double, 1>{1.0, 2.0});
    auto q = params(a = xt::xtensor<double, 1>{7.0, 7.0}, c = xt::xtensor<double, 1>{7.0, 7.0, 7.0});
    BOOST_CHECK_THROW(load_npy(q, dir), io_error);
    BOOST_TEST(q[a] == (xt::xtensor<double, 1>{7.0, 7.0}));
    BOOST_TEST(q[c] == (xt::xtensor<double, 1>{7.0, 7.0, 7.0}));
    std::filesystem::remove_all(dir);
}
