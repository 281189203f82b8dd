#pragma once
// Lowering: the expressions to evaluate (a loss and its gradients, say) become one flat program —
// their distinct nodes in topological order, each with the program indices of its operands.
//
// The work is done by constexpr functions over a value-level description of the graph, not by
// recursive template instantiation over nested types:
//   - every distinct expression type E gets one constant `expr_info` (info_of<E>): its kind, its
//     operation's static properties, a structural hash and pointers to its operands' infos. The
//     compiler instantiates it once per type, so this part is linear in the number of distinct
//     types;
//   - a constexpr depth-first walk over those pointers (explicit stack, hash table keyed by the
//     info's address) lists each distinct node once, children first. Equal types are equal
//     subexpressions, so common subexpressions are shared by construction.
// A runtime literal (`0.5` in `0.5 * x`) is not shared by type: every operand position that holds
// one gets its own program node, whose value is read from the expression when the program is
// built (see program.hpp for what happens when two nodes of the same type hold different numbers).
//
// To generate code for node K, its C++ type is recovered from the walk's spanning tree (the edge
// through which K was first reached): type_at<K> is operand child[K] of type_at<parent[K]>, one
// small instantiation per node.
#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/constant.hpp"
#include "../core/expression.hpp"
#include "../core/notation.hpp"
#include "../core/operation.hpp"
#include "../core/shape.hpp"
#include "../core/symbol.hpp"
#include "../core/traits.hpp"

