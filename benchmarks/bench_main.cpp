// symdiff_bench -- time per optimisation step of symdiff against hand-written baselines.
//
// Workloads (workloads.hpp): W1 scale, W2 linear regression (n = 1e2, 1e4, 1e6), W3 quadratic,
// W4 softmax regression on Fashion-MNIST (full batch, f64 and f32), W6 logistic regression + L2,
// W7 a degree-5 polynomial with integer powers, W8 Poisson regression, W9 the Hessian, a
// Hessian-vector product and a gradient of W6's loss at a fixed point (also written with einsum),
// W10 a Gaussian mixture's loss and gradient (einsum and fill_triangular; n = 1000, d = 10, k = 25). Output: one CSV
// line
//     workload,impl,size,ns_per_step,final_loss
// per (workload, size, implementation) on stdout and, with --csv PATH, in PATH (notes, i.e.
// lines starting with '#', go to PATH's `_notes.txt` sibling); at the end a '#' table of every
// implementation's time relative to `handwritten`.
//
// Adding symdiff implementations: in symdiff_impl.hpp, define the workload's macro and one
// struct in namespace symdiff::bench::with_symdiff, for example
//
//     #define SYMDIFF_BENCH_HAVE_W2
//     namespace symdiff::bench::with_symdiff {
//     struct W2 {
//         explicit W2(const W2Data& d);  // not timed: build expressions, copy data, allocate
//         void reset();                  // parameters back to d.a0
//         void step();                   // ONE step: loss + gradient + update (lr = d.lr)
//         double loss() const;           // the loss computed by the last step()
//     };
//     }
//
// The same for W1 (W1Data), W3 (W3Data) and W4, which is a template over the precision:
// `template <class T> struct W4 { explicit W4(const W4Data<T>&); ... };` (run for double and
// float). Optional members: `static constexpr const char* name` (the CSV impl column, default
// "symdiff") and, for W4, `double test_accuracy()` (reported as a note).
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include <symdiff/data/fashion_mnist.hpp>

#include "handwritten.hpp"
#include "symdiff_impl.hpp"
#include "timing.hpp"
#include "workloads.hpp"

// OpenBLAS's thread control, if the linked BLAS is OpenBLAS (weak: null otherwise). All timings
// are single-threaded unless --blas-threads says otherwise; Eigen runs single-threaded here
// because the benchmark is not compiled with -fopenmp.
extern "C" void openblas_set_num_threads(int) __attribute__((weak));

namespace symdiff::bench {
namespace {

struct Options {
    std::string only;  // comma-separated workloads ("" = all), e.g. "W1,W2"
    std::string csv_path;
    std::string mnist_dir = symdiff::default_fashion_mnist_dir();
    bool quick = false;
    int blas_threads = 1;
    TimingOptions timing;

