#pragma once
// Shared by the tests/optim/test_driver_*.cpp files: symbols, the seed-001 data and loss, and a
// check of an exception's message.
#include <string>

#include <symdiff/symdiff.hpp>
#include <xtensor-blas/xlinalg.hpp>
#include <xtensor/xtensor.hpp>

namespace driver_test {

using namespace symdiff;

constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto a = symbol<"a">;
constexpr auto b = symbol<"b">;
const xt::xtensor<double, 1> X{1, 2, 3, 4}, Y{2, 4, 6, 8};
constexpr auto scale_loss = mean(square(w * x - y));

template <class E>
bool message_has(const E& e, const std::string& part) {
    return std::string(e.what()).find(part) != std::string::npos;
}

}  // namespace driver_test
