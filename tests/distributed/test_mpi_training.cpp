// Data-parallel training over MPI (symdiff/distributed/mpi.hpp). CTest runs this file under
// `mpirun -np 2` and `-np 3`; every rank runs every case. Each rank computes the single-process
// reference itself (it has all the data), then trains on its shard; the ranks compare what they
// got with each other, bit for bit, through MPI.
#define BOOST_TEST_MODULE distributed_mpi_training
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include <symdiff/distributed/mpi.hpp>
#include <symdiff/distributed/shard.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

using namespace symdiff;
namespace tt = boost::test_tools;

namespace {
struct mpi_fixture {
    mpi_fixture() { MPI_Init(nullptr, nullptr); }
    ~mpi_fixture() { MPI_Finalize(); }
};
}  // namespace
BOOST_TEST_GLOBAL_FIXTURE(mpi_fixture);

namespace {
constexpr auto x = symbol<"x">;
constexpr auto y = symbol<"y">;
constexpr auto W = symbol<"W">;
constexpr auto b = symbol<"b">;

// softmax regression: 5 features, 3 classes
constexpr auto scores = dot(x, W) + b;
constexpr auto loss = mean(cross_entropy(log_softmax(scores), y));

struct classes_data {
    xt::xtensor<double, 2> x;
    xt::xtensor<std::int32_t, 1> y;
    explicit classes_data(std::size_t n) : x(std::array<std::size_t, 2>{n, 5}), y(std::array<std::size_t, 1>{n}) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < 5; ++j) x(i, j) = std::sin(0.37 * double(i) + 1.3 * double(j));
            const double s = x(i, 0) + 0.5 * x(i, 1) - 0.25 * x(i, 3) + 0.1 * std::cos(0.7 * double(i));
            y(i) = s < -0.4 ? 0 : s < 0.4 ? 1 : 2;
        }
    }
};

auto start() {
    const xt::xtensor<double, 2> W0 = xt::zeros<double>({5, 3});
    const xt::xtensor<double, 1> b0 = xt::zeros<double>({3});
    return params(W = W0, b = b0);
}

/// Whether `v` has the same bits on every rank.
bool same_on_every_rank(const std::vector<double>& v) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    std::vector<double> all(v.size() * static_cast<std::size_t>(size));
    MPI_Allgather(v.data(), static_cast<int>(v.size()), MPI_DOUBLE, all.data(), static_cast<int>(v.size()), MPI_DOUBLE,
                  MPI_COMM_WORLD);
    return std::memcmp(all.data(), all.data() + v.size() * static_cast<std::size_t>(size - 1),
                       v.size() * sizeof(double)) == 0 &&
           std::memcmp(all.data(), all.data() + (size > 1 ? v.size() : 0), v.size() * sizeof(double)) == 0;
}

/// max |a - b| <= tol * max(1, max |b|): a relative tolerance that entries near zero do not defeat.
template <class A, class B>
bool close(const A& a, const B& b, double tol) {
    double diff = 0, scale = 1;
    for (std::size_t i = 0; i < b.size(); ++i) {
        diff = std::max(diff, std::abs(a.flat(i) - b.flat(i)));
        scale = std::max(scale, std::abs(b.flat(i)));
    }
    return a.size() == b.size() && diff <= tol * scale;
}

template <class Fit>
std::vector<double> flat(const Fit& f) {
    std::vector<double> v(f[W].begin(), f[W].end());
    v.insert(v.end(), f[b].begin(), f[b].end());
    v.push_back(f.final_loss());
    v.push_back(static_cast<double>(f.steps_taken));
    return v;
}
}  // namespace

BOOST_AUTO_TEST_CASE(the_shards_put_end_to_end_are_the_data) {
    const auto world = mpi::world();
    const classes_data all(1001);
    const auto mine = shard(all.x, *world);
    const auto [first, last] = shard_range(1001, world->rank(), world->size());
    BOOST_TEST(mine.shape()[0] == last - first);
    BOOST_TEST(mine.shape()[1] == 5u);
    const std::vector<std::uint64_t> counts = world->gather(last - first);
    std::uint64_t total = 0, before = 0;
    for (std::size_t r = 0; r < counts.size(); ++r) {
        total += counts[r];
        if (static_cast<int>(r) < world->rank()) before += counts[r];
    }
    BOOST_TEST(total == 1001u);
    BOOST_TEST(before == first);
    BOOST_TEST(mine(0, 2) == all.x(first, 2));
}

BOOST_AUTO_TEST_CASE(full_batch_training_equals_one_process_and_is_the_same_on_every_rank) {
    const auto world = mpi::world();
    const classes_data all(3000);
    const descent_options o{.learning_rate = 0.5, .steps = 30, .log = nullptr};
    const auto ref = gradient_descent(loss, start(), data(x = all.x, y = all.y), o);

    descent_options d = o;
    d.distributed = world;
    const auto fit = gradient_descent(loss, start(), data(x = shard(all.x, *world), y = shard(all.y, *world)), d);
    BOOST_TEST(fit.ok());
    BOOST_TEST(close(fit[W], ref[W], 1e-12));
    BOOST_TEST(close(fit[b], ref[b], 1e-12));
    BOOST_TEST(fit.final_loss() == ref.final_loss(), tt::tolerance(1e-12));
    BOOST_TEST(same_on_every_rank(flat(fit)));
}

