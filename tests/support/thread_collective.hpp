#pragma once
// A collective over threads of one process (a test's stand-in for MPI): `threads` members share a
// board; each call writes this member's part, waits for all, reads what it needs, waits again.
// Sums add the members' parts in rank order, so results are the same bits on every member.
#include <barrier>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <vector>

#include <symdiff/eval/collective.hpp>

namespace test_support {

class thread_board {
public:
    explicit thread_board(int members)
        : members_(members),
          wait_(members),
          counts_(static_cast<std::size_t>(members)),
          doubles_(static_cast<std::size_t>(members)),
          floats_(static_cast<std::size_t>(members)),
          failures_(static_cast<std::size_t>(members)) {}

private:
    friend class thread_collective;
    int members_;
    std::barrier<> wait_;
    std::vector<std::uint64_t> counts_;
    std::vector<std::vector<double>> doubles_;
    std::vector<std::vector<float>> floats_;
    std::vector<symdiff::shared_failure> failures_;
};

class thread_collective final : public symdiff::collective {
public:
    thread_collective(thread_board& board, int rank) : b_(&board), rank_(rank) {}
    int rank() const override { return rank_; }
    int size() const override { return b_->members_; }
    std::vector<std::uint64_t> gather(std::uint64_t n) override {
        b_->counts_[me()] = n;
        b_->wait_.arrive_and_wait();
        std::vector<std::uint64_t> all = b_->counts_;
        b_->wait_.arrive_and_wait();
        return all;
    }
    void sum(double* data, std::size_t n) override { add(b_->doubles_, data, n); }
    void sum(float* data, std::size_t n) override { add(b_->floats_, data, n); }
    symdiff::shared_failure first_failure(const symdiff::shared_failure& mine) override {
        b_->failures_[me()] = mine;
        b_->wait_.arrive_and_wait();
        symdiff::shared_failure first;
        for (const auto& f : b_->failures_)
            if (f) {
                first = f;
                break;
            }
        b_->wait_.arrive_and_wait();
        return first;
    }

private:
    std::size_t me() const { return static_cast<std::size_t>(rank_); }
    template <class T>
    void add(std::vector<std::vector<T>>& parts, T* data, std::size_t n) {
        parts[me()].assign(data, data + n);
        b_->wait_.arrive_and_wait();
        for (std::size_t i = 0; i < n; ++i) {
            T s = 0;
            for (const auto& p : parts) s += p[i];
            data[i] = s;
        }
        b_->wait_.arrive_and_wait();
    }
    thread_board* b_;
    int rank_;
};

/// Runs `body(collective, rank)` on `members` threads, each with its own collective of one board;
/// rethrows nothing: the body records what it sees.
inline void run_members(int members, const std::function<void(std::shared_ptr<symdiff::collective>, int)>& body) {
    thread_board board(members);
    std::vector<std::thread> threads;
    for (int r = 0; r < members; ++r)
        threads.emplace_back([&, r] { body(std::make_shared<thread_collective>(board, r), r); });
    for (auto& t : threads) t.join();
}

}  // namespace test_support
