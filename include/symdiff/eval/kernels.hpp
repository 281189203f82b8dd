#pragma once
// What the engine runs for one node, written once per operation (not once per expression type,
// which would make every program pay for its size again in compile time):
//   elementwise<Op, X...>   an elementwise operation's value for numbers, SIMD batches, and arrays
//                           of different shapes (NumPy broadcasting); X are the exact constants
//                           the operation takes as types (pow's integer exponent), else void
//   (structural nodes: structural.hpp)
//   sum_sink                the running sum of a sink, in a fixed order
// They read and write the engine's storage (`store`) by node index, so the compiled program (node
// indices are constants, everything inlines) and the program listed at run time share them.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/array_ref.hpp"
#include "../core/broadcast.hpp"
#include "../core/constant.hpp"
#include "../core/math.hpp"
#include "../core/shape.hpp"
#include "../detail/values.hpp"
#include "describe.hpp"

namespace symdiff::detail {

template <class T>
using batch_t = xsimd::batch<T>;

/// Elements per chunk of a fused loop (a multiple of every batch size times 4).
inline constexpr std::size_t chunk_elements = 1024;
/// SIMD accumulators per sink.
inline constexpr std::size_t sink_lanes = 4;

/// Where a run's values live.
template <class T>
struct slot {
    shape_type shape;         ///< the whole value's shape
    const T* data = nullptr;  ///< an array node's values (bound array, workspace, output)
    T* own = nullptr;         ///< its own buffer, when the engine writes it
    shape_type block;         ///< the shape of the current block of rows (rows nodes)
    const T* block_data = nullptr;
    T* block_own = nullptr;
};

/// The engine's storage, as the node kernels see it.
template <class T>
struct store {
    T* num;                               ///< values of number nodes (literals and constants too)
    slot<T>* slots;                       ///< arrays
    accumulator_t<T>* total;              ///< sums of sinks
    accumulator_t<T>* scale;              ///< scales of sinks
    program_view program{};               ///< for messages
    bool blocks = false;                  ///< running one block of rows: rows nodes use their block
    const unsigned char* rows = nullptr;  ///< rows[id]: node id holds rows
    std::size_t first_row = 0;            ///< the row of the whole array where the block starts
};

/// A node's array value as an operation reads it: its current block of rows, if it has rows.
/// An operand read for its shape only gets the whole shape (a mean divides by all the rows).
template <class T>
array_ref<const T> view_of(const store<T>& s, std::size_t id, bool value = true) {
    const slot<T>& sl = s.slots[id];
    if (!value) return {nullptr, sl.shape.data(), sl.shape.size()};
    if (s.blocks && s.rows[id]) return {sl.block_data, sl.block.data(), sl.block.size(), sl.shape[0], s.first_row};
    return {sl.data, sl.shape.data(), sl.shape.size()};
}
template <class T>
array_ref<T> out_of(const store<T>& s, std::size_t id) {
    const slot<T>& sl = s.slots[id];
    if (s.blocks && s.rows[id]) return {sl.block_own, sl.block.data(), sl.block.size(), sl.shape[0], s.first_row};
    return {sl.own, sl.shape.data(), sl.shape.size()};
}

/// The order of every sum the engine takes over the elements of an array. The first n - n mod W
/// elements (W = batch_t<T>::size) go in chunks of chunk_elements; in a chunk, in batches of W,
/// the u-th batch adding into SIMD accumulator u mod sink_lanes (element i: lane i mod W of
/// accumulator (i / W) mod sink_lanes), and the chunk's sum into the total. The last n mod W
/// elements add up one after another, and their sum into the total. The order depends on the
/// element count only, never on what else a loop computes: a loss evaluated alone or with its
/// gradients gives the same bits.
///
/// The visitor's `start()` and `end()` frame each chunk, `full(at, u)` runs the batch at element
/// `at` into accumulator u, `one(at)` one element of the rest (always inlined: they are a loop's
/// body). The batches of a group of four are written out, so that each accumulator index is a
/// constant and the accumulators stay in registers (a loop over u kept them in memory, and a loop
/// with seven sums ran 1.4x slower).
template <class T, class Visitor>
[[gnu::always_inline]] inline void in_sum_order(std::size_t n, Visitor& v) {
    static_assert(sink_lanes == 4, "a group of batches is written out for four accumulators");
    constexpr std::size_t W = batch_t<T>::size;
    const std::size_t batches_end = n - n % W;
    std::size_t i = 0;
    while (i < batches_end) {
        const std::size_t chunk_end = std::min(batches_end, i + chunk_elements);
        v.start();
        for (; i + W * sink_lanes <= chunk_end; i += W * sink_lanes) {
            v.full(i, std::integral_constant<std::size_t, 0>{});
            v.full(i + W, std::integral_constant<std::size_t, 1>{});
            v.full(i + 2 * W, std::integral_constant<std::size_t, 2>{});
            v.full(i + 3 * W, std::integral_constant<std::size_t, 3>{});
        }
        for (std::size_t u = 0; i < chunk_end; ++u, i += W) v.full(i, u);
        v.end();
    }
    for (; i < n; ++i) v.one(i);
}

/// The running sum of one sink, in in_sum_order's order: SIMD accumulators for the current chunk,
/// a total in accumulator_t<T> (double for float data), the sum of the rest.
template <class T>
struct sum_sink {
    using A = accumulator_t<T>;
    std::array<batch_t<T>, sink_lanes> acc;  // (set by start_chunk)
    A total = 0;
    A rest = 0;