BOOST_AUTO_TEST_CASE(minibatch_training_draws_its_batches_from_one_global_order) {
    const auto world = mpi::world();
    const classes_data all(1000);
    const descent_options o{
        .learning_rate = 0.05, .steps = 64, .method = adam{}, .batch_size = 50, .shuffle_seed = 11, .log = nullptr};
    auto one = trainer(loss, start(), data(x = all.x, y = all.y), o);
    const auto& ref = one.train();

    descent_options d = o;
    d.distributed = world;
    auto many = trainer(loss, start(), data(x = shard(all.x, *world), y = shard(all.y, *world)), d);
    const auto& fit = many.train();
    BOOST_TEST(fit.steps_taken == 64u);
    BOOST_TEST(close(fit[W], ref[W], 1e-10));
    BOOST_TEST(close(fit[b], ref[b], 1e-10));
    BOOST_TEST(same_on_every_rank(flat(fit)));
}

BOOST_AUTO_TEST_CASE(the_deterministic_mode_adds_the_ranks_in_rank_order) {
    // parts whose sum depends on the order: rank 0 gives 1, rank 1 gives 1e16, rank 2 gives -1e16.
    // In rank order: (1 + 1e16) - 1e16 = 0 in double (1 + 1e16 rounds to 1e16); from the last
    // rank back it would be 1.
    const auto world = mpi::world(mpi::reduction::deterministic);
    const std::array<double, 3> part{1.0, 1e16, -1e16};
    double v = part[static_cast<std::size_t>(world->rank()) % 3];
    world->sum(&v, 1);
    double expect = part[0];
    for (int r = 1; r < world->size(); ++r) expect += part[static_cast<std::size_t>(r) % 3];
    BOOST_TEST(v == expect);
    BOOST_TEST(same_on_every_rank({v}));
}

BOOST_AUTO_TEST_CASE(the_deterministic_mode_trains_to_the_same_bits_every_time) {
    const auto world = mpi::world(mpi::reduction::deterministic);
    const classes_data all(2000);
    const descent_options d{.learning_rate = 0.5, .steps = 20, .log = nullptr, .distributed = world};
    const auto xs = shard(all.x, *world);
    const auto ys = shard(all.y, *world);
    const auto first = gradient_descent(loss, start(), data(x = xs, y = ys), d);
    const auto second = gradient_descent(loss, start(), data(x = xs, y = ys), d);
    BOOST_TEST(flat(first) == flat(second));
    BOOST_TEST(same_on_every_rank(flat(first)));
    // and it is the single-process run, to rounding
    const auto ref = gradient_descent(loss, start(), data(x = all.x, y = all.y), {.learning_rate = 0.5, .steps = 20});
    BOOST_TEST(close(first[W], ref[W], 1e-12));
}

BOOST_AUTO_TEST_CASE(bad_data_on_the_last_rank_stops_every_rank_with_its_message) {
    const auto world = mpi::world();
    const classes_data all(600);
    auto xs = shard(all.x, *world);
    const int bad = world->size() - 1;
    if (world->rank() == bad) xs(3, 1) = std::numeric_limits<double>::quiet_NaN();
    std::string message;
    try {
        gradient_descent(loss, start(), data(x = xs, y = shard(all.y, *world)),
                         {.steps = 5, .log = nullptr, .distributed = world});
    } catch (const invalid_argument_error& e) {
        message = e.what();
    }
    BOOST_TEST_INFO(message);
    BOOST_TEST(message.rfind("rank " + std::to_string(bad) + ": gradient_descent: data", 0) == 0u);
    BOOST_TEST(message.find("x") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_wrong_shape_on_one_rank_stops_every_rank_with_its_message) {
    const auto world = mpi::world();
    const classes_data all(600);
    const auto xs = shard(all.x, *world);
    // rank 0 holds one label fewer than rows
    const auto ys_all = shard(all.y, *world);
    const xt::xtensor<std::int32_t, 1> ys_short = xt::view(ys_all, xt::range(0, ys_all.size() - 1));
    std::string message;
    try {
        gradient_descent(loss, start(), data(x = xs, y = world->rank() == 0 ? ys_short : ys_all),
                         {.steps = 5, .log = nullptr, .distributed = world});
    } catch (const std::invalid_argument& e) {
        message = e.what();
    }
    BOOST_TEST_INFO(message);
    BOOST_TEST(message.rfind("rank 0: ", 0) == 0u);
}

BOOST_AUTO_TEST_CASE(a_diverging_run_stops_on_every_rank_at_the_same_step) {
    // least squares with a learning rate far above 1 / (largest eigenvalue of 2 x^T x / n)
    constexpr auto w = symbol<"w">;
    constexpr auto t = symbol<"t">;
    const auto world = mpi::world();
    const classes_data all(600);
    xt::xtensor<double, 1> target = xt::zeros<double>({std::size_t{600}});
    for (std::size_t i = 0; i < 600; ++i) target(i) = all.x(i, 0) - 2 * all.x(i, 2);
    const xt::xtensor<double, 1> w0 = xt::zeros<double>({5});
    const auto fit = gradient_descent(mean(square(dot(x, w) - t)), params(w = w0),
                                      data(x = shard(all.x, *world), t = shard(target, *world)),
                                      {.learning_rate = 5.0, .steps = 200, .log = nullptr, .distributed = world});
    BOOST_TEST((fit.reason == stop_reason::diverged));
    std::vector<double> kept(fit[w].begin(), fit[w].end());
    kept.push_back(static_cast<double>(fit.steps_taken));
    kept.push_back(static_cast<double>(fit.loss_history.size()));
    BOOST_TEST(same_on_every_rank(kept));
    BOOST_TEST(std::isfinite(fit.final_loss()));
}
