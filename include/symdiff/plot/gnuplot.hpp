// Pictures for example programs, drawn by gnuplot (Debian: gnuplot-nox).
//
// Every function writes the data (<name>.dat) and a gnuplot script (<name>.gp) next to the picture, so
// the picture can be re-rendered or restyled by hand (`cd dir && gnuplot name.gp`), then runs gnuplot.
// A missing gnuplot is not an error: the result says rendered == false and why. Only an output
// directory that cannot be written throws (std::runtime_error); malformed arguments throw
// std::invalid_argument.
#pragma once

#include <algorithm>
#include <charconv>
#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include <sys/wait.h>

#include <xtensor/xtensor.hpp>

namespace symdiff {

/// What a plot call produced. `path` is the picture; `script` and `data` are always written.
struct plot_result {
    bool rendered = false;
    std::string path{};
    std::string script{};
    std::string data{};
    std::string message{};

    explicit operator bool() const { return rendered; }
};

enum class plot_style { lines, points, linespoints };

/// Anything iterable whose elements convert to double: std::vector, std::array, 1-d xtensor, ...
template <class R>
concept number_range = requires(const R& r) {
    { *std::begin(r) } -> std::convertible_to<double>;
    std::end(r);
};

/// One named curve or point cloud.
struct series {
    std::string name;
    std::vector<double> x;
    std::vector<double> y;
    plot_style style = plot_style::lines;

    series() = default;

    template <number_range X, number_range Y>
    series(std::string name_, const X& xs, const Y& ys, plot_style style_ = plot_style::lines)
        : name(std::move(name_)), x(std::begin(xs), std::end(xs)), y(std::begin(ys), std::end(ys)), style(style_) {
        if (x.size() != y.size()) {
            throw std::invalid_argument("series '" + name + "': " + std::to_string(x.size()) + " x values but " +
                                        std::to_string(y.size()) + " y values");
        }
    }

    /// y only: x is 0, 1, 2, ...
    template <number_range Y>
    series(std::string name_, const Y& ys, plot_style style_ = plot_style::lines)
        : name(std::move(name_)), y(std::begin(ys), std::end(ys)), style(style_) {
        for (std::size_t i = 0; i < y.size(); ++i) {
            x.push_back(static_cast<double>(i));
        }
    }
};

struct plot_options {
    // Default member initialisers everywhere, so designated initialisers ({.title = "fit"}) do not warn.
    std::string title{};
    std::string xlabel{};
    std::string ylabel{};
    bool log_y = false;
    int width = 800;  // pixels
    int height = 500;
};

enum class image_palette {
    gray,      // low = black, high = white, over the common [min, max] of all images (pictures)
    diverging  // blue < 0 < red, white at 0, symmetric about 0 (learned weights)
};

struct image_grid_options {
    std::string title{};
    std::vector<std::string> titles{};  // one per image; missing ones are left blank
    std::size_t cols = 5;
    image_palette palette = image_palette::gray;
    int panel_pixels = 160;
};

/// One frame of an animation: the curves drawn in it and an optional caption (e.g. "epoch 10").
struct animation_frame {
    std::vector<series> curves{};
    std::string caption{};
};

namespace detail {

inline std::string shell_quote(std::string_view s) {
    std::string out = "'";
    for (char c : s) {
        out += (c == '\'') ? std::string("'\\''") : std::string(1, c);
    }
    return out + "'";
}

// A gnuplot double-quoted string: backslash escapes are processed there, so \" and \n work.
inline std::string gp_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else {
            out += (static_cast<unsigned char>(c) < 0x20) ? ' ' : c;
        }
    }
    return out + "\"";
}

// The shortest text that reads back as the same double, or `digits` significant digits where exactness
// does not matter (axis ranges, pixels). gnuplot skips "NaN" points, breaking lines there.
inline std::string gp_number(double v, int digits = 0) {
    if (!std::isfinite(v)) {
        return "NaN";
    }
    char buf[40];
    const auto end = (digits > 0) ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, digits).ptr
                                  : std::to_chars(buf, buf + sizeof buf, v).ptr;
    return std::string(buf, end);
}

inline std::string gp_style(plot_style s) {
    switch (s) {
        case plot_style::points: return "with points pt 7 ps 0.7";
        case plot_style::linespoints: return "with linespoints lw 2 pt 7 ps 0.7";
        case plot_style::lines: break;
    }
    return "with lines lw 2";
}

