// The trainer with its rows shared across processes (descent_options::distributed), members over
// threads (tests/support/thread_collective.hpp; tests/distributed/ runs the same under mpirun):
// full batch against gradient descent written here as a loop; minibatches against one process
// holding all the rows; every member the same parameters, bit for bit; faults on one member stop
// all of them with its message.
#define BOOST_TEST_MODULE optim_trainer_shared
#include <boost/test/unit_test.hpp>

#include <array>
#include <cmath>
#include <filesystem>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

#include "support/thread_collective.hpp"

using namespace symdiff;
namespace tt = boost::test_tools;

namespace {
constexpr auto X = symbol<"X">;
constexpr auto y = symbol<"y">;
constexpr auto w = symbol<"w">;
constexpr auto b = symbol<"b">;

const auto loss = mean(square(dot(X, w) + b - y));

struct rows_data {
    xt::xtensor<double, 2> X;
    xt::xtensor<double, 1> y;
    explicit rows_data(std::size_t n) : X(std::array<std::size_t, 2>{n, 3}), y(std::array<std::size_t, 1>{n}) {
        for (std::size_t i = 0; i < n; ++i) {
            for (std::size_t j = 0; j < 3; ++j) X(i, j) = std::sin(0.37 * double(i) + 1.3 * double(j));
            y(i) = 0.5 * X(i, 0) - 1.5 * X(i, 1) + 0.25 * X(i, 2) + 0.75 + 0.1 * std::cos(0.11 * double(i));
        }
    }
    rows_data part(std::size_t lo, std::size_t hi) const {
        rows_data p(0);
        p.X = xt::view(X, xt::range(lo, hi), xt::all());
        p.y = xt::view(y, xt::range(lo, hi));
        return p;
    }
};

/// Member r of `members` holds rows [r n / members, (r + 1) n / members).
std::pair<std::size_t, std::size_t> share(std::size_t n, int r, int members) {
    const auto ur = static_cast<std::size_t>(r), m = static_cast<std::size_t>(members);
    return {ur * n / m, (ur + 1) * n / m};
}

struct fitted {
    xt::xtensor<double, 1> w;
    double b = 0, loss = 0;
    std::size_t steps = 0;
    stop_reason reason = stop_reason::completed;
    std::string message, error;
};

template <class Fit>
fitted record(const Fit& f) {
    return {f[w], f[b], f.final_loss(), f.steps_taken, f.reason, f.message, {}};
}
}  // namespace

BOOST_AUTO_TEST_CASE(full_batch_training_on_three_members_is_gradient_descent_over_all_rows) {
    const std::size_t n = 1000, steps = 40;
    const double lr = 0.1;
    const rows_data all(n);
    // gradient descent written out: w -= lr 2/n X^T r, b -= lr 2/n sum r, r = X w + b - y
    std::array<double, 3> W{0, 0, 0};
    double B = 0;
    for (std::size_t s = 0; s < steps; ++s) {
        std::array<double, 3> gw{0, 0, 0};
        double gb = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const double r = all.X(i, 0) * W[0] + all.X(i, 1) * W[1] + all.X(i, 2) * W[2] + B - all.y(i);
            for (std::size_t j = 0; j < 3; ++j) gw[j] += 2 * r * all.X(i, j) / double(n);
            gb += 2 * r / double(n);
        }
        for (std::size_t j = 0; j < 3; ++j) W[j] -= lr * gw[j];
        B -= lr * gb;
    }
    std::vector<fitted> out(3);
    test_support::run_members(3, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(n, r, 3);
        const rows_data mine = all.part(lo, hi);
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y),
                         {.learning_rate = lr, .steps = steps, .log = nullptr, .distributed = c});
        out[static_cast<std::size_t>(r)] = record(t.train());
    });
    for (const fitted& f : out) {
        for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(f.w(j) == W[j], tt::tolerance(1e-12));
        BOOST_TEST(f.b == B, tt::tolerance(1e-12));
        BOOST_TEST(f.steps == steps);
        BOOST_TEST(f.w == out[0].w);  // bit for bit on every member
        BOOST_TEST(f.b == out[0].b);
    }
}

