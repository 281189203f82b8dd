#pragma once
// What the engine runs for a structural node (a reduction, a product, a change of shape):
//   structural<N, ...>      its shape and value through its operation's hooks, for
//                           N = kernel_node_t<the node's type>: one set of kernels per operation
//                           and leaves, whatever the operands' subexpressions
// Read and written like the elementwise kernels (kernels.hpp): the engine's storage by node index.
#include <cstddef>
#include <cstring>
#include <type_traits>
#include <utility>

#include "../core/expression.hpp"
#include "../core/shape.hpp"
#include "kernels.hpp"

namespace symdiff::detail {

/// An operand of a structural node that is itself a node. Operations' hooks read their operands
/// through the shapes and values the engine hands them, never through the node, except for leaves
/// (one_hot's number of classes, a literal or a constant). So a structural node's kernels are
/// instantiated for `kernel_node_t<N>`, its operation with its leaves and opaque operands: one set
/// for every `dot(A, B)` of any two subexpressions, instead of one per node type (whose name, in
/// every kernel's symbol, spells the whole subtree).
struct opaque_operand {};
template <class A>
struct kernel_operand {
    using type = opaque_operand;
};
template <class A>
requires(!is_node<A>::value) struct kernel_operand<A> {
    using type = A;
};
template <class N>
struct kernel_node;
template <class Op, class... A>
struct kernel_node<node<Op, A...>> {
    using type = node<Op, typename kernel_operand<A>::type...>;
};
template <class N>
using kernel_node_t = typename kernel_node<N>::type;

/// A structural node of type N (a kernel_node_t). `NumberMask` bit i: operand i is a number;
/// `Number`: so is the value.
/// Rethrows `e`, a shape_error an operation's hook raised for node `id`, with the node's text in
/// front ("cross_entropy(x, y): label 2 at entry 0 is outside 0..1"); a precondition's message
/// already says what is wrong in words, and goes as it is.
template <class T>
[[noreturn]] void rethrow_naming_the_node(const store<T>& s, std::size_t id, const shape_error& e) {
    if (s.program.node[id]->op->precondition) throw;
    throw shape_error(describe(s.program, s.num, static_cast<int>(id)) + ": " + e.what());
}

template <class N, bool Number, unsigned NumberMask>
struct structural {
    using Op = typename N::op;
    static constexpr std::size_t arity = N::arity;

    // The operation's hooks, called with the operands' shapes or values.
    template <class T, std::size_t... I>
    static shape_type shape_of(const N& n, const store<T>& s, const int* ids, std::index_sequence<I...>) {
        return Op::shape(n, s.slots[static_cast<std::size_t>(ids[I])].shape...);
    }
    template <class T, std::size_t... I>
    static bool rows_local_of(const N& n, const store<T>& s, const int* ids, std::index_sequence<I...>) {
        return Op::rows_local(n, s.slots[static_cast<std::size_t>(ids[I])].shape...);
    }
    template <class T, std::size_t... I>
    static auto sink_scale_of(const N& n, const store<T>& s, const int* ids, std::index_sequence<I...>) {
        return Op::sink_scale(n, s.slots[static_cast<std::size_t>(ids[I])].shape...);
    }
    template <class T, std::size_t... I>
    static void compute(const N& n, store<T>& s, std::size_t id, const int* ids, std::index_sequence<I...>) {
        if constexpr (Number) Op::compute(n, s.num[id], arg<T, I>(s, static_cast<std::size_t>(ids[I]))...);
        else Op::compute(n, out_of(s, id), arg<T, I>(s, static_cast<std::size_t>(ids[I]))...);
    }

    /// The node as its operation's hooks see it, from the node of the program (at `node`, of
    /// another type when it has node operands): leaves copied from their offsets.
    template <class A>
    static A operand_at(const unsigned char* at) {
        A a{};
        if constexpr (!std::is_empty_v<A>) std::memcpy(&a, at, sizeof(A));  // a literal
        return a;
    }
    template <class T, std::size_t... I>
    static N node_of(const store<T>& s, std::size_t id, const void* node, std::index_sequence<I...>) {
        const auto* at = static_cast<const unsigned char*>(node);
        [[maybe_unused]] const auto& offset = s.program.node[id]->offset;
        return N{
            operand_at<std::remove_cvref_t<decltype(std::declval<const N&>().template arg<I>())>>(at + offset[I])...};
    }
    template <class T>
    static N node_of(const store<T>& s, std::size_t id, const void* node) {
        return node_of(s, id, node, std::make_index_sequence<arity>{});
    }

    template <class T>
    static void shape(store<T>& s, std::size_t id, const int* ids, const void* node) {
        const N n = node_of(s, id, node);
        try {
            shape_type r = shape_of(n, s, ids, std::make_index_sequence<arity>{});
            if (Number) r.clear();
            s.slots[id].shape = std::move(r);
        } catch (const shape_error& e) {
            rethrow_naming_the_node(s, id, e);
        }
    }
    /// Is a `local` behaviour over rows right for these shapes? (operations may say no)
    template <class T>
    static bool rows_local(const store<T>& s, std::size_t id, const int* ids, const void* node) {
        if constexpr (requires { Op::rows_local(std::declval<const N&>(), shape_type{}); }) {
            return rows_local_of(node_of(s, id, node), s, ids, std::make_index_sequence<arity>{});
        } else {
            return true;
        }
    }
    template <class T>
    static void sink_scale(store<T>& s, std::size_t id, const int* ids, const void* node) {
        if constexpr (is_sink) {
            s.scale[id] = static_cast<accumulator_t<T>>(
                sink_scale_of(node_of(s, id, node), s, ids, std::make_index_sequence<arity>{}));
        }
    }
    template <std::size_t... I>
    static constexpr bool has_sink_scale(std::index_sequence<I...>) {
        return requires(const N& n) { Op::sink_scale(n, ((void)I, shape_type{})...); };
    }
    static constexpr bool is_sink = Number && has_sink_scale(std::make_index_sequence<arity>{});
    template <class T, std::size_t J>
    static auto arg(const store<T>& s, std::size_t id) {
        if constexpr (NumberMask >> J & 1u) return s.num[id];
        else return view_of(s, id, Op::value_arg(J));
    }
    /// The value: a sink's scaled sum (its total was summed by a loop), or the operation's compute.
    template <class T>
    static void run(store<T>& s, std::size_t id, const int* ids, const void* node) {
        if constexpr (is_sink) {
            if constexpr (NumberMask & 1u) s.num[id] = static_cast<T>(s.scale[id] * s.num[ids[0]]);
            else s.num[id] = static_cast<T>(s.scale[id] * s.total[id]);
        } else {
            try {  // (a value the operation cannot take, such as a label out of range)
                compute(node_of(s, id, node), s, id, ids, std::make_index_sequence<arity>{});
            } catch (const shape_error& e) {
                rethrow_naming_the_node(s, id, e);
            }
        }
    }
};

}  // namespace symdiff::detail