// Prefer the anti-aliased cairo terminal; fall back to libgd's png.
inline std::string png_terminal(int width, int height) {
    const std::string size = " size " + std::to_string(width) + "," + std::to_string(height) + " noenhanced";
    return "if (strstrt(GPVAL_TERMINALS, \"pngcairo\") > 0) {\n    set terminal pngcairo" + size +
           " font \",10\"\n} else {\n    set terminal png" + size + "\n}\n";
}

struct plot_job {
    std::string fn;  // public function name, for messages
    std::filesystem::path image, script, data, log;
    std::string script_text;
    std::string data_text;
};

// The files of a job sit next to the picture and share its stem.
inline plot_job make_job(std::string fn, const std::string& image_path) {
    plot_job job;
    job.fn = std::move(fn);
    job.image = image_path;
    job.script = std::filesystem::path(image_path).replace_extension(".gp");
    job.data = std::filesystem::path(image_path).replace_extension(".dat");
    job.log = std::filesystem::path(image_path).replace_extension(".log");
    return job;
}

// Script preamble: how to re-render, the terminal and the output, all relative to the picture's directory.
inline std::string preamble(const plot_job& job, const std::string& terminal) {
    return "# written by symdiff " + job.fn + "; re-render with: cd " +
           shell_quote(job.image.parent_path().empty() ? "." : job.image.parent_path().string()) + " && gnuplot " +
           shell_quote(job.script.filename().string()) + "\n" + terminal + "set output " +
           gp_quote(job.image.filename().string()) + "\n";
}

inline void write_text(const plot_job& job, const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) {
        throw std::runtime_error(job.fn + ": cannot write '" + path.string() + "'");
    }
}