    void start_chunk() {
        for (auto& a : acc) a = batch_t<T>(T(0));
    }
    void end_chunk() { total += static_cast<A>(xsimd::hadd((acc[0] + acc[1]) + (acc[2] + acc[3]))); }
};

/// The sum of `n` values, in the order of a fused loop's sink.
template <class T>
accumulator_t<T> sum_of(const T* src, std::size_t n) {
    struct visitor {
        const T* src;
        sum_sink<T> s;  // (default-initialised: start() sets the lanes)
        explicit visitor(const T* p) : src(p) {}
        [[gnu::always_inline]] void start() { s.start_chunk(); }
        [[gnu::always_inline]] void full(std::size_t at, std::size_t u) {
            s.acc[u] += batch_t<T>::load_unaligned(src + at);
        }
        [[gnu::always_inline]] void one(std::size_t at) { s.rest += src[at]; }
        [[gnu::always_inline]] void end() { s.end_chunk(); }
    } v(src);
    in_sum_order<T>(n, v);
    return v.s.total + v.s.rest;
}

/// The shape of an elementwise node: its operands' shapes broadcast (NumPy), or shape_error.
template <class T>
void elementwise_shape(store<T>& s, std::size_t id, const int* ids, unsigned arity) {
    shape_type r;
    bool fine = true;
    for (unsigned i = 0; i < arity && fine; ++i)
        r = broadcast_shapes(r, s.slots[static_cast<std::size_t>(ids[i])].shape, fine);
    if (!fine) {
        std::string list;
        for (unsigned i = 0; i < arity; ++i)
            list += (i ? " and " : "") + shape_to_string(s.slots[static_cast<std::size_t>(ids[i])].shape);
        throw shape_error(describe(s.program, s.num, static_cast<int>(id)) + ": cannot broadcast shapes " + list);
    }
    s.slots[id].shape = std::move(r);
}

/// Does operation Op take operand I, the expression type A, as its exact constant type?
template <class Op, std::size_t I, class A>
constexpr bool passes_exact() {
    if constexpr (Constant<A> && requires { Op::keeps_exact(I); }) return Op::keeps_exact(I);
    else return false;
}

/// An elementwise operation. X_i: void, or the exact constant type operand i is passed as.
template <class Op, class... X>
struct elementwise {
    template <std::size_t I, class V>
    static constexpr decltype(auto) arg(const V& v) {
        using Xi = std::tuple_element_t<I, std::tuple<X...>>;
        if constexpr (std::is_void_v<Xi>) return (v);
        else return Xi{};
    }
    /// The value from the operands' values.
    template <class V, std::size_t... I>
    [[gnu::always_inline]] static constexpr V apply(const std::array<V, sizeof...(X)>& v, std::index_sequence<I...>) {
        return static_cast<V>(Op::apply(arg<I>(v[I])...));
    }
    /// A number node: operands' values in num[ids[i]].
    template <class T>
    [[gnu::always_inline]] static constexpr T number(const T* num, const int* ids) {
        std::array<T, sizeof...(X)> v{};
        for (std::size_t i = 0; i < sizeof...(X); ++i) v[i] = num[ids[i]];
        return apply(v, std::index_sequence_for<X...>{});
    }
    /// Inside a fused loop: operand i is mv[w[i]] (a member) or iv[-1 - w[i]] (an input).
    template <class V>
    [[gnu::always_inline]] static V pick(const V* mv, const V* iv, const int* w) {
        std::array<V, sizeof...(X)> v{};
        for (std::size_t i = 0; i < sizeof...(X); ++i) v[i] = w[i] >= 0 ? mv[w[i]] : iv[-1 - w[i]];
        return apply(v, std::index_sequence_for<X...>{});
    }
    /// An array node into its own buffer, the operands broadcast (numbers: `number_mask` bit i).
    template <class T>
    static void broadcast(store<T>& s, std::size_t id, const int* ids, unsigned number_mask) {
        constexpr std::size_t M = sizeof...(X);
        std::array<const shape_type*, M> shapes{};
        std::array<const T*, M> data{};
        std::array<T, M> value{};
        for (std::size_t i = 0; i < M; ++i) {
            const auto j = static_cast<std::size_t>(ids[i]);
            if (number_mask >> i & 1u) {
                static const shape_type scalar;
                shapes[i] = &scalar;
                value[i] = s.num[j];
            } else {
                const array_ref<const T> v = view_of(s, j);
                shapes[i] = s.blocks && s.rows[j] ? &s.slots[j].block : &s.slots[j].shape;
                data[i] = v.data;
            }
        }
        const array_ref<T> out = out_of(s, id);
        const shape_type out_shape(out.dims, out.dims + out.rank);
        std::size_t e = 0;
        for_each_broadcast<M>(out_shape, shapes, [&](const std::array<std::size_t, M>& off) {
            std::array<T, M> v = value;
            for (std::size_t i = 0; i < M; ++i)
                if (data[i]) v[i] = data[i][off[i]];
            out.data[e++] = apply(v, std::index_sequence_for<X...>{});
        });
    }
};

/// The element types of a fused loop's members, in order.
template <class... K>
struct kernel_list {};

/// The dataflow of a fused loop (a region): M members, I inputs, Q sinks. Sizes are one more
/// than the counts (no empty arrays in a template argument).
template <std::size_t M, std::size_t I, std::size_t Q>
struct region_code {
    std::array<std::array<int, 4>, M> where{};  ///< member j, operand i: member w >= 0, or input -1 - w
    std::array<bool, M> store{};                ///< member j's values are written out
    std::array<bool, I> number{};               ///< input j is a number (the same in every lane)
    std::array<int, Q> sink{};                  ///< sink q sums member w >= 0, or input -1 - w
};

/// A fused loop's code: `in[j]` the inputs (arrays, or null for numbers, whose values are
/// `num[j]`), `out[j]` member j's output (when stored), `n` elements; `sums[q]` receives sink q's
/// sum, in sum_sink's order. Instantiated per distinct region: the operations of its members and
/// the dataflow, never the program's types, so programs that share a region share its code.
template <class T>
using fused_fn = void (*)(const T* const* in, const T* num, T* const* out, std::size_t n, accumulator_t<T>* sums);

template <class T, class Kernels, auto Code>
struct fused_region;
template <class T, class... K, auto Code>
struct fused_region<T, kernel_list<K...>, Code> {
    static constexpr std::size_t M = sizeof...(K);
    static constexpr std::size_t I = Code.number.size() - 1;
    static constexpr std::size_t Q = Code.sink.size() - 1;