namespace symdiff::detail {

enum class expr_kind : unsigned char { node, symbol, constant, literal };

/// What the engine knows about an operation (one per operation type).
struct op_info {
    std::string_view name;
    std::string_view type;  ///< the operation's C++ type, spelled (identifies it)
    bool elementwise = false;
    bool sink = false;                                   ///< number value = sink_scale * (sum of operand 0's elements)
    bool product = false;                                ///< elementwise: the value is operand 0 times operand 1
    bool precondition = false;                           ///< its shape hook runs before every other node's
    std::array<bool, 4> value_arg{};                     ///< operand i is read for its value (else for its shape only)
    bool (*number_rule)(const bool*) = nullptr;          ///< structural: a number, given operands'?
    rows_behaviour (*rows_rule)(const bool*) = nullptr;  ///< structural: given which operands hold rows
    // how it is written, for messages (core/notation.hpp)
    style notation = style::function;
    int precedence = 0;
    std::string_view exponent;
    bool has_axis = false;  ///< works along one axis (`along_axis`), written as the last argument
    int axis = 0;
    std::string_view subscripts;  ///< (`subscripts`, einsum's) written as the first argument
};

/// What the engine knows about one expression type, as a constant.
struct expr_info {
    std::uint64_t hash = 0;
    expr_kind kind = expr_kind::node;
    unsigned char arity = 0;
    const expr_info* const* operands = nullptr;
    const op_info* op = nullptr;                 ///< nodes: their operation
    bool stateful = false;                       ///< holds a runtime literal somewhere
    std::string_view name;                       ///< symbols: the name
    std::intmax_t num = 0, den = 1;              ///< constants: the value
    std::array<std::uint32_t, 4> offset{};       ///< nodes: operand i's byte offset in the node
    long double (*read)(const void*) = nullptr;  ///< literals: the value, from the literal's address
};

/// Combines a hash with a value (the finaliser of MurmurHash3 spreads every bit over the word).
constexpr std::uint64_t hash_mix(std::uint64_t h, std::uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}
constexpr std::uint64_t hash_text(std::string_view s) {
    std::uint64_t x = 1469598103934665603ull;
    for (char c : s) x = (x ^ static_cast<unsigned char>(c)) * 1099511628211ull;
    return x;
}
/// A (small) type's name, as the compiler spells it: operation tags and literal number types.
template <class T>
constexpr std::string_view type_name() {
    return __PRETTY_FUNCTION__;
}
template <class T>
constexpr std::uint64_t type_name_hash() {
    return hash_text(type_name<T>());
}

template <class Op, std::size_t... I>
constexpr bool number_rule_of(const bool* numbers) {
    return Op::number_result(numbers[I]...);
}
template <class Op, std::size_t... I>
constexpr rows_behaviour rows_rule_of(const bool* rows) {
    if constexpr (requires { Op::rows(rows[I]...); }) return Op::rows(rows[I]...);
    else return {};
}
template <class Op, std::size_t... I>
constexpr op_info make_op_info(std::index_sequence<I...>) {
    op_info o;
    o.name = Op::name;
    o.type = type_name<Op>();
    o.elementwise = Op::elementwise;
    o.notation = Op::notation;
    o.precedence = Op::precedence;
    if constexpr (requires { Op::exponent; }) o.exponent = Op::exponent;
    if constexpr (requires { Op::along_axis; }) o.has_axis = true, o.axis = Op::along_axis;
    if constexpr (requires { Op::subscripts; }) o.subscripts = Op::subscripts;
    for (std::size_t k = 0; k < 4; ++k) o.value_arg[k] = true;
    if constexpr (requires { Op::is_product; }) o.product = Op::is_product;
    if constexpr (!Op::elementwise) {
        using N = typename probe_node<Op>::type;
        for (std::size_t k = 0; k < sizeof...(I); ++k) o.value_arg[k] = Op::value_arg(k);
        o.sink = requires(const N& n, const shape_type& s) { Op::sink_scale(n, ((void)I, s)...); };
        if constexpr (requires { Op::precondition; }) o.precondition = Op::precondition;
        o.number_rule = &number_rule_of<Op, I...>;
        o.rows_rule = &rows_rule_of<Op, I...>;
    }
    return o;
}
template <class Op>
inline constexpr op_info op_info_of = make_op_info<Op>(std::make_index_sequence<Op::arity>{});

template <class E>
struct info_holder;

template <fixed_string Name>
struct info_holder<symbol_t<Name>> {
    static constexpr expr_info value{
        hash_text(Name.view()), expr_kind::symbol, 0, nullptr, nullptr, false, Name.view(), 0, 1};
};
template <std::intmax_t N, std::intmax_t D>
struct info_holder<constant<N, D>> {
    static constexpr expr_info value{
        hash_mix(hash_mix(0x51ed27u, static_cast<std::uint64_t>(N)), static_cast<std::uint64_t>(D)),
        expr_kind::constant,
        0,
        nullptr,
        nullptr,
        false,
        {},
        N,
        D};
};
template <class T>
long double read_literal(const void* p) {
    return static_cast<long double>(static_cast<const literal<T>*>(p)->value);
}
template <class T>
struct info_holder<literal<T>> {
    static constexpr expr_info value{type_name_hash<T>(), expr_kind::literal, 0, nullptr, nullptr, true, {}, 0, 1, {},
                                     &read_literal<T>};
};
/// The byte offsets of a node's operands (the engine finds a node's occurrence in the roots by them).
template <class N>
constexpr std::array<std::uint32_t, 4> operand_offsets() {
    static_assert(std::is_standard_layout_v<N>, "symdiff: nodes are standard-layout");
    std::array<std::uint32_t, 4> o{};
    o[0] = offsetof(N, a0);
    if constexpr (N::arity > 1) o[1] = offsetof(N, a1);
    if constexpr (N::arity > 2) o[2] = offsetof(N, a2);
    if constexpr (N::arity > 3) o[3] = offsetof(N, a3);
    return o;
}
template <class Op, class... A>
constexpr std::uint64_t node_hash() {
    std::uint64_t h = type_name_hash<Op>();
    ((h = hash_mix(h, info_holder<A>::value.hash)), ...);
    return h;
}
template <class Op, class... A>
struct info_holder<node<Op, A...>> {
    static constexpr const expr_info* operands[] = {&info_holder<A>::value...};
    static constexpr expr_info value{node_hash<Op, A...>(),
                                     expr_kind::node,
                                     sizeof...(A),
                                     operands,
                                     &op_info_of<Op>,
                                     (info_holder<A>::value.stateful || ...),
                                     {},
                                     0,
                                     1,
                                     operand_offsets<node<Op, A...>>()};
};

template <class E>
inline constexpr const expr_info* info_of = &info_holder<std::remove_cvref_t<E>>::value;

/// Are a and b the same expression? (Compared by their structure, not by the infos' addresses:
/// GCC does not fold the comparison of two distinct objects' addresses under -fsanitize=undefined.)
constexpr bool same_expr(const expr_info* a, const expr_info* b) {
    std::vector<const expr_info*> todo{a, b};
    while (!todo.empty()) {
        const expr_info* y = todo.back();
        todo.pop_back();
        const expr_info* x = todo.back();
        todo.pop_back();
        if (x->hash != y->hash || x->kind != y->kind || x->arity != y->arity) return false;
        switch (x->kind) {
            case expr_kind::symbol:
                if (x->name != y->name) return false;
                break;
            case expr_kind::constant:
                if (x->num != y->num || x->den != y->den) return false;
                break;
            case expr_kind::literal: break;  // of one number type (the hash): the values are compared at run time
            case expr_kind::node:
                if (x->op->type != y->op->type) return false;
                for (std::size_t i = 0; i < x->arity; ++i) {
                    todo.push_back(x->operands[i]);
                    todo.push_back(y->operands[i]);
                }
                break;
        }
    }
    return true;
}

/// The flat program of a set of roots, with runtime sizes (used inside constant evaluation).
struct lowering {
    std::vector<const expr_info*> node;
    std::vector<std::array<int, 4>> operand;
    std::vector<int> parent;  ///< spanning tree: node of first visit, or -1 - r for root r
    std::vector<int> child;   ///< spanning tree: operand index in the parent
    std::vector<int> root;    ///< program index of each root
};

/// Depth-first walk from the roots: each distinct non-literal info once, operands first.
/// (Flat vectors of numbers and plain loops: GCC evaluates this at compile time, where arrays
/// inside vector elements and helper lambdas cost far more than the work itself.)
constexpr lowering lower(const expr_info* const* roots, std::size_t root_count) {
    // Discovery, in pre-order: slot s is the s-th distinct node met, first reached through
    // (parent slot, operand index); its operands' slots are ops[4 s + i].
    std::vector<const expr_info*> info;
    std::vector<int> ops, parent, child, order, root_slot;
    std::size_t cap = 1024;
    std::vector<int> table(cap, -1);  // open addressing on the hash: slot, or -1
    std::vector<int> stack;           // pairs (slot, next operand)
    for (std::size_t r = 0; r < root_count; ++r) {
        const expr_info* e = roots[r];
        int from = -1 - static_cast<int>(r), at = 0;
        for (;;) {
            int slot = -1;
            std::size_t probe = 0;
            if (e->kind != expr_kind::literal) {
                for (probe = e->hash & (cap - 1); table[probe] >= 0; probe = (probe + 1) & (cap - 1))
                    if (same_expr(info[static_cast<std::size_t>(table[probe])], e)) {
                        slot = table[probe];
                        break;
                    }
            }
            if (slot < 0) {
                slot = static_cast<int>(info.size());
                info.push_back(e);
                for (int i = 0; i < 4; ++i) ops.push_back(-1);
                parent.push_back(from);
                child.push_back(at);
                if (e->kind != expr_kind::literal) {
                    table[probe] = slot;
                    if (4 * info.size() > cap) {  // keep the load under 1/4
                        cap *= 4;
                        table.assign(cap, -1);
                        for (std::size_t k = 0; k < info.size(); ++k) {
                            if (info[k]->kind == expr_kind::literal) continue;
                            std::size_t q = info[k]->hash & (cap - 1);
                            while (table[q] >= 0) q = (q + 1) & (cap - 1);
                            table[q] = static_cast<int>(k);
                        }
                    }
                }
                if (e->kind == expr_kind::node) {
                    stack.push_back(slot);
                    stack.push_back(0);
                } else {
                    order.push_back(slot);
                }
            }
            if (from >= 0) ops[4 * static_cast<std::size_t>(from) + static_cast<std::size_t>(at)] = slot;
            else root_slot.push_back(slot);
            // the next operand to visit; finished nodes leave the stack in post-order
            bool next = false;
            while (!stack.empty()) {
                const std::size_t top = stack.size() - 2;
                const int s = stack[top], i = stack[top + 1];
                const expr_info* t = info[static_cast<std::size_t>(s)];
                if (static_cast<unsigned>(i) < t->arity) {
                    stack[top + 1] = i + 1;
                    from = s;
                    at = i;
                    e = t->operands[i];
                    next = true;
                    break;
                }
                order.push_back(s);
                stack.pop_back();
                stack.pop_back();
            }
            if (!next) break;
        }
    }
    // Renumber in post-order: operands before the nodes that read them.
    std::vector<int> index(info.size(), -1);
    for (std::size_t i = 0; i < order.size(); ++i) index[static_cast<std::size_t>(order[i])] = static_cast<int>(i);
    lowering out;
    out.node.resize(order.size());
    out.operand.resize(order.size());
    out.parent.resize(order.size());
    out.child.resize(order.size());
    for (std::size_t i = 0; i < order.size(); ++i) {
        const auto s = static_cast<std::size_t>(order[i]);
        out.node[i] = info[s];
        for (std::size_t a = 0; a < 4; ++a) {
            const int o = ops[4 * s + a];
            out.operand[i][a] = o < 0 ? -1 : index[static_cast<std::size_t>(o)];
        }
        out.parent[i] = parent[s] < 0 ? parent[s] : index[static_cast<std::size_t>(parent[s])];
        out.child[i] = child[s];
    }
    for (int r : root_slot) out.root.push_back(index[static_cast<std::size_t>(r)]);
    return out;
}

template <class... Roots>
inline constexpr const expr_info* root_infos[] = {info_of<Roots>...};

/// The program of `Roots...` with compile-time sizes.
template <class... Roots>
struct program_of {
    static constexpr std::size_t roots = sizeof...(Roots);
    static constexpr std::size_t size = lower(root_infos<Roots...>, roots).node.size();

