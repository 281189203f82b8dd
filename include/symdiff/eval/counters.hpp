#pragma once
// Counters of what the evaluation engine did, for tests and diagnostics: a test of a fast path
// asserts that it ran (one pass over the data per training step, a product computed once).
// Per thread; reset() before the code under observation.
#include <array>
#include <cstddef>
#include <string_view>
#include <utility>

namespace symdiff {

struct evaluation_counters {
    std::size_t runs = 0;             ///< evaluations
    std::size_t plans = 0;            ///< plans made (shapes changed, or a new program)
    std::size_t data_passes = 0;      ///< passes over rows of data (each covers all the rows)
    std::size_t row_blocks = 0;       ///< blocks of rows run (a pass in blocks runs several)
    std::size_t fused_loops = 0;      ///< regions run as one fused loop
    std::size_t node_loops = 0;       ///< regions run node by node (shapes differ inside)
    std::size_t structural = 0;       ///< structural node computations
    std::size_t scaled_sums = 0;      ///< sums of c * v (c a number) taken as c times the sum of v
    std::size_t listed_programs = 0;  ///< programs listed at run time (literals differ by occurrence)
    std::size_t helper_threads = 0;   ///< helper threads started (a program keeps them from run to run)

    /// Structural computations of the operation named `name` (as in to_string: "dot", "sum", ...).
    std::size_t operation(std::string_view name) const {
        for (const auto& [n, c] : by_operation)
            if (n == name) return c;
        return 0;
    }
    /// (names are compared by address: each operation's name is one constant)
    void count(std::string_view name) {
        for (auto& [n, c] : by_operation) {
            if (n.data() == name.data()) {
                ++c;
                return;
            }
            if (n.empty()) {
                n = name;
                c = 1;
                return;
            }
        }
    }
    void reset() { *this = {}; }

    std::array<std::pair<std::string_view, std::size_t>, 32> by_operation{};
};

/// This thread's counters.
inline evaluation_counters& counters() {
    thread_local evaluation_counters c;
    return c;
}

}  // namespace symdiff