    bool want(const std::string& workload) const {
        if (only.empty()) return true;
        return ("," + only + ",").find("," + workload + ",") != std::string::npos;
    }
};

void usage(const char* argv0) {
    std::printf(
        "usage: %s [--only W1,W2,W3,W4,W5,W6,W7,W8,W9,W10] [--quick] [--csv PATH] [--mnist-dir DIR]\n"
        "          [--max-reps N] [--min-total SECONDS] [--blas-threads N] [--threads N]\n"
        "  --only          run only these workloads (default: all)\n"
        "  --quick         one timed repeat after the warm-up (smoke test; W4 still does its 20 steps)\n"
        "  --csv PATH      also write the CSV rows to PATH and the notes to PATH_notes.txt\n"
        "  --mnist-dir     Fashion-MNIST folder (default: $SYMDIFF_FASHION_MNIST_DIR or the Debian path)\n"
        "  --blas-threads  OpenBLAS threads (default 1; 0 = leave OpenBLAS's default)\n"
        "  --threads       threads of symdiff's W4, W6 and W8 programs (default 1)\n",
        argv0);
}

Options parse_args(int argc, char** argv) {
    Options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--only" && has_value) o.only = argv[++i];
        else if (a == "--csv" && has_value) o.csv_path = argv[++i];
        else if (a == "--mnist-dir" && has_value) o.mnist_dir = argv[++i];
        else if (a == "--max-reps" && has_value) o.timing.max_reps = std::atoi(argv[++i]);
        else if (a == "--min-total" && has_value) o.timing.min_total_s = std::atof(argv[++i]);
        else if (a == "--blas-threads" && has_value) o.blas_threads = std::atoi(argv[++i]);
        else if (a == "--threads" && has_value)
            with_symdiff::threads = static_cast<std::size_t>(std::max(1, std::atoi(argv[++i])));
        else if (a == "--quick") o.quick = true;
        else if (a == "-h" || a == "--help") {
            usage(argv[0]);
            std::exit(0);
        } else {
            std::fprintf(stderr, "%s: unknown or incomplete argument '%s'\n", argv[0], a.c_str());
            usage(argv[0]);
            std::exit(2);
        }
    }
    if (o.quick) {
        o.timing.min_reps = 1;
        o.timing.max_reps = 1;
        o.timing.min_total_s = 0.0;
    }
    return o;
}

// The CSV impl column: Impl::name when the struct has one, `fallback` otherwise.
template <class Impl>
std::string impl_name(const char* fallback) {
    if constexpr (requires { Impl::name; }) return Impl::name;
    else return fallback;
}

// ---------------------------------------------------------------------------------------------
// Drivers (same loops as the peer benchmark's run_w1/run_w2/run_w3/run_w4)
// ---------------------------------------------------------------------------------------------

// 1e5 steps in chunks of 20, each chunk restarting from w0; final_loss = loss of step 20.
template <class Impl>
void run_w1(const std::string& name, const W1Data& d, const Options& o, Reporter& rep) {
    Impl m(d);
    const long chunks = d.steps / d.restart;
    auto all = [&] {
        for (long c = 0; c < chunks; ++c) {
            m.reset();
            for (int i = 0; i < d.restart; ++i) m.step();
            clobber_memory();
        }
    };
    const double ns = time_per_step(all, static_cast<double>(chunks * d.restart), o.timing);
    m.reset();
    for (int i = 0; i < d.restart; ++i) m.step();
    rep.emit("W1", name, d.size(), ns, m.loss());
}

// 1e5 consecutive steps from p0; final_loss = loss of step 10.
template <class Impl>
void run_w3(const std::string& name, const W3Data& d, const Options& o, Reporter& rep) {
    Impl m(d);
    auto all = [&] {
        m.reset();
        for (long i = 0; i < d.steps; ++i) m.step();
        clobber_memory();
    };
    const double ns = time_per_step(all, static_cast<double>(d.steps), o.timing);
    const double loss_long = m.loss();
    m.reset();
    for (int i = 0; i < d.loss_steps; ++i) m.step();
    rep.emit("W3", name, d.size(), ns, m.loss());
    rep.notef("W3 %s loss_after_%ld_steps=%.10g", name.c_str(), d.steps, loss_long);
}

// `steps` consecutive steps from the start; final_loss = loss of the last step.
template <class Impl, class Data>
void run_steps(const char* workload, const std::string& name, const Data& d, const Options& o, Reporter& rep) {
    Impl m(d);
    auto all = [&] {
        m.reset();
        for (int i = 0; i < d.steps; ++i) m.step();
        clobber_memory();
    };
    const double ns = time_per_step(all, static_cast<double>(d.steps), o.timing);
    rep.emit(workload, name, d.size(), ns, m.loss());
}

// 20 full-batch steps from zero, each timed; median (no warm-up, as in the peer benchmark);
// final_loss = loss of step 20.
template <class Impl, class T>
void run_w4(const std::string& name, const W4Data<T>& d, Reporter& rep) {
    const std::string workload = std::string("W4_full_") + precision_tag<T>();
    const std::int64_t c0 = now_ns();
    Impl m(d);
    const double construct_ms = static_cast<double>(now_ns() - c0) * 1e-6;
    m.reset();
    std::vector<double> per_step;
    for (int s = 0; s < d.steps; ++s) {
        const std::int64_t t0 = now_ns();
        m.step();
        per_step.push_back(static_cast<double>(now_ns() - t0));
    }
    rep.emit(workload, name, d.n(), median(per_step), m.loss());
    if constexpr (requires { m.test_accuracy(); }) {
        rep.notef("%s %s construct_ms=%.1f first_step_ms=%.2f test_acc_after_%d_steps=%.4f", workload.c_str(),
                  name.c_str(), construct_ms, per_step.front() * 1e-6, d.steps, static_cast<double>(m.test_accuracy()));
    } else {
        rep.notef("%s %s construct_ms=%.1f first_step_ms=%.2f", workload.c_str(), name.c_str(), construct_ms,
                  per_step.front() * 1e-6);
    }
    rep.note_peak_rss(workload + " " + name);
}

// Minibatches (workloads.hpp): one warm-up step, then the other 467 batches of the epoch timed
// together; the time per step is their mean, final_loss the loss of the last batch.
template <class Impl, class T>
void run_minibatches(const std::string& workload, const std::string& name, const W4Data<T>& d, Reporter& rep) {
    Impl m(d);
    m.run(1);
    const std::int64_t t0 = now_ns();
    m.run(minibatch_steps - 1);
    const double ns = static_cast<double>(now_ns() - t0) / static_cast<double>(minibatch_steps - 1);
    rep.emit(workload, name, minibatch_rows, ns, m.loss());
}

// ---------------------------------------------------------------------------------------------
// Workloads: every implementation present, on the same data
// ---------------------------------------------------------------------------------------------
void bench_w1(const Options& o, Reporter& rep) {
    const W1Data d = make_w1();
    run_w1<handwritten::W1>("handwritten", d, o, rep);
#if defined(SYMDIFF_BENCH_HAVE_W1)
    run_w1<with_symdiff::W1>(impl_name<with_symdiff::W1>("symdiff"), d, o, rep);
#endif
    rep.note_peak_rss("W1");
}

void bench_w2(const Options& o, Reporter& rep) {
    for (const std::size_t n : w2_sizes()) {
        const W2Data d = make_w2(n);
        run_steps<handwritten::W2>("W2", "handwritten", d, o, rep);  // 100 steps from a0
#if defined(SYMDIFF_BENCH_HAVE_W2)
        run_steps<with_symdiff::W2>("W2", impl_name<with_symdiff::W2>("symdiff"), d, o, rep);
#endif
    }
    rep.note_peak_rss("W2");
}

void bench_w3(const Options& o, Reporter& rep) {
    const W3Data d = make_w3();
    run_w3<handwritten::W3>("handwritten", d, o, rep);
#if defined(SYMDIFF_BENCH_HAVE_W3)
    run_w3<with_symdiff::W3>(impl_name<with_symdiff::W3>("symdiff"), d, o, rep);
#endif
    rep.note_peak_rss("W3");
}

template <class Handwritten, class Symdiff, class Data>
void bench_model(const char* workload, const Data& d, const Options& o, Reporter& rep) {
    run_steps<Handwritten>(workload, "handwritten", d, o, rep);
    run_steps<Symdiff>(workload, "symdiff", d, o, rep);
    rep.note_peak_rss(workload);
}

void bench_models(const Options& o, Reporter& rep) {
    if (o.want("W6")) bench_model<handwritten::W6, with_symdiff::W6>("W6", make_w6(), o, rep);
    if (o.want("W7")) bench_model<handwritten::W7, with_symdiff::W7>("W7", make_w7(), o, rep);
    if (o.want("W8")) bench_model<handwritten::W8, with_symdiff::W8>("W8", make_w8(), o, rep);
#if defined(SYMDIFF_BENCH_HAVE_W9)
    if (o.want("W9")) {
        const W9Data d = make_w9();
        using handwritten::W9Kind;
        bench_model<handwritten::W9<W9Kind::gradient>, with_symdiff::W9Gradient>("W9_gradient", d, o, rep);
        bench_model<handwritten::W9<W9Kind::gradient>, with_symdiff::W9EinsumGradient>("W9_einsum_gradient", d, o, rep);
        bench_model<handwritten::W9<W9Kind::hvp>, with_symdiff::W9Hvp>("W9_hvp", d, o, rep);
        bench_model<handwritten::W9<W9Kind::hessian>, with_symdiff::W9Hessian>("W9_hessian", d, o, rep);
    }
#endif
#if defined(SYMDIFF_BENCH_HAVE_W10)
    if (o.want("W10")) bench_model<handwritten::W10, with_symdiff::W10>("W10_mixture", make_w10(), o, rep);
#endif
}

// Loads train and test split in precision T; std::nullopt (with a note) when the data is absent.
template <class T>
std::optional<W4Data<T>> load_w4(const Options& o, Reporter& rep) {
    try {
        const std::int64_t t0 = now_ns();
        auto train = symdiff::load_fashion_mnist<T>("train", o.mnist_dir);
        auto test = symdiff::load_fashion_mnist<T>("t10k", o.mnist_dir);
        W4Data<T> d;
        d.X = std::move(train.images);
        d.y = std::move(train.labels);
        d.X_test = std::move(test.images);
        d.y_test = std::move(test.labels);
        rep.notef("W4 %s data: %zu x %zu train, %zu test, loaded in %.0f ms", precision_tag<T>(), d.n(), d.X.shape()[1],
                  d.X_test.shape()[0], static_cast<double>(now_ns() - t0) * 1e-6);
        rep.note_peak_rss(std::string("loading W4 ") + precision_tag<T>());
        return d;
    } catch (const symdiff::data_error& e) {
        rep.notef("W4 %s skipped: Fashion-MNIST not available: %s", precision_tag<T>(), e.what());
        return std::nullopt;
    }
}

/// W4's full-batch steps and minibatches of 128.
template <class T>
void bench_w4_steps(const W4Data<T>& d, Reporter& rep) {
    run_w4<handwritten::W4<T>>("handwritten", d, rep);
    run_w4<handwritten::W4Blocked<T>>("handwritten_blocked", d, rep);
#if defined(SYMDIFF_BENCH_HAVE_W4)
    run_w4<with_symdiff::W4<T>>(impl_name<with_symdiff::W4<T>>("symdiff"), d, rep);
#endif
    const std::string mb = std::string("W4_mb128_") + precision_tag<T>();
    run_minibatches<handwritten::W4Minibatch<T>>(mb, "handwritten", d, rep);
    run_minibatches<with_symdiff::W4Minibatch<T>>(mb, "symdiff", d, rep);
}

template <class T>
bool bench_w4(const Options& o, Reporter& rep) {
    const std::optional<W4Data<T>> d = load_w4<T>(o, rep);
    if (!d) return false;
    if (o.want("W4")) bench_w4_steps<T>(*d, rep);
#if defined(SYMDIFF_BENCH_HAVE_HANDWRITTEN_W5)
    if constexpr (std::is_same_v<T, float>) {  // W5 is defined in f32
        if (o.want("W5")) {
            run_minibatches<handwritten::W5<T>>("W5_mlp_mb128_f32", "handwritten", *d, rep);
            run_minibatches<with_symdiff::W5<T>>("W5_mlp_mb128_f32", "symdiff", *d, rep);
        }
    }
#endif
    return true;
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    if (!(f >> a >> b >> c)) return "unknown";
    return a + " " + b + " " + c;
}

int run(int argc, char** argv) {
    const Options o = parse_args(argc, argv);
    Reporter rep;
    if (!o.csv_path.empty()) rep.open_csv(o.csv_path);

    if (o.blas_threads > 0 && openblas_set_num_threads != nullptr) openblas_set_num_threads(o.blas_threads);

    rep.header();
    rep.notef("symdiff_bench: compiler %s, W4 products: %s, BLAS threads: %s, timing: %s", __VERSION__,
              handwritten::gemm_backend(), o.blas_threads > 0 ? std::to_string(o.blas_threads).c_str() : "default",
              o.quick ? "quick (1 repeat)" : "median of >=3 repeats, >=0.3 s");
    rep.notef("load average at start: %s", load_average().c_str());
#if !defined(SYMDIFF_BENCH_HAVE_W1) && !defined(SYMDIFF_BENCH_HAVE_W2) && !defined(SYMDIFF_BENCH_HAVE_W3) && \
    !defined(SYMDIFF_BENCH_HAVE_W4)
    rep.note("no symdiff implementation in symdiff_impl.hpp yet: baselines only");
#endif

    if (o.want("W1")) bench_w1(o, rep);
    if (o.want("W2")) bench_w2(o, rep);
    if (o.want("W3")) bench_w3(o, rep);
    bench_models(o, rep);
    if (o.want("W4") || o.want("W5")) {  // W5 reads W4's data, in f32
        if (bench_w4<double>(o, rep)) bench_w4<float>(o, rep);
    }

    rep.notef("load average at end: %s", load_average().c_str());
    rep.ratio_table("handwritten");
    if (!o.csv_path.empty()) rep.notef("wrote %s and %s", o.csv_path.c_str(), rep.notes_path().c_str());
    return 0;
}

}  // namespace
}  // namespace symdiff::bench

int main(int argc, char** argv) {
    try {
        return symdiff::bench::run(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "symdiff_bench: %s\n", e.what());
        return 1;
    }
}
