#define BOOST_TEST_MODULE plot_gnuplot
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "symdiff/plot/gnuplot.hpp"

namespace fs = std::filesystem;

namespace {

// A fresh directory under the system temp dir, removed at the end of the test.
struct temp_dir {
    fs::path path;
    temp_dir() {
        std::string templ = (fs::temp_directory_path() / "symdiff_plot_XXXXXX").string();
        BOOST_REQUIRE(::mkdtemp(templ.data()) != nullptr);
        path = templ;
    }
    ~temp_dir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
};

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool starts_with_bytes(const std::string& path, const std::string& prefix) { return slurp(path).rfind(prefix, 0) == 0; }

const std::string png_signature("\x89PNG\r\n\x1a\n", 8);

}  // namespace

BOOST_AUTO_TEST_CASE(line_plot_writes_script_data_and_png) {
    temp_dir dir;
    const std::vector<double> x{0.0, 0.5, 1.0, 1.5};
    xt::xtensor<double, 1> y = {1.0, 1.25, 2.0, 3.25};
    const auto r = symdiff::plot_lines(dir / "fit.png", "fit of \"y = 1 + x^2\"",
                                       {symdiff::series("data", x, y, symdiff::plot_style::points),
                                        symdiff::series("model", x, std::vector<double>{1.0, 1.3, 2.0, 3.2})});
    BOOST_TEST(fs::exists(r.script));
    BOOST_TEST(fs::exists(r.data));
    BOOST_TEST(r.script == dir / "fit.gp");
    BOOST_TEST(r.data == dir / "fit.dat");
    const std::string data = slurp(r.data);
    BOOST_TEST(data.find("1.5 3.25") != std::string::npos);
    BOOST_TEST(data.find("0.5 1.3") != std::string::npos);
    BOOST_TEST(slurp(r.script).find("\\\"y = 1 + x^2\\\"") != std::string::npos);  // quotes escaped
    if (symdiff::gnuplot_available()) {
        BOOST_TEST(r.rendered, r.message);
        BOOST_TEST(starts_with_bytes(r.path, png_signature));
    } else {
        BOOST_TEST(!r.rendered);
    }
}

BOOST_AUTO_TEST_CASE(loss_curve_on_log_scale) {
    temp_dir dir;
    std::vector<double> loss;
    for (int i = 0; i < 50; ++i) {
        loss.push_back(2.0 * std::exp(-0.1 * i) + 0.01);
    }
    const auto r = symdiff::plot_loss_curve(dir / "sub/loss.png", loss, true);  // creates sub/
    BOOST_TEST(fs::exists(r.script));
    BOOST_TEST(slurp(r.script).find("set logscale y") != std::string::npos);
    BOOST_TEST(slurp(r.data).find("0 2.01\n") != std::string::npos);
    BOOST_TEST(r.rendered == symdiff::gnuplot_available(), r.message);
    if (r.rendered) {
        BOOST_TEST(starts_with_bytes(r.path, png_signature));
    }
}

BOOST_AUTO_TEST_CASE(image_grid_writes_one_matrix_per_image) {
    temp_dir dir;
    xt::xtensor<double, 2> images({3, 6});  // 3 images of 2 x 3
    for (std::size_t i = 0; i < images.size(); ++i) {
        images.data()[i] = static_cast<double>(i) - 8.0;
    }
    symdiff::image_grid_options opts;
    opts.title = "templates";
    opts.titles = {"a", "b", "c"};
    opts.cols = 2;
    opts.palette = symdiff::image_palette::diverging;
    const auto r = symdiff::plot_image_grid(dir / "grid.png", images, 2, 3, opts);
    BOOST_TEST(slurp(r.data).find("-2 -1 0\n1 2 3\n") != std::string::npos);  // image 1, rows 0 and 1
    BOOST_TEST(r.rendered == symdiff::gnuplot_available(), r.message);
    BOOST_CHECK_THROW(symdiff::plot_image_grid(dir / "bad.png", images, 2, 2), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(animation_is_a_gif) {
    temp_dir dir;
    const std::vector<double> xs{0.0, 1.0, 2.0, 3.0};
    std::vector<symdiff::animation_frame> frames;
    for (int k = 1; k <= 3; ++k) {
        const double a = 0.5 * k;
        frames.push_back(
            {{symdiff::series("model", xs, std::vector<double>{0.0, a, 2 * a, 3 * a})}, "epoch " + std::to_string(k)});
    }
    const auto r = symdiff::animate_lines(
        dir / "fit.gif", {.title = "fitting a line"}, frames,
        {symdiff::series("data", xs, std::vector<double>{0.1, 1.4, 3.1, 4.4}, symdiff::plot_style::points)});
    BOOST_TEST(fs::exists(r.script));
    BOOST_TEST(slurp(r.data).find("3 4.4\n") != std::string::npos);
    BOOST_TEST(r.rendered == symdiff::gnuplot_available(), r.message);
    if (r.rendered) {
        BOOST_TEST(starts_with_bytes(r.path, "GIF89a"));
    }
}

BOOST_AUTO_TEST_CASE(missing_gnuplot_is_reported_not_thrown) {
    temp_dir dir;
    const auto job = symdiff::detail::lines_job(dir / "absent.png", {.title = "t"},
                                                {symdiff::series("y", std::vector<double>{1.0, 2.0})});
    const auto r = symdiff::detail::render_with("gnuplot-does-not-exist", job);
    BOOST_TEST(!r.rendered);
    BOOST_TEST(!fs::exists(r.path));
    BOOST_TEST(fs::exists(r.script));
    BOOST_TEST(fs::exists(r.data));
    BOOST_TEST(r.message.find("gnuplot-nox") != std::string::npos, r.message);
    BOOST_TEST(r.message.find(r.script) != std::string::npos, r.message);
}

BOOST_AUTO_TEST_CASE(bad_arguments_and_unwritable_directory_throw) {
    BOOST_CHECK_THROW(symdiff::series("s", std::vector<double>{1.0}, std::vector<double>{1.0, 2.0}),
                      std::invalid_argument);
    temp_dir dir;
    std::ofstream(dir / "file") << "a file, not a directory";
    BOOST_CHECK_THROW(symdiff::plot_loss_curve(dir / "file/loss.png", {1.0, 0.5}), std::runtime_error);
}
