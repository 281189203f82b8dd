// thread_team, the helper threads a program keeps between its passes over the rows: every job
// index runs once per run, the caller's on the calling thread and the others on distinct helper
// threads; run() returns only after every job has returned, also when the helpers have gone to
// sleep (a pause longer than spin_time) and when jobs take uneven times; an exception from the
// caller's job is rethrown after the helpers are done; teams start and stop cleanly.
#define BOOST_TEST_MODULE thread_team
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <symdiff/eval/thread_team.hpp>

using symdiff::detail::thread_team;

BOOST_AUTO_TEST_CASE(every_job_once_per_run_on_its_own_thread) {
    constexpr std::size_t helpers = 3;
    thread_team team(helpers);
    BOOST_TEST(team.helpers() == helpers);
    std::vector<long> runs(helpers + 1, 0);
    std::vector<std::thread::id> ran_on(helpers + 1);
    for (int run = 0; run < 300; ++run) {
        std::vector<std::atomic<bool>> done(helpers + 1);
        auto job = [&](std::size_t i) {
            // uneven durations: the last helper is slow on some runs, the caller on others
            if ((i == helpers && run % 7 == 0) || (i == 0 && run % 5 == 0))
                std::this_thread::sleep_for(std::chrono::microseconds(300));
            ++runs[i];
            ran_on[i] = std::this_thread::get_id();
            done[i] = true;
        };
        team.run(job);
        for (std::size_t i = 0; i <= helpers; ++i) BOOST_TEST(done[i].load(), "run " << run << ", job " << i);
        // a pause longer than the helpers watch for: they sleep, and the next run must wake them
        if (run % 10 == 0) std::this_thread::sleep_for(thread_team::spin_time * 3);
        BOOST_TEST(ran_on[0] == std::this_thread::get_id());
        BOOST_TEST(std::set<std::thread::id>(ran_on.begin(), ran_on.end()).size() == helpers + 1);
    }
    for (std::size_t i = 0; i <= helpers; ++i) BOOST_TEST(runs[i] == 300);
}

BOOST_AUTO_TEST_CASE(the_callers_exception_is_rethrown_after_the_helpers_finish) {
    thread_team team(2);
    std::atomic<int> finished{0};
    auto job = [&](std::size_t i) {
        if (i == 0) throw std::runtime_error("job 0");
        std::this_thread::sleep_for(std::chrono::milliseconds(2));  // still running when job 0 throws
        ++finished;
    };
    BOOST_CHECK_THROW(team.run(job), std::runtime_error);
    BOOST_TEST(finished.load() == 2);
    // and the team still works
    std::atomic<int> count{0};
    auto again = [&](std::size_t) { ++count; };
    team.run(again);
    BOOST_TEST(count.load() == 3);
}

BOOST_AUTO_TEST_CASE(teams_start_and_stop) {
    long total = 0;
    for (std::size_t helpers = 0; helpers < 4; ++helpers) {
        thread_team team(helpers);  // (destroyed while its helpers watch for a next run, or asleep)
        std::vector<long> part(helpers + 1, 0);
        auto job = [&](std::size_t i) { part[i] += static_cast<long>(i) + 1; };
        for (int run = 0; run < 50; ++run) team.run(job);
        for (const long p : part) total += p;
    }
    BOOST_TEST(total == 50 * (1 + 3 + 6 + 10));
}