inline std::string read_text(const std::filesystem::path& path, std::size_t max_chars) {
    std::ifstream in(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > max_chars ? text.substr(0, max_chars) + "..." : text;
}

inline bool command_available(const std::string& command) {
    return std::system((shell_quote(command) + " --version >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace detail

/// Whether `gnuplot --version` runs. Checked once, then cached.
inline bool gnuplot_available() {
    static const bool available = detail::command_available("gnuplot");
    return available;
}

namespace detail {

/// Writes the job's script and data, then runs `command` (a gnuplot executable) on the script.
inline plot_result render_with(const std::string& command, const plot_job& job) {
    namespace fs = std::filesystem;
    const fs::path dir = job.image.parent_path().empty() ? fs::path(".") : job.image.parent_path();
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) {
        throw std::runtime_error(job.fn + ": cannot create directory '" + dir.string() + "': " + ec.message());
    }
    write_text(job, job.script, job.script_text);
    write_text(job, job.data, job.data_text);

    plot_result result{false, job.image.string(), job.script.string(), job.data.string(), {}};
    const bool available = (command == "gnuplot") ? gnuplot_available() : command_available(command);
    if (!available) {
        result.message = "gnuplot not found (apt-get install gnuplot-nox): wrote " + result.script + " and " +
                         result.data + "; skipped the picture";
        return result;
    }

    fs::remove(job.image, ec);  // so a stale picture is never mistaken for a fresh one
    const std::string run = "cd " + shell_quote(dir.string()) + " && " + shell_quote(command) + " " +
                            shell_quote(job.script.filename().string()) + " >" +
                            shell_quote(job.log.filename().string()) + " 2>&1";
    const int status = std::system(run.c_str());
    const int exit_code = (status != -1 && WIFEXITED(status)) ? WEXITSTATUS(status) : -1;
    const std::string log = read_text(job.log, 600);
    const auto size = fs::file_size(job.image, ec);
    result.rendered = exit_code == 0 && !ec && size > 0;
    if (result.rendered) {
        // gnuplot also chats on stderr ("20 frames in animation sequence"): keep the log only for warnings.
        const bool warned = log.find("arning") != std::string::npos;
        if (!warned) {
            fs::remove(job.log, ec);
        }
        result.message = "wrote " + result.path + (warned ? " (gnuplot warnings in " + job.log.string() + ")" : "");
    } else {
        result.message = "gnuplot failed (exit " + std::to_string(exit_code) + ") on " + result.script + ": " + log;
    }
    return result;
}

inline plot_result render(const plot_job& job) { return render_with("gnuplot", job); }

// Axis range covering every finite value (positive ones only on a log axis), padded by 5%.
struct axis_range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    bool log = false;

    void add(const std::vector<double>& values) {
        for (double v : values) {
            if (std::isfinite(v) && (!log || v > 0)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    }
    std::string gp() const {
        if (!(lo <= hi)) {
            return "[*:*]";
        }
        if (log) {
            return "[" + gp_number(lo / 1.2, 4) + ":" + gp_number(hi * 1.2, 4) + "]";
        }
        const double pad = (hi > lo) ? 0.05 * (hi - lo) : std::max(1.0, std::abs(lo) * 0.05);
        return "[" + gp_number(lo - pad, 4) + ":" + gp_number(hi + pad, 4) + "]";
    }
};

inline std::string axes_setup(const plot_options& opts) {
    std::string s = "set grid\nset key top right\n";
    s += "set xlabel " + gp_quote(opts.xlabel) + "\nset ylabel " + gp_quote(opts.ylabel) + "\n";
    if (opts.log_y) {
        s += "set logscale y\n";
    }
    return s;
}

// Appends each non-empty series to the data as its own block (blocks are separated by two blank lines
// and addressed by `index`), and returns the matching `plot` clauses.
inline std::vector<std::string> add_series(const plot_job& job, std::string& data, std::size_t& block,
                                           const std::vector<series>& all) {
    std::vector<std::string> clauses;
    for (const auto& s : all) {
        if (s.x.empty()) {
            continue;
        }
        data += "# block " + std::to_string(block) + ": " + s.name + "\n";
        for (std::size_t i = 0; i < s.x.size(); ++i) {
            data += gp_number(s.x[i]) + " " + gp_number(s.y[i]) + "\n";
        }
        data += "\n\n";
        clauses.push_back(gp_quote(job.data.filename().string()) + " index " + std::to_string(block) + " using 1:2 " +
                          gp_style(s.style) + " title " + gp_quote(s.name));
        ++block;
    }
    return clauses;
}

inline std::string plot_command(const std::vector<std::string>& clauses) {
    std::string s = "plot ";
    for (std::size_t i = 0; i < clauses.size(); ++i) {
        s += (i == 0 ? "" : ", \\\n     ") + clauses[i];
    }
    return s + "\n";
}

inline plot_job lines_job(const std::string& png_path, const plot_options& opts, const std::vector<series>& all) {
    plot_job job = make_job("plot_lines", png_path);
    std::size_t block = 0;
    const auto clauses = add_series(job, job.data_text, block, all);
    if (clauses.empty()) {
        throw std::invalid_argument("plot_lines: nothing to plot for '" + png_path + "': every series is empty");
    }
    job.script_text = preamble(job, png_terminal(opts.width, opts.height)) + "set title " + gp_quote(opts.title) +
                      "\n" + axes_setup(opts) + plot_command(clauses) + "unset output\n";
    return job;
}

inline plot_job image_grid_job(const std::string& png_path, const xt::xtensor<double, 2>& images, std::size_t h,
                               std::size_t w, const image_grid_options& opts) {
    plot_job job = make_job("plot_image_grid", png_path);
    const std::size_t k = images.shape(0);
    if (h * w != images.shape(1) || k == 0 || opts.cols == 0) {
        throw std::invalid_argument("plot_image_grid: images must be k x (h*w) with k > 0 and cols > 0; got " +
                                    std::to_string(k) + " x " + std::to_string(images.shape(1)) +
                                    " for h*w = " + std::to_string(h) + "*" + std::to_string(w) +
                                    ", cols = " + std::to_string(opts.cols));
    }
    const std::size_t cols = std::min(opts.cols, k);
    const std::size_t rows = (k + cols - 1) / cols;

    axis_range range;
    range.add(std::vector<double>(images.begin(), images.end()));
    std::string palette;
    if (opts.palette == image_palette::diverging) {
        const double m = (range.lo <= range.hi) ? std::max({std::abs(range.lo), std::abs(range.hi), 1e-12}) : 1.0;
        palette = "set palette defined (-1 \"#2166ac\", 0 \"white\", 1 \"#b2182b\")\nset cbrange [" + gp_number(-m) +
                  ":" + gp_number(m) + "]\n";
    } else {
        palette = "set palette gray\n" +
                  (range.lo < range.hi ? "set cbrange [" + gp_number(range.lo) + ":" + gp_number(range.hi) + "]\n"
                                       : std::string());
    }

    std::string& script = job.script_text;
    const int title_px = opts.title.empty() ? 0 : 30;
    script = preamble(job, png_terminal(static_cast<int>(cols) * opts.panel_pixels,
                                        static_cast<int>(rows) * (opts.panel_pixels + 16) + title_px));
    script += palette + "unset key\nunset colorbox\nunset tics\nset size ratio -1\n";
    script += "set xrange [-0.5:" + std::to_string(w) + "-0.5]\nset yrange [" + std::to_string(h) +
              "-0.5:-0.5]  # row 0 at the top, as in the image\n";
    script += "set multiplot layout " + std::to_string(rows) + "," + std::to_string(cols) + " title " +
              gp_quote(opts.title) + "\n";
    for (std::size_t i = 0; i < k; ++i) {
        job.data_text += "# image " + std::to_string(i) + "\n";
        for (std::size_t r = 0; r < h; ++r) {
            for (std::size_t c = 0; c < w; ++c) {
                job.data_text += (c == 0 ? "" : " ") + gp_number(images(i, r * w + c), 6);
            }
            job.data_text += "\n";
        }
        job.data_text += "\n\n";
        script += "set title " + gp_quote(i < opts.titles.size() ? opts.titles[i] : std::string()) + "\nplot " +
                  gp_quote(job.data.filename().string()) + " index " + std::to_string(i) + " matrix with image\n";
    }
    script += "unset multiplot\nunset output\n";
    return job;
}

inline plot_job animation_job(const std::string& gif_path, const plot_options& opts,
                              const std::vector<animation_frame>& frames, const std::vector<series>& background,
                              int delay_cs) {
    plot_job job = make_job("animate_lines", gif_path);
    if (frames.empty()) {
        throw std::invalid_argument("animate_lines: no frames for '" + gif_path + "'");
    }
    // Fixed axes over all frames, so the picture does not jump about.
    axis_range xr;
    axis_range yr;
    yr.log = opts.log_y;
    auto cover = [&](const std::vector<series>& all) {
        for (const auto& s : all) {
            xr.add(s.x);
            yr.add(s.y);
        }
    };
    cover(background);
    for (const auto& f : frames) {
        cover(f.curves);
    }

    std::size_t block = 0;
    const auto fixed = add_series(job, job.data_text, block, background);
    std::string& script = job.script_text;
    script = preamble(job, "set terminal gif animate delay " + std::to_string(delay_cs) + " size " +
                               std::to_string(opts.width) + "," + std::to_string(opts.height) + " noenhanced\n");
    script += axes_setup(opts) + "set xrange " + xr.gp() + "\nset yrange " + yr.gp() + "\n";
    for (const auto& f : frames) {
        auto clauses = fixed;
        const auto moving = add_series(job, job.data_text, block, f.curves);
        clauses.insert(clauses.end(), moving.begin(), moving.end());
        const std::string title = opts.title + (!opts.title.empty() && !f.caption.empty() ? "\n" : "") + f.caption;
        script +=
            "set title " + gp_quote(title) + "\n" + (clauses.empty() ? "plot NaN notitle\n" : plot_command(clauses));
    }
    script += "unset output\n";
    return job;
}

}  // namespace detail

/// Curves and point clouds on one pair of axes, as a PNG.
inline plot_result plot_lines(const std::string& png_path, const plot_options& opts, const std::vector<series>& all) {
    return detail::render(detail::lines_job(png_path, opts, all));
}

inline plot_result plot_lines(const std::string& png_path, const std::string& title, const std::vector<series>& all) {
    plot_options opts;
    opts.title = title;
    return plot_lines(png_path, opts, all);
}

/// Loss against step (0, 1, 2, ...), by default on a log scale.
inline plot_result plot_loss_curve(const std::string& png_path, const std::vector<double>& loss, bool log_y = true,
                                   const std::string& title = "training loss") {
    plot_options opts;
    opts.title = title;
    opts.xlabel = "step";
    opts.ylabel = "loss";
    opts.log_y = log_y;
    return plot_lines(png_path, opts, {series("loss", loss)});
}

/// A grid of k small images, given as the k rows (each h*w values, row-major) of `images`; e.g. the 10
/// weight templates of a linear classifier, with image_palette::diverging.
inline plot_result plot_image_grid(const std::string& png_path, const xt::xtensor<double, 2>& images, std::size_t h,
                                   std::size_t w, const image_grid_options& opts = {}) {
    return detail::render(detail::image_grid_job(png_path, images, h, w, opts));
}

/// An animated GIF: each frame draws the `background` series (e.g. the data points) and its own curves
/// (e.g. the model at that epoch). `delay_cs` is the time per frame in hundredths of a second.
inline plot_result animate_lines(const std::string& gif_path, const plot_options& opts,
                                 const std::vector<animation_frame>& frames, const std::vector<series>& background = {},
                                 int delay_cs = 10) {
    return detail::render(detail::animation_job(gif_path, opts, frames, background, delay_cs));
}

}  // namespace symdiff
