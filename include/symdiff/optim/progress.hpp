#pragma once
// The progress display of a training run: a bar with the rate, the time left and the loss when
// the log is a terminal; one summary line per epoch otherwise (loss, validation loss, metrics,
// time). A call of more than 50 epochs (a full-batch run, where every step is an epoch) prints
// about 25 of them: the first, every (epochs / 25)-th and the last.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "options.hpp"

namespace symdiff::detail {

class progress_display {
public:
    progress_display(progress_mode mode, std::ostream* out) : out_(out) {
        if (out_ == nullptr) mode = progress_mode::none;
        if (mode == progress_mode::automatic)
            mode = (out_ == &std::cout && ::isatty(STDOUT_FILENO)) ? progress_mode::bar : progress_mode::lines;
        mode_ = mode;
    }

    /// A call of `steps` steps, from step `first` (1-based), `per_epoch` steps per epoch.
    void start(std::size_t first, std::size_t steps, std::size_t per_epoch) {
        first_ = first;
        steps_ = steps;
        per_epoch_ = per_epoch;
        const std::size_t epochs = std::max<std::size_t>(1, (steps + per_epoch - 1) / per_epoch);
        line_every_ = epochs > 50 ? epochs / 25 : 1;
        begin_ = last_draw_ = clock::now();
    }

    void step(std::size_t step, std::size_t epoch, double loss) {
        if (mode_ != progress_mode::bar) return;
        const auto now = clock::now();
        const bool last = step + 1 == first_ + steps_;
        if (!last && now - last_draw_ < std::chrono::milliseconds(100)) return;
        last_draw_ = now;
        const std::size_t done = step + 1 - first_;
        const double elapsed = seconds(begin_, now);
        const double rate = elapsed > 0 ? static_cast<double>(done) / elapsed : 0;
        const double left = rate > 0 ? static_cast<double>(steps_ - done) / rate : 0;
        constexpr std::size_t width = 30;
        const std::size_t filled = width * done / std::max<std::size_t>(1, steps_);
        std::ostringstream s;
        s << "\repoch " << epoch << " [" << std::string(filled, '#') << std::string(width - filled, '.') << "] "
          << std::setw(3) << 100 * done / std::max<std::size_t>(1, steps_) << "%  " << std::fixed
          << std::setprecision(1) << rate << " steps/s  ETA " << clock_time(left) << "  loss " << std::defaultfloat
          << std::setprecision(5) << loss << "   ";
        *out_ << s.str() << std::flush;
    }

    void epoch(const epoch_record& e, const std::vector<std::string>& metric_names, bool last) {
        if (mode_ == progress_mode::none) return;
        if (!last && e.epoch % line_every_ != 0 && e.epoch != 1) return;
        std::ostringstream s;
        if (mode_ == progress_mode::bar) s << "\r\033[K";
        s << "epoch " << e.epoch << ": loss " << std::setprecision(6) << e.loss;
        if (e.validation_loss == e.validation_loss) s << ", validation loss " << e.validation_loss;
        for (std::size_t i = 0; i < e.metrics.size() && i < metric_names.size(); ++i)
            s << ", " << metric_names[i] << " " << e.metrics[i];
        s << " (" << std::setprecision(3) << e.seconds << " s)\n";
        *out_ << s.str() << std::flush;
    }

    void finish(const std::string& message) {
        if (mode_ == progress_mode::none) return;
        if (mode_ == progress_mode::bar) *out_ << "\r\033[K";
        if (!message.empty()) *out_ << message << "\n";
        *out_ << std::flush;
    }

private:
    using clock = std::chrono::steady_clock;
    static double seconds(clock::time_point a, clock::time_point b) {
        return std::chrono::duration<double>(b - a).count();
    }
    static std::string clock_time(double s) {
        const long t = std::lround(s);
        char buf[32];
        std::snprintf(buf, sizeof buf, "%ld:%02ld", t / 60, t % 60);
        return buf;
    }

    std::ostream* out_;
    progress_mode mode_ = progress_mode::none;
    std::size_t first_ = 1, steps_ = 0, per_epoch_ = 1, line_every_ = 1;
    clock::time_point begin_{}, last_draw_{};
};

}  // namespace symdiff::detail
