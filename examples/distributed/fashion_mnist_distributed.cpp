// fashion_mnist_distributed: the softmax regression of fashion_mnist_softmax, trained on several
// processes over MPI (data parallelism): each rank reads only its share of the images, every step
// adds the ranks' gradients with one allreduce, and every rank applies the same update.
//
//   mpirun -np 2 ./fashion_mnist_distributed            the full run: 60,000 images, 5 epochs
//   mpirun -np 2 ./fashion_mnist_distributed --quick    2,000 images, 3 epochs (the CTest run)
//   options: --epochs N, --lr X, --data DIR
//
// Rank 0 also trains the same model alone on all the rows first (the other ranks wait), so one run
// prints both: the accuracy of 1 and of N processes (they must agree) and the time per epoch of
// each. Only rank 0 prints.
//
// TEST-ARGS: --quick
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <symdiff/distributed/mpi.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

#include "../common/check.hpp"
#include "../common/fashion_mnist_run.hpp"

using namespace symdiff;

namespace {

constexpr auto x = symbol<"x">;  // n x 784 pixels
constexpr auto y = symbol<"y">;  // n labels, 0 to 9
constexpr auto W = symbol<"W">;  // 784 x 10
constexpr auto b = symbol<"b">;  // 10

constexpr auto scores = dot(x, W) + b;
constexpr auto loss = mean(cross_entropy(log_softmax(scores), y));
constexpr auto accuracy = 10 * mean(argmax_mask(scores, axis<1>) * one_hot<10>(y));

/// Waits for the other ranks without spinning on a core (rank 0 trains alone meanwhile).
void wait_for_all() {
    MPI_Request request;
    MPI_Ibarrier(MPI_COMM_WORLD, &request);
    for (int done = 0; !done;) {
        MPI_Test(&request, &done, MPI_STATUS_IGNORE);
        if (!done) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
}

struct outcome {
    double accuracy = 0, seconds_per_epoch = 0, final_loss = 0;
    xt::xtensor<double, 2> W;
};

/// Trains on `train` (this process's rows; all of them when `world` is null) and validates on `test`.
template <class Set>
outcome train_on(const Set& train, const Set& test, std::size_t epochs, double lr, std::size_t all_rows,
                 std::shared_ptr<collective> world) {
    const std::size_t batch = 128, batches = (all_rows + batch - 1) / batch;
    const xt::xtensor<double, 2> W0 = xt::zeros<double>({std::size_t{784}, std::size_t{10}});
    const xt::xtensor<double, 1> b0 = xt::zeros<double>({std::size_t{10}});
    // [snippet:distributed_trainer]
    trainer t(loss, params(W = W0, b = b0), data(x = train.images, y = train.labels),
              {.learning_rate = lr,
               .schedule = lambda_lr{[](std::size_t e) { return 1.0 / (1.0 + 0.5 * double(e)); }},
               .batch_size = batch,
               .shuffle_seed = 42,
               .log = nullptr,
               .distributed = world});  // symdiff::mpi::world(): each rank passes its own rows
    t.validate_on(data(x = test.images, y = test.labels), metric("test accuracy", accuracy));
    const auto& fit = t.train(epochs * batches);
    // [/snippet:distributed_trainer]
    outcome o;
    o.accuracy = fit.epochs.back().metrics.at(0);
    for (const auto& e : fit.epochs) o.seconds_per_epoch += e.seconds / double(fit.epochs.size());
    o.final_loss = fit.final_loss();
    o.W = fit[W];
    return o;
}

int run(const example::mnist_options& opt) {
    example::checker check;
    const auto world = mpi::world();
    const int rank = world->rank(), size = world->size();
    const std::size_t limit = opt.quick ? 2000 : 0;
    const std::size_t epochs = opt.epochs ? opt.epochs : (opt.quick ? 3 : 5);
    const double lr = opt.learning_rate > 0 ? opt.learning_rate : 0.5;

    // each rank reads its share of the training and the test images
    const auto train = load_fashion_mnist_shard<double>("train", rank, size, opt.dir, limit);
    const auto test = load_fashion_mnist_shard<double>("t10k", rank, size, opt.dir, limit);
    std::uint64_t all_rows = 0;
    for (const std::uint64_t n : world->gather(train.labels.size())) all_rows += n;
    if (rank == 0)
        std::printf(
            "softmax regression on Fashion-MNIST: %llu training images on %d processes (%zu on rank 0), "
            "%zu epochs, batch 128\n",
            static_cast<unsigned long long>(all_rows), size, train.labels.size(), epochs);

    // one process alone, on all the rows (rank 0; the others wait)
    outcome alone;
    if (rank == 0) {
        const auto all_train = load_fashion_mnist<double>("train", opt.dir, limit);
        const auto all_test = load_fashion_mnist<double>("t10k", opt.dir, limit);
        alone = train_on(all_train, all_test, epochs, lr, all_rows, nullptr);
    }
    wait_for_all();
    const outcome shared = train_on(train, test, epochs, lr, all_rows, world);

    if (rank == 0) {
        std::printf("\n%-12s %14s %16s %12s\n", "processes", "test accuracy", "s per epoch", "final loss");
        std::printf("%-12d %14.4f %16.3f %12.6f\n", 1, alone.accuracy, alone.seconds_per_epoch, alone.final_loss);
        std::printf("%-12d %14.4f %16.3f %12.6f\n", size, shared.accuracy, shared.seconds_per_epoch, shared.final_loss);
        std::printf("speed-up %.2fx (the epoch time includes the validation pass)\n",
                    alone.seconds_per_epoch / shared.seconds_per_epoch);
        double diff = 0;
        for (std::size_t i = 0; i < alone.W.size(); ++i)
            diff = std::max(diff, std::abs(alone.W.flat(i) - shared.W.flat(i)));
        std::printf("largest difference of the weights, 1 against %d processes: %.3g\n", size, diff);
        check.near("the same test accuracy on 1 and on N processes", shared.accuracy, alone.accuracy, 1e-3);
        check.near("the same final loss", shared.final_loss, alone.final_loss, 1e-9);
        check.that("the same weights to rounding", diff < 1e-9, example::format("%.3g", diff));
        if (opt.quick) check.that("accuracy far above chance", shared.accuracy >= 0.65);
        else check.that("test accuracy >= 0.82", shared.accuracy >= 0.82);
    }
    // every rank returns rank 0's verdict
    int code = rank == 0 ? check.exit_code() : 0;
    MPI_Bcast(&code, 1, MPI_INT, 0, MPI_COMM_WORLD);
    return code;
}

}  // namespace

int main(int argc, char** argv) {
    mpi::session mpi(argc, argv);
    const auto opt = example::parse_mnist_options(
        argc, argv, "mpirun -np N fashion_mnist_distributed [--quick] [--epochs N] [--lr X] [--data DIR]");
    try {
        return run(opt);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "fashion_mnist_distributed: %s\n", e.what());
        MPI_Abort(MPI_COMM_WORLD, 1);
        return 1;
    }
}
