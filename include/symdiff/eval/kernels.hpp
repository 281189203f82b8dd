#pragma once
// The loops the engine runs, written once for every operation:
//   - `sum_sink`: the running sum of a sink (sum, mean, a gradient onto a number), accumulated in
//     a fixed order: within a chunk of elements, four SIMD accumulators (element i goes to lane
//     i mod B of accumulator (i / B) mod 4); each chunk's total is added, in order, to a total in
//     accumulator_t<T> (double for float data). The order depends on the element count only,
//     never on what else the loop computes, so a loss evaluated alone or with its gradients
//     gives the same bits.
#include <array>
#include <cstddef>
#include <type_traits>
#include <vector>

#include "../core/array_ref.hpp"
#include "../core/math.hpp"
#include "../core/broadcast.hpp"
#include "../core/shape.hpp"
#include "../detail/values.hpp"

namespace symdiff::detail {

template <class T>
using batch_t = xsimd::batch<T>;

/// Elements per chunk of a fused loop (a multiple of every batch size times 4).
inline constexpr std::size_t chunk_elements = 1024;
/// SIMD accumulators per sink.
inline constexpr std::size_t sink_lanes = 4;

/// The running sum of one sink: SIMD accumulators for the current chunk, scalars for the tail.
template <class T>
struct sum_sink {
    using A = accumulator_t<T>;
    std::array<batch_t<T>, sink_lanes> acc{};
    A total = 0;

    void start_chunk() {
        for (auto& a : acc) a = batch_t<T>(T(0));
    }
    // (a fixed tree: ((a0 + a1) + (a2 + a3)), then across the lanes)
    void end_chunk() { total += static_cast<A>(xsimd::hadd((acc[0] + acc[1]) + (acc[2] + acc[3]))); }
};

}  // namespace symdiff::detail
