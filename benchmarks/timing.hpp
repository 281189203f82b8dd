// timing.hpp -- timing protocol, optimisation barriers and output (CSV rows, '#' notes, peak RSS).
//
// The protocol is the peer benchmark's (shared/bench-peers, peers::time_per_step), so numbers
// from both can be put side by side:
//   * one warm-up call, unless that first call took longer than `long_call_s` (2 s): then the
//     first call is the measurement;
//   * then at least `min_reps` (3) repeats, continuing until `min_total_s` (0.3 s) of measured
//     time, at most `max_reps` (51); a repeat longer than `long_call_s` ends the loop;
//   * the result is the median over the repeats, divided by the steps per call.
//
// Output: CSV rows `workload,impl,size,ns_per_step,final_loss` (ns with %.1f, loss with %.10g)
// on stdout and, optionally, in a CSV file (header + rows only, so that the peers'
// tools/summarize.py can read it); free-form notes start with '#' and go to stdout and to a
// notes file next to the CSV file.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

namespace symdiff::bench {

// ---------------------------------------------------------------------------------------------
// Optimisation barriers (the usual inline-asm idiom: the value is "used", memory is "clobbered").
// ---------------------------------------------------------------------------------------------
template <class T>
inline void do_not_optimize(T const& value) {
    asm volatile("" : : "r,m"(value) : "memory");
}

inline void clobber_memory() { asm volatile("" : : : "memory"); }

inline std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

inline double median(std::vector<double> v) {
    if (v.empty()) return std::nan("");
    std::sort(v.begin(), v.end());
    const std::size_t m = v.size() / 2;
    return (v.size() % 2 != 0) ? v[m] : 0.5 * (v[m - 1] + v[m]);
}

struct TimingOptions {
    double min_total_s = 0.3;  // repeat until this much time has been measured ...
    int min_reps = 3;          // ... and at least this many repeats ...
    int max_reps = 51;         // ... but at most this many
    double long_call_s = 2.0;  // a call longer than this is measured once (no warm-up)
};

// Calls fn() (which performs `steps_per_call` optimisation steps) repeatedly; returns the median
// time per step in ns.
template <class F>
double time_per_step(F&& fn, double steps_per_call, const TimingOptions& o) {
    const double long_call_ns = o.long_call_s * 1e9;
    std::int64_t t0 = now_ns();
    fn();  // warm-up
    const double first = static_cast<double>(now_ns() - t0);
    if (first > long_call_ns) return first / steps_per_call;

    std::vector<double> per_step;
    double total = 0.0;
    while (static_cast<int>(per_step.size()) < o.max_reps &&
           (static_cast<int>(per_step.size()) < o.min_reps || total < o.min_total_s * 1e9)) {
        t0 = now_ns();
        fn();
        const double dt = static_cast<double>(now_ns() - t0);
        per_step.push_back(dt / steps_per_call);
        total += dt;
        if (dt > long_call_ns) break;
    }
    return median(per_step);
}

// Peak resident set size of this process so far, in MiB (ru_maxrss is in KiB on Linux).
inline double peak_rss_mib() {
    rusage ru{};
    if (getrusage(RUSAGE_SELF, &ru) != 0) return std::nan("");
    return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

// ---------------------------------------------------------------------------------------------
// Output
// ---------------------------------------------------------------------------------------------
struct Row {
    std::string workload;
    std::string impl;
    std::size_t size = 0;
    double ns_per_step = 0.0;
    double final_loss = 0.0;
};

class Reporter {
public:
    Reporter() = default;
    Reporter(const Reporter&) = delete;
    Reporter& operator=(const Reporter&) = delete;
    ~Reporter() {
        if (csv_ != nullptr) std::fclose(csv_);
        if (notes_ != nullptr) std::fclose(notes_);
    }

    // Also write rows to `csv_path` and notes to `<csv_path without .csv>_notes.txt` (the folder
    // is created if needed).
    void open_csv(const std::string& csv_path) {
        const std::filesystem::path parent = std::filesystem::path(csv_path).parent_path();
        if (!parent.empty()) std::filesystem::create_directories(parent);
        csv_ = std::fopen(csv_path.c_str(), "w");
        if (csv_ == nullptr) throw std::runtime_error("cannot open " + csv_path + " for writing");
        std::string base = csv_path;
        if (base.size() >= 4 && base.compare(base.size() - 4, 4, ".csv") == 0) base.resize(base.size() - 4);
        notes_path_ = base + "_notes.txt";
        notes_ = std::fopen(notes_path_.c_str(), "w");
        if (notes_ == nullptr) throw std::runtime_error("cannot open " + notes_path_);
        std::fprintf(csv_, "workload,impl,size,ns_per_step,final_loss\n");
        std::fflush(csv_);
    }
    const std::string& notes_path() const { return notes_path_; }

    void header() {
        std::printf("workload,impl,size,ns_per_step,final_loss\n");
        std::fflush(stdout);
    }

    void emit(const std::string& workload, const std::string& impl, std::size_t size, double ns_per_step,
              double final_loss) {
        rows_.push_back({workload, impl, size, ns_per_step, final_loss});
        print_row(stdout, rows_.back());
        if (csv_ != nullptr) print_row(csv_, rows_.back());
    }

    void note(const std::string& text) {
        std::printf("# %s\n", text.c_str());
        std::fflush(stdout);
        if (notes_ != nullptr) {
            std::fprintf(notes_, "# %s\n", text.c_str());
            std::fflush(notes_);
        }
    }

    // printf-style note
    __attribute__((format(printf, 2, 3))) void notef(const char* fmt, ...) {
        char buf[512];
        std::va_list args;
        va_start(args, fmt);
        std::vsnprintf(buf, sizeof buf, fmt, args);
        va_end(args);
        note(buf);
    }

    // The peak only grows, so an increase since the previous note is memory that the runs in
    // between needed on top of everything before them.
    void note_peak_rss(const std::string& after) {
        const double peak = peak_rss_mib();
        notef("peak_rss_mib after %s: %.1f (+%.1f)", after.c_str(), peak, peak - last_peak_mib_);
        last_peak_mib_ = peak;
    }

    const std::vector<Row>& rows() const { return rows_; }

    // '#' table of every non-baseline implementation's time relative to `baseline` (same
    // workload and size), with the relative deviation of its final loss.
    void ratio_table(const std::string& baseline = "handwritten") {
        bool any = false;
        for (const Row& r : rows_) {
            if (r.impl == baseline) continue;
            const Row* base = find(r.workload, baseline, r.size);
            if (base == nullptr) continue;
            if (!any) {
                note("ratio to " + baseline + " (ns_per_step / baseline ns_per_step):");
                notef("%-12s %-24s %8s %14s %14s %8s %10s", "workload", "impl", "size", "ns_per_step", "baseline_ns",
                      "ratio", "loss_rdev");
                any = true;
            }
            const double rdev =
                std::abs(r.final_loss - base->final_loss) / std::max(std::abs(base->final_loss), 1e-300);
            notef("%-12s %-24s %8zu %14.1f %14.1f %7.3fx %10.2e", r.workload.c_str(), r.impl.c_str(), r.size,
                  r.ns_per_step, base->ns_per_step, r.ns_per_step / base->ns_per_step, rdev);
        }
        if (!any) note("ratio table: no implementation besides " + baseline + " was run");
    }

private:
    static void print_row(std::FILE* f, const Row& r) {
        std::fprintf(f, "%s,%s,%zu,%.1f,%.10g\n", r.workload.c_str(), r.impl.c_str(), r.size, r.ns_per_step,
                     r.final_loss);
        std::fflush(f);
    }
    const Row* find(const std::string& w, const std::string& impl, std::size_t size) const {
        for (const Row& r : rows_)
            if (r.workload == w && r.impl == impl && r.size == size) return &r;
        return nullptr;
    }

    std::vector<Row> rows_;
    std::FILE* csv_ = nullptr;
    std::FILE* notes_ = nullptr;
    std::string notes_path_;
    double last_peak_mib_ = 0.0;
};

}  // namespace symdiff::bench
