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

/// What kind of error a process raised, so that the others raise the same kind: a shape_error,
/// another std::invalid_argument, another exception (runtime), or the i-th of the exception types
/// of a detail::failures<...> (`typed` + i).
enum class failure_kind : unsigned char { none, shape, invalid_argument, runtime, typed };

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

/// How failures travel between processes, for a list of exception types `Kinds` (most derived
/// first) that every process raises as themselves; any other failure is raised as a shape_error,
/// a std::invalid_argument or a std::runtime_error. (Each of Kinds is constructible from a
/// std::string.) A layer names its own types: `using errors = failures<io_error>;`.
template <class... Kinds>
struct failures {
    /// This process's failure: the first of Kinds that it is, else shape, invalid argument or runtime.
    static shared_failure of(const std::exception_ptr& e, int rank) {
        shared_failure f;
        try {
            std::rethrow_exception(e);
        } catch (const shape_error& x) {
            f = {failure_kind::shape, rank, x.what()};
        } catch (const std::invalid_argument& x) {
            f = {failure_kind::invalid_argument, rank, x.what()};
        } catch (const std::exception& x) {
            f = {failure_kind::runtime, rank, x.what()};
        } catch (...) {
            f = {failure_kind::runtime, rank, "an exception that is not a std::exception"};
        }
        unsigned i = 0;
        if (((holds<Kinds>(e) || (++i, false)) || ...))
            f.kind = static_cast<failure_kind>(static_cast<unsigned>(failure_kind::typed) + i);
        return f;
    }

    /// Raises `f` on this process: the same kind of exception, the message prefixed with the rank
    /// that found it (when there are several processes).
    [[noreturn]] static void raise(const shared_failure& f, int size) {
        const std::string text = size > 1 ? "rank " + std::to_string(f.rank) + ": " + f.message : f.message;
        if constexpr (sizeof...(Kinds) > 0) {
            const auto kind = static_cast<unsigned>(f.kind);
            if (kind >= static_cast<unsigned>(failure_kind::typed)) {
                const unsigned i = kind - static_cast<unsigned>(failure_kind::typed);
                unsigned j = 0;
                ((j++ == i ? throw Kinds(text) : void()), ...);
            }
        }
        switch (f.kind) {
            case failure_kind::shape: throw shape_error(text);
            case failure_kind::invalid_argument: throw std::invalid_argument(text);
            default: throw std::runtime_error(text);
        }
    }

    /// Runs `f` on every process; when it throws on any of them, every process raises the failure
    /// of the lowest rank that threw (so that none is left waiting in a later collective call).
    template <class F>
    static void agree(collective* c, F&& f) {
        if (!c) {
            f();
            return;
        }
        shared_failure mine;
        try {
            f();
        } catch (...) {
            mine = of(std::current_exception(), c->rank());
        }
        if (const shared_failure first = c->first_failure(mine)) raise(first, c->size());
    }

private:
    /// Whether `e` holds an exception of type K (or derived from it).
    template <class K>
    static bool holds(const std::exception_ptr& e) {
        try {
            std::rethrow_exception(e);
        } catch (const K&) {
            return true;
        } catch (...) {
            return false;
        }
    }
};

}  // namespace detail
}  // namespace symdiff
