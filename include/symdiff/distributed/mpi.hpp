#pragma once
// Data parallelism over MPI (Open MPI from Debian: libopenmpi-dev). Each process (rank) holds
// some rows of the data; a program or a trainer given the communicator gets, on every rank, the
// values over all the rows: per run, the ranks' sums over rows are added with one allreduce.
//
//   symdiff::mpi::session mpi(argc, argv);                  // MPI_Init ... MPI_Finalize
//   const auto world = symdiff::mpi::world();               // a collective over MPI_COMM_WORLD
//   auto X_mine = symdiff::shard(X, *world);                // this rank's rows
//   auto fit = gradient_descent(loss, params(w = W0), data(x = X_mine, y = Y_mine),
//                               {.learning_rate = 0.1, .distributed = world});
//
// Two ways to add the ranks' parts: `reduction::allreduce` (MPI_Allreduce: one message round,
// MPI's own order of additions) and `reduction::deterministic` (every rank gathers every part and
// adds them in rank order: the same bits for the same data whatever MPI's algorithm, at the cost
// of moving size x the data). See docs/distributed.md.
// (MPI's C API only: the deprecated C++ bindings do not compile warning-free)
#ifndef OMPI_SKIP_MPICXX
#define OMPI_SKIP_MPICXX 1
#endif
#ifndef MPICH_SKIP_MPICXX
#define MPICH_SKIP_MPICXX 1
#endif
#include <mpi.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "../eval/collective.hpp"

namespace symdiff::mpi {

/// MPI_Init in the constructor, MPI_Finalize in the destructor (when this object initialised MPI).
class session {
public:
    session(int& argc, char**& argv) {
        int done = 0;
        MPI_Initialized(&done);
        if (!done) {
            MPI_Init(&argc, &argv);
            owner_ = true;
        }
    }
    session(const session&) = delete;
    session& operator=(const session&) = delete;
    ~session() {
        int finished = 0;
        MPI_Finalized(&finished);
        if (!owner_ || finished) return;
        // leaving main by an exception on this process only: the others may be waiting in a
        // collective call, and MPI_Finalize would wait for them; end them all instead
        if (std::uncaught_exceptions() > 0) MPI_Abort(MPI_COMM_WORLD, 1);
        MPI_Finalize();
    }

private:
    bool owner_ = false;
};

enum class reduction { allreduce, deterministic };

/// A collective over (a duplicate of) an MPI communicator: its messages never mix with the
/// program's own on `comm`.
class communicator final : public collective {
public:
    explicit communicator(MPI_Comm comm = MPI_COMM_WORLD, reduction how = reduction::allreduce)
        : comm_(MPI_COMM_NULL), how_(how) {
        check(MPI_Comm_dup(comm, &comm_), "MPI_Comm_dup");
        check(MPI_Comm_rank(comm_, &rank_), "MPI_Comm_rank");
        check(MPI_Comm_size(comm_, &size_), "MPI_Comm_size");
    }
    communicator(const communicator&) = delete;
    communicator& operator=(const communicator&) = delete;
    ~communicator() override {
        int finished = 0;
        MPI_Finalized(&finished);
        if (!finished) MPI_Comm_free(&comm_);
    }
    int rank() const override { return rank_; }
    int size() const override { return size_; }
    reduction how() const { return how_; }

    std::vector<std::uint64_t> gather(std::uint64_t n) override {
        std::vector<std::uint64_t> all(static_cast<std::size_t>(size_));
        check(MPI_Allgather(&n, 1, MPI_UINT64_T, all.data(), 1, MPI_UINT64_T, comm_), "MPI_Allgather");
        return all;
    }
    void sum(double* data, std::size_t n) override { add(data, n, MPI_DOUBLE); }
    void sum(float* data, std::size_t n) override { add(data, n, MPI_FLOAT); }

    shared_failure first_failure(const shared_failure& mine) override {
        const std::vector<std::uint64_t> kinds = gather(static_cast<std::uint64_t>(mine.kind));
        int first = -1;
        for (std::size_t r = 0; r < kinds.size() && first < 0; ++r)
            if (kinds[r] != 0) first = static_cast<int>(r);
        if (first < 0) return {};
        std::uint64_t length = first == rank_ ? mine.message.size() : 0;
        check(MPI_Bcast(&length, 1, MPI_UINT64_T, first, comm_), "MPI_Bcast");
        std::string text = first == rank_ ? mine.message : std::string(length, ' ');
        check(MPI_Bcast(text.data(), static_cast<int>(length), MPI_CHAR, first, comm_), "MPI_Bcast");
        return {static_cast<failure_kind>(kinds[static_cast<std::size_t>(first)]), first, std::move(text)};
    }

private:
    static void check(int code, const char* call) {
        if (code == MPI_SUCCESS) return;
        char text[MPI_MAX_ERROR_STRING];
        int length = 0;
        MPI_Error_string(code, text, &length);
        throw std::runtime_error(std::string(call) + " failed: " + std::string(text, static_cast<std::size_t>(length)));
    }
    template <class T>
    void add(T* data, std::size_t n, MPI_Datatype type) {
        if (size_ == 1 || n == 0) return;
        constexpr std::size_t most = std::size_t{1} << 30;  // MPI counts are int: in pieces
        for (; n > most; n -= most, data += most) add_piece(data, most, type);
        add_piece(data, n, type);
    }
    template <class T>
    void add_piece(T* data, std::size_t n, MPI_Datatype type) {
        const int count = static_cast<int>(n);
        if (how_ == reduction::allreduce) {
            check(MPI_Allreduce(MPI_IN_PLACE, data, count, type, MPI_SUM, comm_), "MPI_Allreduce");
            return;
        }
        // deterministic: every rank's part, added in rank order
        std::vector<T>& parts = buffer<T>();
        parts.resize(n * static_cast<std::size_t>(size_));
        check(MPI_Allgather(data, count, type, parts.data(), count, type, comm_), "MPI_Allgather");
        for (std::size_t i = 0; i < n; ++i) {
            T s = parts[i];
            for (std::size_t r = 1; r < static_cast<std::size_t>(size_); ++r) s += parts[r * n + i];
            data[i] = s;
        }
    }
    template <class T>
    std::vector<T>& buffer() {
        if constexpr (sizeof(T) == sizeof(double)) return doubles_;
        else return floats_;
    }

    MPI_Comm comm_;
    reduction how_;
    int rank_ = 0, size_ = 1;
    std::vector<double> doubles_;
    std::vector<float> floats_;
};

/// A collective over MPI_COMM_WORLD (MPI must be initialised: mpi::session).
inline std::shared_ptr<collective> world(reduction how = reduction::allreduce) {
    return std::make_shared<communicator>(MPI_COMM_WORLD, how);
}

}  // namespace symdiff::mpi
