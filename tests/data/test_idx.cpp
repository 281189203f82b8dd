#define BOOST_TEST_MODULE data_idx
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

#include <zlib.h>
#include <xtensor/xmath.hpp>

#include "symdiff/data/fashion_mnist.hpp"
#include "symdiff/data/idx.hpp"

namespace fs = std::filesystem;
using bytes = std::vector<std::uint8_t>;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string templ = (fs::temp_directory_path() / "symdiff_idx_XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(templ.data()) != nullptr);
        path = templ;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

bytes idx_file(std::uint32_t magic, std::initializer_list<std::uint32_t> dims, const bytes& payload) {
    bytes out;
    auto put32 = [&](std::uint32_t v) {
        for (int shift = 24; shift >= 0; shift -= 8) {
            out.push_back(static_cast<std::uint8_t>(v >> shift));
        }
    };
    put32(magic);
    for (auto d : dims) {
        put32(d);
    }
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

void write_plain(const std::string& path, const bytes& data) {
    std::ofstream f(path, std::ios::binary);
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
    BOOST_REQUIRE(f.good());
}

void write_gz(const std::string& path, const bytes& data) {
    gzFile f = gzopen(path.c_str(), "wb");
    BOOST_REQUIRE(f != nullptr);
    BOOST_REQUIRE_EQUAL(gzwrite(f, data.data(), static_cast<unsigned>(data.size())), static_cast<int>(data.size()));
    BOOST_REQUIRE_EQUAL(gzclose(f), Z_OK);
}

// Predicate for BOOST_CHECK_EXCEPTION: what() contains every one of `parts`.
auto says(std::vector<std::string> parts) {
    return [parts](const symdiff::data_error& e) {
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

// Precondition: the Debian package dataset-fashion-mnist is installed; otherwise the test is reported as skipped.
const std::string real_dir = "/usr/share/datasets/fashion-mnist";
boost::test_tools::assertion_result fashion_mnist_installed(boost::unit_test::test_unit_id) {
    boost::test_tools::assertion_result ok(fs::exists(real_dir + "/t10k-labels-idx1-ubyte.gz"));
    ok.message() << "Fashion-MNIST not installed in " << real_dir << " (apt-get install dataset-fashion-mnist)";
    return ok;
}

const bytes pixels{0, 255, 51, 102, 153, 204, 1, 2, 3, 4, 5, 6};  // 2 images of 2 x 3

}  // namespace

BOOST_AUTO_TEST_CASE(reads_plain_images_scaled_to_unit_interval) {
    temp_dir dir;
    write_plain(dir / "img.idx", idx_file(0x803, {2, 2, 3}, pixels));
    const auto images = symdiff::read_idx_images(dir / "img.idx");
    BOOST_TEST(images.shape(0) == 2u);
    BOOST_TEST(images.shape(1) == 6u);
    BOOST_TEST(images(0, 0) == 0.0);
    BOOST_TEST(images(0, 1) == 1.0);
    BOOST_TEST(images(0, 2) == 51.0 / 255.0);
    BOOST_TEST(images(1, 5) == 6.0 / 255.0);
}

BOOST_AUTO_TEST_CASE(reads_gzip_images_as_float_and_honours_limit) {
    temp_dir dir;
    write_gz(dir / "img.idx.gz", idx_file(0x803, {2, 2, 3}, pixels));
    const auto images = symdiff::read_idx_images<float>(dir / "img.idx.gz", 1);
    BOOST_TEST(images.shape(0) == 1u);
    BOOST_TEST(images.shape(1) == 6u);
    BOOST_TEST(images(0, 3) == 102.0f / 255.0f);
}

BOOST_AUTO_TEST_CASE(reads_plain_and_gzip_labels) {
    temp_dir dir;
    const bytes labels{9, 0, 3, 255};
    write_plain(dir / "lab.idx", idx_file(0x801, {4}, labels));
    write_gz(dir / "lab.idx.gz", idx_file(0x801, {4}, labels));
    for (const auto* name : {"lab.idx", "lab.idx.gz"}) {
        const auto l = symdiff::read_idx_labels(dir / name);
        BOOST_TEST_REQUIRE(l.size() == 4u);
        BOOST_TEST(l(0) == 9);
        BOOST_TEST(l(2) == 3);
        BOOST_TEST(l(3) == 255);
    }
}

BOOST_AUTO_TEST_CASE(wrong_magic_names_file_and_both_numbers) {
    temp_dir dir;
    write_plain(dir / "labels_not_images.idx", idx_file(0x801, {4}, {1, 2, 3, 4}));
    BOOST_CHECK_EXCEPTION(symdiff::read_idx_images(dir / "labels_not_images.idx"), symdiff::data_error,
                          says({"labels_not_images.idx", "wrong magic", "expected 0x00000803", "found 0x00000801"}));
}

BOOST_AUTO_TEST_CASE(truncated_payload_says_how_much_is_missing) {
    temp_dir dir;
    write_plain(dir / "short.idx", idx_file(0x803, {3, 2, 2}, bytes(10, 7)));
    BOOST_CHECK_EXCEPTION(symdiff::read_idx_images(dir / "short.idx"), symdiff::data_error,
                          says({"short.idx", "truncated", "expected 12 bytes of payload, found 10"}));

    write_plain(dir / "short_header.idx", {0, 0, 8, 3, 0, 0});
    BOOST_CHECK_EXCEPTION(symdiff::read_idx_images(dir / "short_header.idx"), symdiff::data_error,
                          says({"short_header.idx", "truncated", "expected 16 bytes of header, found 6"}));
}

BOOST_AUTO_TEST_CASE(truncated_gzip_stream_is_reported_as_truncated) {
    temp_dir dir;
    bytes payload(4000);
    std::uint32_t state = 12345;  // incompressible bytes, so cutting the file cuts the payload
    for (auto& b : payload) {
        state = state * 1664525u + 1013904223u;
        b = static_cast<std::uint8_t>(state >> 24);
    }
    write_gz(dir / "full.gz", idx_file(0x803, {10, 20, 20}, payload));
    std::ifstream in(dir / "full.gz", std::ios::binary);
    bytes gz((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    gz.resize(gz.size() / 2);
    write_plain(dir / "cut.gz", gz);
    BOOST_CHECK_EXCEPTION(symdiff::read_idx_images(dir / "cut.gz"), symdiff::data_error,
                          says({"cut.gz", "truncated", "expected 4000 bytes of payload"}));
}

BOOST_AUTO_TEST_CASE(missing_file_names_file_and_package) {
    temp_dir dir;
    BOOST_CHECK_EXCEPTION(symdiff::read_idx_labels(dir / "nowhere.idx.gz"), symdiff::data_error,
                          says({"nowhere.idx.gz", "No such file", "apt-get install dataset-fashion-mnist"}));
}

BOOST_AUTO_TEST_CASE(absurd_dimensions_are_rejected_before_reading) {
    temp_dir dir;
    write_plain(dir / "zero.idx", idx_file(0x803, {5, 0, 28}, {}));
    BOOST_CHECK_EXCEPTION(symdiff::read_idx_images(dir / "zero.idx"), symdiff::data_error,
                          says({"zero.idx", "absurd dimensions 5 x 0 x 28"}));
}

BOOST_AUTO_TEST_CASE(fashion_mnist_loader_checks_counts_and_split) {
    temp_dir dir;
    write_gz(dir / "t10k-images-idx3-ubyte.gz", idx_file(0x803, {2, 28, 28}, bytes(2 * 784, 128)));
    write_gz(dir / "t10k-labels-idx1-ubyte.gz", idx_file(0x801, {3}, {1, 2, 3}));
    BOOST_CHECK_EXCEPTION(symdiff::load_fashion_mnist<double>("t10k", dir.path.string()), symdiff::data_error,
                          says({"t10k-images-idx3-ubyte.gz", "holds 2 images", "holds 3 labels"}));
    BOOST_CHECK_EXCEPTION(symdiff::load_fashion_mnist<double>("test", dir.path.string()), symdiff::data_error,
                          says({"unknown split 'test'", "t10k"}));

    write_gz(dir / "t10k-labels-idx1-ubyte.gz", idx_file(0x801, {2}, {7, 9}));
    const auto set = symdiff::load_fashion_mnist<float>("t10k", dir.path.string());
    BOOST_TEST(set.images.shape(0) == 2u);
    BOOST_TEST(set.images.shape(1) == 784u);
    BOOST_TEST(set.labels(1) == 9);
    BOOST_TEST(symdiff::fashion_mnist_class_names().at(9) == "Ankle boot");
}

BOOST_AUTO_TEST_CASE(fashion_mnist_shards_are_the_rows_of_each_process_end_to_end) {
    // 5 images whose pixels are all their index; labels 0..4. Three processes hold 2, 2 and 1.
    temp_dir dir;
    bytes px;
    for (std::uint8_t i = 0; i < 5; ++i) px.insert(px.end(), 784, i);
    write_gz(dir / "train-images-idx3-ubyte.gz", idx_file(0x803, {5, 28, 28}, px));
    write_gz(dir / "train-labels-idx1-ubyte.gz", idx_file(0x801, {5}, {0, 1, 2, 3, 4}));
    std::vector<std::int32_t> labels;
    std::vector<double> first_pixels;
    for (int r = 0; r < 3; ++r) {
        const auto part = symdiff::load_fashion_mnist_shard<double>("train", r, 3, dir.path.string());
        BOOST_TEST(part.images.shape(0) == (r < 2 ? 2u : 1u));
        BOOST_TEST(part.images.shape(1) == 784u);
        for (std::size_t i = 0; i < part.labels.size(); ++i) {
            labels.push_back(part.labels(i));
            first_pixels.push_back(part.images(i, 783) * 255);
        }
    }
    BOOST_TEST(labels == (std::vector<std::int32_t>{0, 1, 2, 3, 4}), boost::test_tools::per_element());
    BOOST_TEST(first_pixels == (std::vector<double>{0, 1, 2, 3, 4}), boost::test_tools::per_element());
    // with a limit of 3 items, 4 processes: 1, 1, 1 and none
    const auto none = symdiff::load_fashion_mnist_shard<double>("train", 3, 4, dir.path.string(), 3);
    BOOST_TEST(none.images.shape(0) == 0u);
    BOOST_TEST(none.images.shape(1) == 784u);
    const auto third = symdiff::load_fashion_mnist_shard<double>("train", 2, 4, dir.path.string(), 3);
    BOOST_TEST(third.labels.size() == 1u);
    BOOST_TEST(third.labels(0) == 2);
}

BOOST_AUTO_TEST_CASE(default_dir_follows_environment) {
    ::unsetenv("SYMDIFF_FASHION_MNIST_DIR");
    BOOST_TEST(symdiff::default_fashion_mnist_dir() == "/usr/share/datasets/fashion-mnist");
    ::setenv("SYMDIFF_FASHION_MNIST_DIR", "/elsewhere", 1);
    BOOST_TEST(symdiff::default_fashion_mnist_dir() == "/elsewhere");
    ::unsetenv("SYMDIFF_FASHION_MNIST_DIR");
}

BOOST_AUTO_TEST_CASE(real_fashion_mnist_t10k, *boost::unit_test::precondition(fashion_mnist_installed)) {
    const auto set = symdiff::load_fashion_mnist<double>("t10k", real_dir, 100);
    BOOST_TEST(set.images.shape(0) == 100u);
    BOOST_TEST(set.images.shape(1) == 784u);
    BOOST_TEST(set.labels.size() == 100u);
    BOOST_TEST(xt::amin(set.images)() >= 0.0);
    BOOST_TEST(xt::amax(set.images)() <= 1.0);
    BOOST_TEST(xt::amax(set.images)() > 0.0);  // not all black
    BOOST_TEST(xt::amin(set.labels)() >= 0);
    BOOST_TEST(xt::amax(set.labels)() <= 9);
}