BOOST_AUTO_TEST_CASE(minibatch_training_on_two_members_equals_one_process_holding_all_rows) {
    const std::size_t n = 700;
    const rows_data all(n);
    const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
    const descent_options o{
        .learning_rate = 0.05, .steps = 60, .method = adam{}, .batch_size = 64, .shuffle_seed = 7, .log = nullptr};
    auto one = trainer(loss, params(w = w0, b = 0.0), data(X = all.X, y = all.y), o);
    const fitted ref = record(one.train());
    for (const int members : {2, 3}) {
        std::vector<fitted> out(static_cast<std::size_t>(members));
        test_support::run_members(members, [&](std::shared_ptr<collective> c, int r) {
            const auto [lo, hi] = share(n, r, members);
            const rows_data mine = all.part(lo, hi);
            descent_options mo = o;
            mo.distributed = c;
            auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y), mo);
            out[static_cast<std::size_t>(r)] = record(t.train());
        });
        for (const fitted& f : out) {
            BOOST_TEST_INFO(members << " members");
            for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(f.w(j) == ref.w(j), tt::tolerance(1e-10));
            BOOST_TEST(f.b == ref.b, tt::tolerance(1e-10));
            BOOST_TEST(f.loss == ref.loss, tt::tolerance(1e-10));
            BOOST_TEST(f.w == out[0].w);
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_data_on_one_member_stops_every_member_with_its_message) {
    const rows_data all(300);
    std::vector<std::string> msg(3);
    test_support::run_members(3, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(300, r, 3);
        rows_data mine = all.part(lo, hi);
        if (r == 2) mine.y(5) = std::numeric_limits<double>::quiet_NaN();
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        try {
            auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y),
                             {.log = nullptr, .distributed = c});
            t.train(3);
        } catch (const invalid_argument_error& e) {
            msg[static_cast<std::size_t>(r)] = e.what();
        }
    });
    for (const std::string& m : msg) {
        BOOST_TEST_INFO(m);
        BOOST_TEST(m.rfind("rank 2: trainer: data", 0) == 0u);
        BOOST_TEST(m.find("y") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(a_diverging_run_stops_on_every_member_at_the_same_step_with_the_same_parameters) {
    const rows_data all(400);
    std::vector<fitted> out(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(400, r, 2);
        const rows_data mine = all.part(lo, hi);
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y),
                         {.learning_rate = 3.0, .steps = 200, .log = nullptr, .distributed = c});
        out[static_cast<std::size_t>(r)] = record(t.train());
    });
    BOOST_TEST((out[0].reason == stop_reason::diverged));
    BOOST_TEST((out[1].reason == stop_reason::diverged));
    BOOST_TEST(out[0].message == out[1].message);
    BOOST_TEST(out[0].steps == out[1].steps);
    BOOST_TEST(out[0].w == out[1].w);
    BOOST_TEST(std::isfinite(out[0].loss));
}

BOOST_AUTO_TEST_CASE(a_callback_that_stops_one_member_stops_all_and_only_rank_0_logs) {
    const rows_data all(200);
    std::vector<fitted> out(2);
    std::vector<std::string> logs(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(200, r, 2);
        const rows_data mine = all.part(lo, hi);
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        std::ostringstream log;
        auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y),
                         {.learning_rate = 0.1, .steps = 50, .log_every = 1, .log = &log, .distributed = c});
        out[static_cast<std::size_t>(r)] = record(t.train(
            50, [&](const auto& info) { return r == 1 && info.step == 7 ? step_action::stop : step_action::proceed; }));
        logs[static_cast<std::size_t>(r)] = log.str();
    });
    for (const fitted& f : out) {
        BOOST_TEST((f.reason == stop_reason::stopped_by_callback));
        BOOST_TEST(f.steps == 7u);
    }
    BOOST_TEST(logs[0].find("step 7: loss") != std::string::npos);
    BOOST_TEST(logs[1].empty());
}

BOOST_AUTO_TEST_CASE(the_gradient_check_runs_once_and_its_verdict_reaches_every_member) {
    const rows_data all(200);
    std::vector<fitted> out(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(200, r, 2);
        const rows_data mine = all.part(lo, hi);
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y),
                         {.steps = 5, .log = nullptr, .check_gradient = true, .distributed = c});
        const auto& fit = t.train();
        out[static_cast<std::size_t>(r)] = record(fit);
    });
    BOOST_TEST((out[0].reason == stop_reason::completed));
    BOOST_TEST((out[1].reason == stop_reason::completed));
    BOOST_TEST(out[0].w == out[1].w);
}

BOOST_AUTO_TEST_CASE(a_callback_that_throws_on_one_member_stops_every_member) {
    const rows_data all(200);
    std::vector<std::string> msg(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(200, r, 2);
        const rows_data mine = all.part(lo, hi);
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y),
                         {.learning_rate = 0.1, .steps = 20, .log = nullptr, .distributed = c});
        try {
            t.train(20, [&](const auto& info) {
                if (r == 1 && info.step == 4) throw std::runtime_error("the callback gave up");
            });
        } catch (const std::exception& e) {
            msg[static_cast<std::size_t>(r)] = e.what();
        }
    });
    for (const std::string& m : msg) BOOST_TEST(m == "rank 1: the callback gave up");
}

