#pragma once
// A collective: the processes that share the rows of the data, as a program sees them (data
// parallelism). Each process holds some of the rows; a program run on all of them gives every
// process the value over all the rows: the sums over rows are added across the processes, once
// per run, and everything after them is computed by every process from the same numbers.
//
// This header names no transport. symdiff/distributed/mpi.hpp implements it over MPI; a test can
// implement it over threads. Every member is a collective call: every process calls it, in the
// same order, or none does.
#include <cstddef>
#include <cstdint>
#include <exception>
#include <stdexcept>
#include <string>
#include <vector>

#include "../core/shape.hpp"

namespace symdiff {

/// What kind of error a process raised, so that the others raise the same kind.
enum class failure_kind : unsigned char { none, shape, invalid_argument, runtime };

/// The first failure among the processes (the lowest rank that failed), or none.
struct shared_failure {
    failure_kind kind = failure_kind::none;
    int rank = -1;
    std::string message;
    explicit operator bool() const { return kind != failure_kind::none; }
};

class collective {
public:
    virtual ~collective() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    /// Every process's `n`, in rank order.
    virtual std::vector<std::uint64_t> gather(std::uint64_t n) = 0;
    /// Adds `data[0..n)` over the processes, in place; every process gets the same bits.
    virtual void sum(double* data, std::size_t n) = 0;
    virtual void sum(float* data, std::size_t n) = 0;
    /// The failure of the lowest rank that has one (`mine` is this process's, or none).
    virtual shared_failure first_failure(const shared_failure& mine) = 0;
};

namespace detail {

/// The rows of one process among all: [first, first + local) of `all`, from every process's row
/// count in rank order.
struct row_share {
    std::size_t first = 0, local = 0, all = 0;
};
inline row_share share_of(const std::vector<std::uint64_t>& counts, int rank) {
    row_share s;
    for (std::size_t r = 0; r < counts.size(); ++r) {
        if (static_cast<int>(r) < rank) s.first += counts[r];
        s.all += counts[r];
    }
    s.local = counts[static_cast<std::size_t>(rank)];
    return s;
}

/// This process's failure, as a shared_failure of its kind.
inline shared_failure failure_of(const std::exception_ptr& e, int rank) {
    try {
        std::rethrow_exception(e);
    } catch (const shape_error& x) {
        return {failure_kind::shape, rank, x.what()};
    } catch (const std::invalid_argument& x) {
        return {failure_kind::invalid_argument, rank, x.what()};
    } catch (const std::exception& x) {
        return {failure_kind::runtime, rank, x.what()};
    } catch (...) {
        return {failure_kind::runtime, rank, "an exception that is not a std::exception"};
    }
}

/// Raises `f` on this process: the same kind of exception, the message prefixed with the rank
/// that found it (when there are several processes). `Invalid` is the type for invalid arguments.
template <class Invalid = std::invalid_argument>
[[noreturn]] void raise(const shared_failure& f, int size) {
    const std::string text = size > 1 ? "rank " + std::to_string(f.rank) + ": " + f.message : f.message;
    switch (f.kind) {
        case failure_kind::shape: throw shape_error(text);
        case failure_kind::invalid_argument: throw Invalid(text);
        default: throw std::runtime_error(text);
    }
}

/// Runs `f` on every process; when it throws on any of them, every process raises the failure of
/// the lowest rank that threw (so that none is left waiting in a later collective call).
template <class Invalid = std::invalid_argument, class F>
void agree(collective* c, F&& f) {
    if (!c) {
        f();
        return;
    }
    shared_failure mine;
    try {
        f();
    } catch (...) {
        mine = failure_of(std::current_exception(), c->rank());
    }
    if (const shared_failure first = c->first_failure(mine)) raise<Invalid>(first, c->size());
}

}  // namespace detail
}  // namespace symdiff