    /// The values for one element (V = T) or one SIMD batch (V = batch).
    template <class V>
    struct lanes {  // (not initialised: load and body write every element before it is read)
        std::array<V, I + 1> in;
        std::array<V, M + 1> member;
        const V& at(int w) const {
            return w >= 0 ? member[static_cast<std::size_t>(w)] : in[static_cast<std::size_t>(-1 - w)];
        }
    };
    template <class V, std::size_t... J>
    [[gnu::always_inline]] static inline void body(lanes<V>& l, std::index_sequence<J...>) {
        ((l.member[J] = K::pick(l.member.data(), l.in.data(), Code.where[J].data())), ...);
    }
    template <class V, std::size_t... J>
    [[gnu::always_inline]] static inline void load(lanes<V>& l, const T* const* in, const V* numbers, std::size_t at,
                                                   std::index_sequence<J...>) {
        if constexpr (std::is_same_v<V, T>) ((l.in[J] = Code.number[J] ? numbers[J] : in[J][at]), ...);
        else ((l.in[J] = Code.number[J] ? numbers[J] : V::load_unaligned(in[J] + at)), ...);
    }
    template <class V, std::size_t... J>
    [[gnu::always_inline]] static inline void store(const lanes<V>& l, [[maybe_unused]] T* const* out, std::size_t at,
                                                    std::index_sequence<J...>) {
        if constexpr (std::is_same_v<V, T>) ((Code.store[J] ? void(out[J][at] = l.member[J]) : void()), ...);
        else ((Code.store[J] ? l.member[J].store_unaligned(out[J] + at) : void()), ...);
    }
    template <class A, class V, std::size_t... S>
    [[gnu::always_inline]] static inline void sink_add([[maybe_unused]] A* acc, const lanes<V>& l,
                                                       std::index_sequence<S...>) {
        ((acc[S] = l.at(Code.sink[S])), ...);
    }