BOOST_AUTO_TEST_CASE(members_that_call_train_differently_are_told_so) {
    // member 1 asks for one more step; then for minibatches of 10 where member 0 uses full batches
    const rows_data all(100);
    for (const bool by_options : {false, true}) {
        std::vector<std::string> msg(2);
        test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
            const auto [lo, hi] = share(100, r, 2);
            const rows_data mine = all.part(lo, hi);
            const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
            const std::size_t batch = by_options && r == 1 ? 10 : 0, steps = !by_options && r == 1 ? 6 : 5;
            auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y),
                             {.batch_size = batch, .log = nullptr, .distributed = c});
            try {
                t.train(steps);
            } catch (const invalid_argument_error& e) {
                msg[static_cast<std::size_t>(r)] = e.what();
            }
        });
        for (const std::string& m : msg)
            BOOST_TEST(m.find("the processes called train() differently") != std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(every_member_starts_from_rank_0s_parameters_and_an_empty_share_takes_part) {
    const rows_data all(300);
    std::vector<fitted> out(3);
    test_support::run_members(3, [&](std::shared_ptr<collective> c, int r) {
        // member 1 holds no rows; each member starts from its own w (rank 0's must win)
        const std::size_t lo = r == 0 ? 0 : r == 1 ? 150 : 150, hi = r == 0 ? 150 : r == 1 ? 150 : 300;
        const rows_data mine = all.part(lo, hi);
        const xt::xtensor<double, 1> w0{0.1 * r, 0.2, -0.3};
        auto t = trainer(loss, params(w = w0, b = 0.5 * r), data(X = mine.X, y = mine.y),
                         {.learning_rate = 0.1, .steps = 10, .log = nullptr, .distributed = c});
        out[static_cast<std::size_t>(r)] = record(t.train());
    });
    const xt::xtensor<double, 1> w0{0.0, 0.2, -0.3};
    auto one = trainer(loss, params(w = w0, b = 0.0), data(X = all.X, y = all.y),
                       {.learning_rate = 0.1, .steps = 10, .log = nullptr});
    const fitted ref = record(one.train());
    for (const fitted& f : out) {
        for (std::size_t j = 0; j < 3; ++j) BOOST_TEST(f.w(j) == ref.w(j), tt::tolerance(1e-12));
        BOOST_TEST(f.b == ref.b, tt::tolerance(1e-12));
        BOOST_TEST(f.w == out[0].w);
    }
}

BOOST_AUTO_TEST_CASE(a_checkpoint_written_by_rank_0_continues_the_run_on_every_member) {
    const rows_data all(400);
    const std::string dir = "trainer_shared_checkpoint";
    std::vector<fitted> straight(2), resumed(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(400, r, 2);
        const rows_data mine = all.part(lo, hi);
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        const descent_options o{
            .learning_rate = 0.05, .method = adam{}, .batch_size = 64, .log = nullptr, .distributed = c};
        auto a = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y), o);
        straight[static_cast<std::size_t>(r)] = record(a.train(30));
        auto b1 = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y), o);
        b1.train(12);
        b1.save(dir);
        auto b2 = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y), o);
        b2.load(dir);
        resumed[static_cast<std::size_t>(r)] = record(b2.train(18));
    });
    std::filesystem::remove_all(dir);
    for (std::size_t r = 0; r < 2; ++r) {
        BOOST_TEST(resumed[r].w == straight[r].w);  // bit for bit: the same run
        BOOST_TEST(resumed[r].b == straight[r].b);
    }
}

BOOST_AUTO_TEST_CASE(a_checkpoint_one_member_cannot_read_raises_io_error_on_every_member) {
    // member 1 is given a directory without a checkpoint: every member raises io_error, as one
    // process would, with member 1's message, and keeps its parameters
    const rows_data all(200);
    const std::string dir = "trainer_shared_checkpoint_unreadable";
    std::vector<int> raised_io(2, 0), kept(2, 0);
    std::vector<std::string> message(2);
    test_support::run_members(2, [&](std::shared_ptr<collective> c, int r) {
        const auto [lo, hi] = share(200, r, 2);
        const rows_data mine = all.part(lo, hi);
        const descent_options o{.learning_rate = 0.05, .log = nullptr, .distributed = c};
        const xt::xtensor<double, 1> w0 = xt::zeros<double>({3});
        auto t = trainer(loss, params(w = w0, b = 0.0), data(X = mine.X, y = mine.y), o);
        t.train(3);
        t.save(dir);
        const xt::xtensor<double, 1> before = t[w];
        try {
            t.load(r == 1 ? dir + "_missing" : dir);
        } catch (const io_error& e) {
            raised_io[static_cast<std::size_t>(r)] = 1;
            message[static_cast<std::size_t>(r)] = e.what();
        } catch (const std::exception& e) {
            message[static_cast<std::size_t>(r)] = e.what();
        }
        kept[static_cast<std::size_t>(r)] = t[w] == before ? 1 : 0;
    });
    std::filesystem::remove_all(dir);
    for (std::size_t r = 0; r < 2; ++r) {
        BOOST_TEST(raised_io[r] == 1, "member " << r << ": " << message[r]);
        BOOST_TEST(message[r].rfind("rank 1: ", 0) == 0, message[r]);
        BOOST_TEST(kept[r] == 1);
    }
}