    struct arrays {
        std::array<const expr_info*, size> node{};
        std::array<std::array<int, 4>, size> operand{};
        std::array<int, size> parent{}, child{};
        std::array<int, roots> root{};
        /// The first occurrence of node k: root `root_of[k]`, `offset[k]` bytes into it.
        std::array<int, size> root_of{};
        std::array<std::uint32_t, size> offset{};
    };
    static constexpr arrays data = [] {
        const lowering l = lower(root_infos<Roots...>, roots);
        arrays a;
        for (std::size_t k = 0; k < size; ++k) {
            a.node[k] = l.node[k];
            a.operand[k] = l.operand[k];
            a.parent[k] = l.parent[k];
            a.child[k] = l.child[k];
        }
        for (std::size_t r = 0; r < roots; ++r) a.root[r] = l.root[r];
        // (a parent comes after its operands: from the last node down, the parent is done)
        for (std::size_t k = size; k-- > 0;) {
            const int p = a.parent[k];
            if (p < 0) {
                a.root_of[k] = -1 - p;
                continue;
            }
            const auto pk = static_cast<std::size_t>(p);
            a.root_of[k] = a.root_of[pk];
            a.offset[k] = a.offset[pk] + a.node[pk]->offset[static_cast<std::size_t>(a.child[k])];
        }
        return a;
    }();