    /// A call's arguments and sinks, and what it does per chunk, batch and element.
    struct visitor {
        using B = batch_t<T>;
        const T* const* in;
        const T* num;
        T* const* out;
        std::array<B, I + 1> num_batch;
        std::array<sum_sink<T>, Q + 1> sinks;  // (default-initialised: start() sets the lanes)

        visitor(const T* const* in_, const T* num_, T* const* out_) : in(in_), num(num_), out(out_) {
            for (std::size_t j = 0; j < I; ++j) num_batch[j] = B(num[j]);
        }
        [[gnu::always_inline]] void start() {
            for (auto& sk : sinks) sk.start_chunk();
        }
        [[gnu::always_inline]] void end() {
            for (auto& sk : sinks) sk.end_chunk();
        }
        /// The members at element `at` (V: a SIMD batch, or one number), stored where asked; the
        /// values the sinks add.
        template <class V>
        [[gnu::always_inline]] std::array<V, Q + 1> compute(const V* numbers, std::size_t at) const {
            lanes<V> l;
            load(l, in, numbers, at, std::make_index_sequence<I>{});
            body(l, std::make_index_sequence<M>{});
            store(l, out, at, std::make_index_sequence<M>{});
            std::array<V, Q + 1> add;
            sink_add(add.data(), l, std::make_index_sequence<Q>{});
            return add;
        }
        [[gnu::always_inline]] void full(std::size_t at, std::size_t u) {
            const std::array<B, Q + 1> add = compute(num_batch.data(), at);
            for (std::size_t q = 0; q < Q; ++q) sinks[q].acc[u] += add[q];
        }
        [[gnu::always_inline]] void one(std::size_t at) {
            const std::array<T, Q + 1> add = compute(num, at);
            for (std::size_t q = 0; q < Q; ++q) sinks[q].rest += add[q];
        }
    };

    /// Every element, in in_sum_order's order: SIMD batches, then the rest one by one.
    static void run(const T* const* in, const T* num, T* const* out, std::size_t n, accumulator_t<T>* sums) {
        visitor v(in, num, out);
        in_sum_order<T>(n, v);
        for (std::size_t q = 0; q < Q; ++q) sums[q] = v.sinks[q].total + v.sinks[q].rest;
    }
};

/// What the engine calls for one node of a program, by pointer: the kernels of its operation
/// (elementwise) or of its node type (structural), chosen when the program is compiled.
template <class T>
struct node_kernel {
    using node_fn = void (*)(store<T>&, std::size_t, const int*, const void*);
    node_fn shape = nullptr;  ///< structural: the value's shape (may throw shape_error)
    node_fn scale = nullptr;  ///< structural sinks: scale[id]
    bool (*local)(const store<T>&, std::size_t, const int*, const void*) = nullptr;  ///< structural: local over rows?
    node_fn compute = nullptr;  ///< structural: the value (a sink's: scale * total)
    void (*broadcast)(store<T>&, std::size_t, const int*, unsigned) = nullptr;  ///< elementwise array, on its own
    T (*number)(const T*, const int*) = nullptr;                                ///< elementwise number
    unsigned number_mask = 0;                                                   ///< operand i is a number: bit i
    bool sink = false;                                                          ///< structural sink
};

}  // namespace symdiff::detail
