// The driver with vector parameters: the user's arrays are untouched, a run is saved to and
// loaded from .npy files.
#define BOOST_TEST_MODULE driver_vector_parameters
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <filesystem>
#include <sstream>

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
    std::filesystem::remove_all(dir);
}
