#pragma once
// thread_team: helper threads that stay alive between the passes of a program, so that a pass
// over the rows on several threads costs a wake-up, not a thread start (starting and joining a
// thread per pass cost more than a pass of a 10^4-row logistic regression gained).
//
//   thread_team team(2);                 // two helpers, waiting
//   team.run(job);                       // job(0) on the calling thread, job(1) and job(2) on the
//                                        // helpers; returns when all three have returned
//
// A helper that has run a job watches for the next one for a short while (spin_time) before it
// sleeps on a condition variable, and the caller watches for the helpers to finish the same way:
// a training loop calls the program again within microseconds, and waking a sleeping thread took
// longer than that. The helpers' jobs must not throw (the executor's catch what they run and
// rethrow on the caller); the caller's may, and run() then waits for the helpers before it rethrows.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace symdiff::detail {

class thread_team {
public:
    /// How long a thread watches for its next event before it sleeps.
    static constexpr std::chrono::microseconds spin_time{200};

    explicit thread_team(std::size_t helpers) {
        threads_.reserve(helpers);
        try {
            for (std::size_t i = 1; i <= helpers; ++i) threads_.emplace_back([this, i] { serve(i); });
        } catch (...) {  // a thread that could not start: stop those that did
            stop_all();
            throw;
        }
    }
    thread_team(const thread_team&) = delete;
    thread_team& operator=(const thread_team&) = delete;
    ~thread_team() { stop_all(); }

    std::size_t helpers() const { return threads_.size(); }

    /// Runs job(0) on the calling thread and job(i) on helper i, i = 1..helpers(); returns when
    /// every call has returned.
    template <class F>
    void run(F& job) {
        job_ = &call<F>;
        arg_ = &job;
        pending_.store(threads_.size());
        {
            const std::lock_guard<std::mutex> lock(m_);
            generation_.fetch_add(1);  // (publishes job_ and arg_ to the helpers that read it)
        }
        start_.notify_all();
        try {
            job(std::size_t{0});
        } catch (...) {  // (the helpers still read the job: wait for them before leaving)
            wait_for_helpers();
            throw;
        }
        wait_for_helpers();
    }

private:
    void wait_for_helpers() {
        if (spin_until([this] { return pending_.load() == 0; })) return;
        std::unique_lock<std::mutex> lock(m_);
        done_.wait(lock, [this] { return pending_.load() == 0; });
    }
    void stop_all() {
        {
            const std::lock_guard<std::mutex> lock(m_);
            stop_.store(true);
        }
        start_.notify_all();
        for (std::thread& t : threads_) t.join();
    }

    template <class F>
    static void call(void* f, std::size_t i) {
        (*static_cast<F*>(f))(i);
    }

    /// Watches `ready` for up to spin_time: true once it holds.
    template <class P>
    static bool spin_until(P ready) {
        const auto end = std::chrono::steady_clock::now() + spin_time;
        for (unsigned k = 1;; ++k) {
            if (ready()) return true;
            if (k % 64 == 0) {
                if (std::chrono::steady_clock::now() > end) return false;
                std::this_thread::yield();
            }
        }
    }

    void serve(std::size_t i) {
        std::size_t seen = 0;
        for (;;) {
            const auto next = [&] { return stop_.load() || generation_.load() != seen; };
            if (!spin_until(next)) {
                std::unique_lock<std::mutex> lock(m_);
                start_.wait(lock, next);
            }
            if (stop_.load()) return;
            seen = generation_.load();
            job_(arg_, i);
            if (pending_.fetch_sub(1) == 1) {
                const std::lock_guard<std::mutex> lock(m_);  // (the caller may be about to sleep)
                done_.notify_one();
            }
        }
    }

    std::mutex m_;
    std::condition_variable start_, done_;
    std::atomic<std::size_t> generation_{0}, pending_{0};
    std::atomic<bool> stop_{false};
    void (*job_)(void*, std::size_t) = nullptr;
    void* arg_ = nullptr;
    std::vector<std::thread> threads_;  // (last: started once the members above exist)
};

}  // namespace symdiff::detail
