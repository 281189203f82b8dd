// mpi_bench: data-parallel training over MPI on this machine (docs/distributed.md). Run under
// mpirun with P processes (make bench-mpi runs P = 2):
//   W4  softmax regression on Fashion-MNIST, full batch (60,000 rows), f64, lr 0.1: time per step
//   W5  MLP 784-128(relu)-10, minibatches of 128, Adam 1e-3: time per epoch (468 steps)
// each first on rank 0 alone (all the rows; the other ranks sleep), then on the P ranks (each its
// shard), in the same run; the speed-up is the ratio. Then the parts of a scaling estimate: the
// time of one allreduce of each gradient's size, and the memory bandwidth of one process alone
// against P processes at once (a triad over arrays much larger than the caches).
// Single-threaded processes; OpenBLAS as the environment sets it.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include <symdiff/data/fashion_mnist.hpp>
#include <symdiff/distributed/mpi.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto W = symbol<"W">;
constexpr auto b = symbol<"b">;
constexpr auto W1 = symbol<"W1">;
constexpr auto b1 = symbol<"b1">;
constexpr auto W2 = symbol<"W2">;
constexpr auto b2 = symbol<"b2">;

constexpr auto w4_loss = mean(cross_entropy(log_softmax(dot(x, W) + b), y));
constexpr auto w5_loss = mean(cross_entropy(log_softmax(dot(relu(dot(x, W1) + b1), W2) + b2), y));

double seconds_since(clock_type::time_point t0) {
    return std::chrono::duration<double>(clock_type::now() - t0).count();
}