    // What the engine reads at run time. Not `data`: its node pointers lead to one info object per
    // expression type (info_holder<E>), and whatever run-time code refers to gets emitted into the
    // object file under a name that spells E, as long as E: quadratic in the program's size. So
    // the run-time tables hold copies of the infos (without their operands' infos) and the arrays.
    static constexpr std::array<expr_info, size> infos = [] {
        std::array<expr_info, size> a{};
        for (std::size_t k = 0; k < size; ++k) {
            a[k] = *data.node[k];
            a[k].operands = nullptr;
        }
        return a;
    }();
    static constexpr std::array<const expr_info*, size> nodes = [] {
        std::array<const expr_info*, size> a{};
        for (std::size_t k = 0; k < size; ++k) a[k] = &infos[k];
        return a;
    }();
    struct run_arrays {
        std::array<std::array<int, 4>, size> operand{};
        std::array<int, roots> root{};
        std::array<int, size> root_of{};
        std::array<std::uint32_t, size> offset{};
    };
    static constexpr run_arrays at_run_time{data.operand, data.root, data.root_of, data.offset};

    template <std::size_t R>
    using root_type = std::tuple_element_t<R, std::tuple<Roots...>>;

    /// The program index of the node of type E (not a literal), or -1.
    template <class E>
    static constexpr int index_of() {
        // (a linear search: for tests and diagnostics; a table built for every program would cost
        // every program compile time)
        const expr_info* e = info_of<E>;
        for (std::size_t k = 0; k < size; ++k)
            if (data.node[k]->hash == e->hash && same_expr(data.node[k], e)) return static_cast<int>(k);
        return -1;
    }
};

/// The C++ type of program node K, through the spanning tree of the walk.
template <class Program, int K, int Parent = Program::data.parent[static_cast<std::size_t>(K)]>
struct type_at {
    using parent_type = typename type_at<Program, Parent>::type;
    using type = std::remove_cvref_t<
        decltype(std::declval<const parent_type&>()
                     .template arg<static_cast<std::size_t>(Program::data.child[static_cast<std::size_t>(K)])>())>;
};
template <class Program, int K, int Parent>
requires(Parent < 0) struct type_at<Program, K, Parent> {
    using type = typename Program::template root_type<static_cast<std::size_t>(-1 - Parent)>;
};

template <class Program, std::size_t K>
using node_type_t = typename type_at<Program, static_cast<int>(K)>::type;

}  // namespace symdiff::detail
