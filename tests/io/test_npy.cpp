#define BOOST_TEST_MODULE io_npy
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>

#include <xtensor/xtensor.hpp>

#include "symdiff/io/npy.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string templ = (fs::temp_directory_path() / "symdiff_npy_XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(templ.data()) != nullptr);
        path = templ;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

// Predicate for BOOST_CHECK_EXCEPTION: what() contains every one of `parts`.
auto says(std::vector<std::string> parts) {
    return [parts](const symdiff::io_error& e) {
        const std::string what = e.what();
        bool ok = true;
        for (const auto& p : parts) {
            if (what.find(p) == std::string::npos) {
                BOOST_TEST_MESSAGE("missing '" << p << "' in: " << what);
                ok = false;
            }
        }
        return ok;
    };
}

// Precondition: the Debian NumPy (python3-numpy) is importable; otherwise the test is reported as skipped.
boost::test_tools::assertion_result numpy_importable(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result ok(std::system("/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1") == 0);
    ok.message() << "numpy not importable by /usr/bin/python3 (apt-get install python3-numpy)";
    return ok;
}

// Runs `body` in /usr/bin/python3 after `import numpy as np, sys` with `d` the directory's path;
// returns its exit status.
int numpy_script(const std::string& body, const temp_dir& dir) {
    const std::string cmd =
        "/usr/bin/python3 -c \"import numpy as np, sys; d = sys.argv[1]; " + body + "\" '" + dir.path.string() + "'";
    return std::system(cmd.c_str());
}

}  // namespace

BOOST_AUTO_TEST_CASE(round_trips_double_and_float_vectors) {
    temp_dir dir;
    const std::vector<double> d{0.1, -2.5, 1e300, 0.0};
    const std::vector<float> f{1.5f, -0.25f, 3.0e-20f};
    symdiff::save_npy(dir / "d.npy", d);
    symdiff::save_npy(dir / "f.npy", f);
    BOOST_TEST(symdiff::load_npy_vector<double>(dir / "d.npy") == d, boost::test_tools::per_element());
    BOOST_TEST(symdiff::load_npy_vector<float>(dir / "f.npy") == f, boost::test_tools::per_element());

    const auto as_array = symdiff::load_npy<double>(dir / "d.npy");
    BOOST_TEST(as_array.dimension() == 1u);
    BOOST_TEST(as_array(1) == -2.5);
}

BOOST_AUTO_TEST_CASE(round_trips_2d_array_with_shape) {
    temp_dir dir;
    xt::xtensor<double, 2> a = {{1.0, 2.0, 3.0}, {4.0, 5.0, 6.5}};
    symdiff::save_npy(dir / "a.npy", a);
    const auto b = symdiff::load_npy<double, 2>(dir / "a.npy");
    BOOST_TEST(b.shape(0) == 2u);
    BOOST_TEST(b.shape(1) == 3u);
    BOOST_TEST(b(1, 2) == 6.5);
    BOOST_TEST(b(0, 1) == 2.0);

    BOOST_CHECK_EXCEPTION((symdiff::load_npy<double, 1>(dir / "a.npy")), symdiff::io_error,
                          says({"a.npy", "shape (2, 3)", "1-d"}));
}

BOOST_AUTO_TEST_CASE(round_trips_scalars_as_0d) {
    temp_dir dir;
    symdiff::save_npy(dir / "s.npy", 0.75);
    symdiff::save_npy(dir / "i.npy", std::int32_t{-7});
    BOOST_TEST(symdiff::load_npy_scalar<double>(dir / "s.npy") == 0.75);
    BOOST_TEST(symdiff::load_npy_scalar<std::int32_t>(dir / "i.npy") == -7);
    BOOST_TEST(symdiff::load_npy<double>(dir / "s.npy").dimension() == 0u);
}

BOOST_AUTO_TEST_CASE(missing_file_names_the_file) {
    temp_dir dir;
    BOOST_CHECK_EXCEPTION(symdiff::load_npy<double>(dir / "absent.npy"), symdiff::io_error,
                          says({"absent.npy", "No such file"}));
}

BOOST_AUTO_TEST_CASE(wrong_dtype_names_both_types) {
    temp_dir dir;
    symdiff::save_npy(dir / "d.npy", std::vector<double>{1.0, 2.0});
    BOOST_CHECK_EXCEPTION(symdiff::load_npy<float>(dir / "d.npy"), symdiff::io_error,
                          says({"d.npy", "dtype <f8", "requested element type is <f4"}));
}