/// The other ranks wait here, asleep, while rank 0 runs alone.
void barrier_asleep() {
    MPI_Request request;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    for (int done = 0; !done;) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

/// W4: seconds per full-batch step (after one warm-up step); `world` null: this process alone.
template <class Set>
double w4_step(const Set& train, std::size_t steps, std::shared_ptr<collective> world, double& loss) {
    const xt::xtensor<double, 2> W0 = xt::zeros<double>({std::size_t{784}, std::size_t{10}});
    const xt::xtensor<double, 1> b0 = xt::zeros<double>({std::size_t{10}});
    trainer t(w4_loss, params(W = W0, b = b0), data(x = train.images, y = train.labels),
              {.learning_rate = 0.1, .log = nullptr, .distributed = world});
    t.train(1);
    const auto t0 = clock_type::now();
    loss = t.train(steps).final_loss();
    return seconds_since(t0) / double(steps);
}

/// W5: seconds per epoch of minibatches of 128 (after one warm-up step).
template <class Set>
double w5_epoch(const Set& train, std::size_t all_rows, std::size_t batch, std::shared_ptr<collective> world,
                double& loss) {
    splitmix64 rng(3);
    const auto init = [&](std::size_t r, std::size_t c, double scale) {
        xt::xtensor<double, 2> a = xt::zeros<double>({r, c});
        for (auto& v : a) v = (double(rng.below(2001)) - 1000.0) * 1e-3 * scale;
        return a;
    };
    const auto W10 = init(784, 128, 0.087), W20 = init(128, 10, 0.2);
    const xt::xtensor<double, 1> b10 = xt::zeros<double>({std::size_t{128}}),
                                 b20 = xt::zeros<double>({std::size_t{10}});
    const std::size_t per_epoch = (all_rows + batch - 1) / batch;
    trainer t(w5_loss, params(W1 = W10, b1 = b10, W2 = W20, b2 = b20), data(x = train.images, y = train.labels),
              {.learning_rate = 1e-3,
               .method = adam{},
               .batch_size = batch,
               .shuffle_seed = 5,
               .log = nullptr,
               .distributed = world});
    t.train(1);
    const auto t0 = clock_type::now();
    loss = t.train(per_epoch).final_loss();
    return seconds_since(t0);
}

/// Seconds per MPI_Allreduce of n doubles (median of `repeats`).
double allreduce_seconds(std::size_t n, int repeats) {
    std::vector<double> v(n, 1.0);
    std::vector<double> times;
    for (int r = 0; r < repeats + 5; ++r) {
        MPI_Barrier(MPI_COMM_WORLD);
        const auto t0 = clock_type::now();
        MPI_Allreduce(MPI_IN_PLACE, v.data(), static_cast<int>(n), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
        if (r >= 5) times.push_back(seconds_since(t0));
    }
    return median(times);
}

/// GB/s of a triad a = b + 3 c over arrays of `n` doubles (best of 5).
double triad_gbs(std::size_t n) {
    std::vector<double> a(n, 0.0), bb(n, 1.0), c(n, 2.0);
    double best = 1e9;
    for (int r = 0; r < 5; ++r) {
        const auto t0 = clock_type::now();
        for (std::size_t i = 0; i < n; ++i) a[i] = bb[i] + 3.0 * c[i];
        best = std::min(best, seconds_since(t0));
    }
    volatile double sink = a[n / 2];
    (void)sink;
    return 3.0 * double(n) * sizeof(double) / best / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    mpi::session session(argc, argv);
    const auto world = mpi::world();
    const int rank = world->rank(), size = world->size();
    std::string dir = default_fashion_mnist_dir();
    std::size_t w4_steps = 10;
    bool w5 = true;
    std::vector<std::size_t> batches{128, 512};
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--mnist-dir" && i + 1 < argc) dir = argv[++i];
        else if (a == "--quick") {
            w4_steps = 3;
            w5 = false;
        }
    }
    const auto say = [&](const char* fmt, auto... v) {
        if (rank == 0) std::printf(fmt, v...);
        if (rank == 0) std::fflush(stdout);
    };
    say("mpi_bench: %d processes, %u hardware threads\n", size, std::thread::hardware_concurrency());

    const auto mine = load_fashion_mnist_shard<double>("train", rank, size, dir);
    std::uint64_t all_rows = 0;
    for (const std::uint64_t n : world->gather(mine.labels.size())) all_rows += n;

    // W4
    double alone = 0, loss_alone = 0, loss_shared = 0;
    if (rank == 0) {
        const auto all = load_fashion_mnist<double>("train", dir);
        alone = w4_step(all, w4_steps, nullptr, loss_alone);
    }
    barrier_asleep();
    const double shared = w4_step(mine, w4_steps, world, loss_shared);
    say("W4_full_f64  1 process %8.1f ms/step   %d processes %8.1f ms/step   speed-up %.2fx   "
        "(loss %.10f / %.10f)\n",
        alone * 1e3, size, shared * 1e3, alone / shared, loss_alone, loss_shared);
    say("             compute per row (1 process): %.2f us\n", alone / double(all_rows) * 1e6);

    // W5 (and the same with larger batches: the work per step that does not shrink with the rows
    // weighs less)
    for (const std::size_t batch : batches) {
        if (!w5) break;
        double e_alone = 0, l_alone = 0, l_shared = 0;
        if (rank == 0) {
            const auto all = load_fashion_mnist<double>("train", dir);
            e_alone = w5_epoch(all, all_rows, batch, nullptr, l_alone);
        }
        barrier_asleep();
        const double e_shared = w5_epoch(mine, all_rows, batch, world, l_shared);
        const double steps = double((all_rows + batch - 1) / batch);
        say("W5_mb%-3zu_f64 1 process %8.2f s/epoch  %d processes %8.2f s/epoch  speed-up %.2fx   "
            "(%.0f / %.0f us/step; loss %.6f / %.6f)\n",
            batch, e_alone, size, e_shared, e_alone / e_shared, e_alone / steps * 1e6, e_shared / steps * 1e6, l_alone,
            l_shared);
    }

    // the parts of the scaling estimate
    for (const std::size_t n : {std::size_t{7850}, std::size_t{101770}}) {
        const double t = allreduce_seconds(n, 200);
        say("allreduce of %zu doubles (%.0f KB) on %d processes: %.1f us\n", n, double(n) * 8 / 1024, size, t * 1e6);
    }
    const std::size_t big = std::size_t{1} << 24;  // 3 arrays of 128 MiB
    double bw_alone = 0;
    if (rank == 0) bw_alone = triad_gbs(big);
    barrier_asleep();
    MPI_Barrier(MPI_COMM_WORLD);
    const double bw_each = triad_gbs(big);
    double bw_sum = 0;
    MPI_Reduce(&bw_each, &bw_sum, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD);
    say("memory bandwidth (triad): 1 process alone %.1f GB/s; %d at once %.1f GB/s in all (%.0f%% of %d x alone)\n",
        bw_alone, size, bw_sum, 100.0 * bw_sum / (bw_alone * size), size);
    return 0;
}
