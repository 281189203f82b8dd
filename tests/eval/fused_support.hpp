#pragma once
// Shared by tests/eval/test_fused_*.cpp: symbols, data, and the comparison of a fused program's
// values with the general path's.
#include <type_traits>

#include <boost/test/unit_test.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

namespace fused_test {

using namespace symdiff;
namespace hana = boost::hana;

constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;

const xt::xtensor<double, 1> X{0.5, -1.0, 2.0, 3.5, -0.25, 1.5, 0.75};
const xt::xtensor<double, 1> Y{1.0, -2.5, 3.0, 6.0, 0.5, 2.0, 1.0};
const xt::xtensor<double, 2> M{{0.5, 1.0}, {-1.0, 1.0}, {2.0, 1.0}, {3.5, 1.0}, {-0.25, 1.0}, {1.5, 1.0}, {0.75, 1.0}};

template <class Prog>
void same_values(const Prog& fused, const Prog& general) {
    hana::for_each(hana::zip(fused, general), [](const auto& pair) {
        const auto& f = hana::at_c<0>(pair);
        const auto& g = hana::at_c<1>(pair);
        if constexpr (std::is_arithmetic_v<std::remove_cvref_t<decltype(f)>>) {
            BOOST_TEST(f == g, boost::test_tools::tolerance(1e-12));
        } else {
            BOOST_REQUIRE_EQUAL(f.size(), g.size());
            for (std::size_t i = 0; i < f.size(); ++i) BOOST_TEST(f(i) == g(i), boost::test_tools::tolerance(1e-12));
        }
    });
}

}  // namespace fused_test