BOOST_AUTO_TEST_CASE(truncated_and_garbage_files_throw) {
    temp_dir dir;
    symdiff::save_npy(dir / "full.npy", std::vector<double>(100, 1.0));
    fs::resize_file(dir / "full.npy", fs::file_size(dir / "full.npy") - 8);
    BOOST_CHECK_EXCEPTION(symdiff::load_npy<double>(dir / "full.npy"), symdiff::io_error,
                          says({"full.npy", "truncated", "800 bytes", "(100,)"}));

    // a damaged header that promises more than the file holds (or than memory could) is refused
    // before anything is allocated
    const auto with_shape = [&](const std::string& name, const std::string& shape) {
        symdiff::save_npy(dir / name, std::vector<double>{1.0, 2.0});
        std::ifstream in(dir / name, std::ios::binary);
        std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        const std::size_t at = bytes.find("(2,)");
        bytes.replace(at, 4, shape);
        bytes.erase(bytes.find('\n') - (shape.size() - 4), shape.size() - 4);  // the same header length
        std::ofstream(dir / name, std::ios::binary) << bytes;
    };
    with_shape("huge.npy", "(99999999999,)");
    BOOST_CHECK_EXCEPTION(symdiff::load_npy<double>(dir / "huge.npy"), symdiff::io_error,
                          says({"huge.npy", "truncated", "799999999992 bytes", "the file holds 16"}));
    with_shape("overflow.npy", "(4000000000, 4000000000, 4000000000)");
    BOOST_CHECK_EXCEPTION(symdiff::load_npy<double>(dir / "overflow.npy"), symdiff::io_error,
                          says({"overflow.npy", "too large"}));

    std::ofstream(dir / "text.npy") << "not an npy file at all\n";
    BOOST_CHECK_EXCEPTION(symdiff::load_npy<double>(dir / "text.npy"), symdiff::io_error,
                          says({"text.npy", "not a .npy file"}));
}

BOOST_AUTO_TEST_CASE(a_pipe_is_read_as_it_comes) {
    // a stream that cannot seek: the file's size is not known before the data are read
    temp_dir dir;
    symdiff::save_npy(dir / "a.npy", std::vector<double>{1.0, 2.0, 3.0});
    const std::string fifo = dir / "pipe.npy";
    BOOST_REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
    std::thread writer([&] {
        std::ifstream in(dir / "a.npy", std::ios::binary);
        std::ofstream(fifo, std::ios::binary) << in.rdbuf();
    });
    const auto a = symdiff::load_npy<double>(fifo);
    writer.join();
    BOOST_TEST(a == (xt::xarray<double>{1.0, 2.0, 3.0}));
}

BOOST_AUTO_TEST_CASE(numpy_reads_what_we_write, *boost::unit_test::precondition(numpy_importable)) {
    temp_dir dir;
    symdiff::save_npy(dir / "v.npy", std::vector<double>{0.5, -1.25, 3.0});
    symdiff::save_npy(dir / "m.npy", xt::xtensor<float, 2>{{1.0f, 2.0f}, {3.0f, 4.0f}, {5.0f, 6.0f}});
    symdiff::save_npy(dir / "s.npy", 2.5);
    const std::string check =
        "v = np.load(d + '/v.npy'); m = np.load(d + '/m.npy'); s = np.load(d + '/s.npy'); "
        "ok = (v.dtype == np.float64 and v.tolist() == [0.5, -1.25, 3.0] and m.dtype == np.float32 "
        "and m.shape == (3, 2) and m[2, 1] == 6.0 and s.shape == () and float(s) == 2.5); "
        "sys.exit(0 if ok else 1)";
    BOOST_TEST(numpy_script(check, dir) == 0);
}

BOOST_AUTO_TEST_CASE(we_read_what_numpy_writes, *boost::unit_test::precondition(numpy_importable)) {
    temp_dir dir;
    const std::string write =
        "np.save(d + '/c.npy', np.arange(6, dtype='<f4').reshape(2, 3) * 0.5); "
        "np.save(d + '/f.npy', np.asfortranarray(np.arange(24, dtype='<f8').reshape(2, 3, 4) - 3.5)); "
        "np.save(d + '/i.npy', np.array([-7, 2**40, 5], dtype='<i8')); "
        "np.save(d + '/s.npy', np.float64(-0.125)); "
        "np.lib.format.write_array(open(d + '/v2.npy', 'wb'), np.arange(3.0), version=(2, 0))";
    BOOST_REQUIRE(numpy_script(write, dir) == 0);

    const auto c = symdiff::load_npy<float, 2>(dir / "c.npy");
    BOOST_REQUIRE(c.shape(0) == 2u && c.shape(1) == 3u);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(c(i, j) == 0.5f * float(3 * i + j));

    // stored column-major; element (i, j, k) is 12 i + 4 j + k - 3.5 whatever the order on disk
    const auto f = symdiff::load_npy<double, 3>(dir / "f.npy");
    BOOST_REQUIRE(f.shape(0) == 2u && f.shape(1) == 3u && f.shape(2) == 4u);
    for (std::size_t i = 0; i < 2; ++i)
        for (std::size_t j = 0; j < 3; ++j)
            for (std::size_t k = 0; k < 4; ++k) BOOST_TEST(f(i, j, k) == double(12 * i + 4 * j + k) - 3.5);

    const auto n = symdiff::load_npy_vector<std::int64_t>(dir / "i.npy");
    BOOST_TEST(n == (std::vector<std::int64_t>{-7, std::int64_t{1} << 40, 5}), boost::test_tools::per_element());
    BOOST_TEST(symdiff::load_npy_scalar<double>(dir / "s.npy") == -0.125);
    BOOST_TEST(symdiff::load_npy_vector<double>(dir / "v2.npy") == (std::vector<double>{0.0, 1.0, 2.0}),
               boost::test_tools::per_element());
    BOOST_CHECK_EXCEPTION(symdiff::load_npy<double>(dir / "i.npy"), symdiff::io_error,
                          says({"i.npy", "dtype <i8", "requested element type is <f8"}));
}
