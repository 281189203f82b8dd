// The scan that finds the first non-finite number in data, gradients and parameters (the trainer
// runs it on every gradient and every updated parameter at every step, so it works on SIMD
// batches): against a plain loop, for every position in arrays that end inside the first block,
// on a block's edge and in the scalar rest; and through the trainer, which names the entry.
// (Compiled with -march=native on AVX-512, this test caught a block test written as `!= 0`:
// xsimd 8's != is an ordered comparison there, false for NaN.)
#define BOOST_TEST_MODULE non_finite_scan
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <string>

#include <symdiff/symdiff.hpp>
#include <xsimd/xsimd.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

using namespace symdiff;

namespace {

// The reference: the first index whose entry is NaN or infinite, by a plain loop.
template <class A>
long first_bad_by_loop(const A& a) {
    for (std::size_t i = 0; i < a.size(); ++i) {
        const auto v = a.data()[i];
        if (v != v || v == std::numeric_limits<decltype(v)>::infinity() ||
            v == -std::numeric_limits<decltype(v)>::infinity())
            return static_cast<long>(i);
    }
    return -1;
}

template <class T>
void check_every_position() {
    const T bad_values[] = {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                            -std::numeric_limits<T>::infinity()};
    std::size_t checked = 0;
    // up to 600 entries: several blocks of 16 SIMD batches at every width xsimd offers, and a rest
    for (const std::size_t n : {0, 1, 7, 8, 15, 16, 17, 31, 32, 33, 127, 128, 129, 255, 256, 257, 511, 512, 600}) {
        xt::xtensor<T, 1> a = xt::xtensor<T, 1>::from_shape({n});
        for (std::size_t i = 0; i < n; ++i)  // finite, including the extremes and subnormal numbers
            a(i) = i % 3 == 0   ? std::numeric_limits<T>::max()
                   : i % 3 == 1 ? -std::numeric_limits<T>::denorm_min()
                                : T(i);
        BOOST_TEST(detail::first_non_finite(a) == -1, "n = " << n);
        for (std::size_t at = 0; at < n; ++at) {
            for (const T bad : bad_values) {
                a(at) = bad;
                if (at + 3 < n) a(at + 3) = bad_values[0];  // a second one later: the first is reported
                const long found = detail::first_non_finite(a), expected = first_bad_by_loop(a);
                if (found != expected) BOOST_TEST(found == expected, "n = " << n << ", bad entry " << at);
                ++checked;
                a(at) = T(1);
                if (at + 3 < n) a(at + 3) = T(1);
            }
        }
    }
    BOOST_TEST(checked == 3 * 2935);  // every position of every length, three bad values
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_position_in_float_and_double_arrays) {
    check_every_position<float>();
    check_every_position<double>();
}

// The suite builds this file twice: for the baseline instruction set (SSE2: batches of two
// doubles) and, as test_optim_non_finite_scan_native, for this machine's widest one. The native
// build must really run the wide batches, or the comparisons that differ between widths (AVX-512's
// ordered !=) go untested.
BOOST_AUTO_TEST_CASE(the_scan_runs_the_widest_batches_it_was_built_for) {
    BOOST_TEST_MESSAGE("SIMD: " << xsimd::default_arch::name() << ", " << xsimd::batch<double>::size
                                << " doubles per batch");
#ifdef SYMDIFF_TEST_NATIVE
    const auto cpu = xsimd::available_architectures();
    if (cpu.avx512f) BOOST_TEST(xsimd::batch<double>::size == 8u);
    else if (cpu.avx) BOOST_TEST(xsimd::batch<double>::size == 4u);
#else
    BOOST_TEST(xsimd::batch<double>::size >= 2u);
#endif
}

BOOST_AUTO_TEST_CASE(where_takes_a_nan_condition_as_true_in_the_simd_loop_and_the_rest) {
    // where(c, a, b) in the engine's fused loop (whole batches, then the rest one by one): NaN is
    // nonzero, so a is picked, as NumPy does and as the scalar rest does
    constexpr auto c = symbol<"c">;
    constexpr auto a = symbol<"a">;
    constexpr auto b = symbol<"b">;
    const std::size_t n = 37;
    xt::xtensor<double, 1> C = xt::zeros<double>({n}), A = xt::zeros<double>({n}), B = xt::zeros<double>({n});
    for (std::size_t i = 0; i < n; ++i) {
        C(i) = i % 3 == 0 ? std::nan("") : i % 3 == 1 ? 0.0 : -2.0;
        A(i) = static_cast<double>(i);
        B(i) = -1.0 - static_cast<double>(i);
    }
    const xt::xarray<double> got = evaluate(where(c, a, b) * 1.0, c = C, a = A, b = B);
    for (std::size_t i = 0; i < n; ++i) BOOST_TEST(got(i) == (C(i) != 0 ? A(i) : B(i)), "entry " << i);
}

BOOST_AUTO_TEST_CASE(matrices_views_and_numbers) {
    xt::xarray<double> m = xt::zeros<double>({40, 30});
    m(37, 29) = std::numeric_limits<double>::infinity();
    BOOST_TEST(detail::first_non_finite(m) == 37 * 30 + 29);
    // a view is not contiguous: the entry-by-entry path, indices in the view's own order
    const auto column = xt::view(m, xt::all(), 29);
    BOOST_TEST(detail::first_non_finite(column) == 37);
    BOOST_TEST(detail::first_non_finite(2.0) == -1);
    BOOST_TEST(detail::first_non_finite(std::nan("")) == 0);
}

BOOST_AUTO_TEST_CASE(the_trainer_names_a_non_finite_entry_deep_in_the_data) {
    constexpr auto w = symbol<"w">;
    constexpr auto x = symbol<"x">;
    constexpr auto y = symbol<"y">;
    xt::xtensor<float, 2> X = xt::ones<float>({300, 5});
    xt::xtensor<float, 1> Y = xt::ones<float>({300});
    X(211, 3) = std::numeric_limits<float>::quiet_NaN();
    xt::xtensor<float, 1> W = xt::zeros<float>({5});
    std::string message;
    try {
        trainer t(mean(square(dot(x, w) - y)), params(w = W), data(x = X, y = Y), {.learning_rate = 0.1});
    } catch (const std::invalid_argument& e) {
        message = e.what();
    }
    BOOST_TEST(message.find("'x' has a non-finite value at x[(211, 3)]") != std::string::npos, message);
}
