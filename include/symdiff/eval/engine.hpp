#pragma once
// The evaluation engine: runs a lowered, scheduled program over numbers and arrays.
//
//   engine<Program, T, Bindings...> e(roots);   // reads the runtime literals out of the roots
//   e.run(roots, bindings);                      // one evaluation; the workspace is kept
//   e.result<0>()                                // a number, or an xt::xarray<T>
//
// A run (1) takes each symbol's value (a number, or the bound array in place when it is a
// contiguous row-major array of T, else a converted copy), (2) plans when the arrays' shapes
// changed since the last run (every node's shape, the workspace, how each region runs), and (3)
// executes the schedule's steps: number nodes as scalar code, regions as one fused SIMD loop (or,
// when the shapes inside a region differ, node by node with broadcasting), structural nodes by
// their operation's `compute`. Only the operations' hooks are called: the engine names none.
//
// Runtime literals. The program shares nodes by type, and a node's literals are read from its
// first occurrence. When two occurrences of one type hold different numbers (`0.5 * x` and
// `2.0 * x`), that program would be wrong: the engine then lists the nodes at run time instead,
// sharing equal (type, operands, literal value) triples, and runs them node by node with the same
// per-node code. Results are the same; only the fused loops are lost.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "../core/array_ref.hpp"
#include "../core/broadcast.hpp"
#include "../core/math.hpp"
#include "../core/shape.hpp"
#include "../print/to_string.hpp"
#include "bindings.hpp"
#include "kernels.hpp"
#include "lower.hpp"
#include "schedule.hpp"

namespace symdiff::detail {

/// Position of `k` in region R's inputs.
template <class S, int R>
constexpr int input_position(int k) {
    for (int i = S::data.input_begin[R]; i < S::data.input_begin[R + 1]; ++i)
        if (S::data.input[static_cast<std::size_t>(i)] == k) return i - S::data.input_begin[R];
    return -1;
}

/// The operand as an operation's apply takes it: an exact constant keeps its type when the
/// operation asks for it (pow with an integer exponent multiplies).
template <class Op, std::size_t I, class Operand, class V>
constexpr decltype(auto) apply_arg(const V& v) {
    if constexpr (Constant<Operand> && requires { Op::keeps_exact(I); }) {
        if constexpr (Op::keeps_exact(I)) return Operand{};
        else return (v);
    } else {
        return (v);
    }
}

/// Where a run's values live.
template <class T>
struct slot {
    shape_type shape;
    const T* data = nullptr;  ///< an array node's values (bound array, workspace, output)
    T* own = nullptr;         ///< its own buffer, when the engine writes it
};

template <class P, class T, class... Bs>
class engine {
    using S = scheduled<P, Bs...>;
    static constexpr std::size_t N = P::size;
    static constexpr auto& D = S::data;
    template <std::size_t K>
    using type = node_type_t<P, K>;
    template <std::size_t K, std::size_t I>
    static constexpr std::size_t operand = static_cast<std::size_t>(P::data.operand[K][I]);

    /// Symbols whose bound value is copied (converted) before each run.
    template <std::size_t K>
    static constexpr bool staged_symbol() {
        if constexpr (Symbol<type<K>>) {
            if constexpr (!D.number[K] && D.needed[K] && count_bindings<type<K>::name, Bs...>() == 1)
                return !readable_in_place<decltype(lookup<type<K>::name>(std::declval<const boost::hana::tuple<Bs...>&>())), T>;
        }
        return false;
    }
    static constexpr std::array<bool, N> staged_ = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<bool, N>{staged_symbol<K>()...};
    }(std::make_index_sequence<N>{});
    static constexpr bool has_literals = [] {
        for (std::size_t k = 0; k < N; ++k)
            if (P::data.node[k]->kind == expr_kind::literal) return true;
        return false;
    }();

public:
    using value_type = T;
    using bindings_type = boost::hana::tuple<Bs...>;

    template <class Roots>
    explicit engine(const Roots& roots) : number_(N), slots_(N), sink_total_(N), sink_scale_(N, 1) {
        [&]<std::size_t... K>(std::index_sequence<K...>) { (read_leaf_constant<K>(), ...); }(std::make_index_sequence<N>{});
        if constexpr (has_literals)
            if (!read_literals(roots, number_)) list_by_value(roots);
    }

    /// One evaluation. Results: result<R>() or take<R>().
    template <class Roots>
    void run(const Roots& roots, const bindings_type& bindings) {
        if (by_value_) return run_by_value(roots, bindings);
        read_symbols(bindings);
        if (!planned_ || signature_changed(bindings)) plan(roots, bindings);
        stage_symbols(bindings);
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (run_step<D.step_list[I].kind, D.step_list[I].id>(roots), ...);
        }(std::make_index_sequence<D.steps>{});
        [&]<std::size_t... R>(std::index_sequence<R...>) { (copy_root<R>(static_cast<std::size_t>(P::data.root[R])), ...); }(
            std::make_index_sequence<P::roots>{});
    }

    /// The value of root R after run(): a number, or a reference to the engine's array.
    template <std::size_t R>
    decltype(auto) result() const {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (D.number[k]) return number_[root_id<R>()];
        else return static_cast<const xt::xarray<T>&>(std::get<R>(outputs_));
    }
    /// Root R's value, moved out of the engine (for a one-shot evaluation).
    template <std::size_t R>
    auto take() {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (D.number[k]) return number_[root_id<R>()];
        else return xt::xarray<T>(std::move(std::get<R>(outputs_)));
    }

    /// Programs of numbers only: scalar code, a constant expression when the inputs are.
    template <class Roots>
    static constexpr auto evaluate_numbers(const Roots& roots, const bindings_type& bindings) {
        std::array<T, N> v{};
        if (!read_literals(roots, v)) return evaluate_tree(roots, bindings);
        [&]<std::size_t... K>(std::index_sequence<K...>) { (number_leaf<K>(v, bindings), ...); }(std::make_index_sequence<N>{});
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (number_step<static_cast<std::size_t>(D.step_list[I].id)>(v, roots), ...);
        }(std::make_index_sequence<D.steps>{});
        return [&]<std::size_t... R>(std::index_sequence<R...>) {
            return boost::hana::make_tuple(v[static_cast<std::size_t>(P::data.root[R])]...);
        }(std::make_index_sequence<P::roots>{});
    }

private:
    // ---- the expression behind a node ---------------------------------------------------------

    /// Node K's first occurrence in the roots, for operations that read their node and for
    /// messages. (Not inlined: a chain of calls as long as the node is deep, compiled once per node.)
    template <std::size_t K, class Roots>
    [[gnu::noinline]] static constexpr const type<K>& node_at(const Roots& roots) {
        constexpr int parent = P::data.parent[K];
        if constexpr (parent < 0) return std::get<static_cast<std::size_t>(-1 - parent)>(roots);
        else return node_at<static_cast<std::size_t>(parent)>(roots).template arg<static_cast<std::size_t>(P::data.child[K])>();
    }

    /// Calls `f(program index of the literal, value)` for every literal in the roots: each
    /// occurrence of a node type names the same literal nodes (its operands in the program).
    template <class E, class F>
    static constexpr void for_each_literal(const E& e, F& f) {
        if constexpr (Node<E> && !is_stateless<E>) {
            constexpr auto k = static_cast<std::size_t>(P::template index_of<E>());
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                (literal_operand<k, I>(e.template arg<I>(), f), ...);
            }(std::make_index_sequence<E::arity>{});
        }
    }
    template <std::size_t K, std::size_t I, class A, class F>
    static constexpr void literal_operand(const A& a, F& f) {
        if constexpr (Literal<A>) f(operand<K, I>, static_cast<T>(a.value));
        else for_each_literal(a, f);
    }
    /// Reads the roots' literals into `v`; false when two occurrences of one node disagree.
    template <class Roots, class V>
    static constexpr bool read_literals(const Roots& roots, V& v) {
        bool agree = true;
        std::array<bool, N> seen{};
        auto f = [&](std::size_t k, T value) {
            if (!seen[k]) {
                seen[k] = true;
                v[k] = value;
            } else if (!(v[k] == value || (v[k] != v[k] && value != value))) {
                agree = false;
            }
        };
        [&]<std::size_t... R>(std::index_sequence<R...>) { (read_root_literal<R>(std::get<R>(roots), f), ...); }(
            std::make_index_sequence<P::roots>{});
        return agree;
    }
    template <std::size_t R, class E, class F>
    static constexpr void read_root_literal(const E& e, F& f) {
        if constexpr (Literal<E>) f(static_cast<std::size_t>(P::data.root[R]), static_cast<T>(e.value));
        else for_each_literal(e, f);
    }

    template <std::size_t K>
    static constexpr void number_leaf(std::array<T, N>& v, const bindings_type& bindings) {
        using E = type<K>;
        if constexpr (Constant<E>) v[K] = E::template as<T>();
        else if constexpr (Symbol<E>) {
            if constexpr (D.needed[K]) v[K] = static_cast<T>(lookup<E::name>(bindings));
        }
    }
    template <std::size_t K, class Roots>
    static constexpr void number_step(std::array<T, N>& v, const Roots& roots) {
        using E = type<K>;
        using Op = typename E::op;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            if constexpr (Op::elementwise) {
                v[K] = static_cast<T>(Op::apply(apply_arg<Op, I, type<operand<K, I>>>(v[operand<K, I>])...));
            } else if constexpr (P::data.node[K]->op->sink) {
                const shape_type scalar;
                v[K] = static_cast<T>(Op::sink_scale(node_at<K>(roots), ((void)I, scalar)...)) * v[operand<K, 0>];
            } else {
                Op::compute(node_at<K>(roots), v[K], v[operand<K, I>]...);
            }
        }(std::make_index_sequence<E::arity>{});
    }

    /// Numbers with literals that differ between occurrences of one type: each root evaluated by
    /// recursion over its tree (numbers only, so no sharing is lost that matters).
    template <class Roots>
    static constexpr auto evaluate_tree(const Roots& roots, const bindings_type& bindings) {
        return [&]<std::size_t... R>(std::index_sequence<R...>) {
            return boost::hana::make_tuple(tree_value(std::get<R>(roots), bindings)...);
        }(std::make_index_sequence<P::roots>{});
    }
    template <class E>
    static constexpr T tree_value(const E& e, const bindings_type& bindings) {
        if constexpr (Constant<E>) return E::template as<T>();
        else if constexpr (Literal<E>) return static_cast<T>(e.value);
        else if constexpr (Symbol<E>) return static_cast<T>(lookup<E::name>(bindings));
        else {
            using Op = typename E::op;
            return [&]<std::size_t... I>(std::index_sequence<I...>) -> T {
                if constexpr (Op::elementwise) {
                    return static_cast<T>(Op::apply(apply_arg<Op, I, std::remove_cvref_t<decltype(e.template arg<I>())>>(
                        tree_value(e.template arg<I>(), bindings))...));
                } else if constexpr (requires { Op::sink_scale(e, ((void)I, shape_type{})...); }) {
                    return static_cast<T>(Op::sink_scale(e, ((void)I, shape_type{})...)) * tree_value(e.template arg<0>(), bindings);
                } else {
                    T out{};
                    Op::compute(e, out, tree_value(e.template arg<I>(), bindings)...);
                    return out;
                }
            }(std::make_index_sequence<E::arity>{});
        }
    }

    template <std::size_t K>
    void read_leaf_constant() {
        if constexpr (Constant<type<K>>) number_[K] = type<K>::template as<T>();
    }

    // ---- symbols ------------------------------------------------------------------------------

    void read_symbols(const bindings_type& b) {
        [&]<std::size_t... K>(std::index_sequence<K...>) { (read_symbol<K>(K, b), ...); }(std::make_index_sequence<N>{});
    }
    template <std::size_t K>
    void read_symbol(std::size_t id, const bindings_type& b) {
        using E = type<K>;
        if constexpr (Symbol<E>) {
            if constexpr (D.needed[K] || !D.number[K]) {
                const auto& v = lookup<E::name>(b);
                if constexpr (D.number[K]) number_[id] = static_cast<T>(v);
                else if constexpr (readable_in_place<decltype(v), T>) slots_[id].data = v.data();
            }
        }
    }
    bool signature_changed(const bindings_type& b) const {
        bool changed = false;
        [&]<std::size_t... K>(std::index_sequence<K...>) { ((changed = changed || symbol_shape_changed<K>(K, b)), ...); }(
            std::make_index_sequence<N>{});
        return changed;
    }
    template <std::size_t K>
    bool symbol_shape_changed(std::size_t id, const bindings_type& b) const {
        if constexpr (Symbol<type<K>>) {
            if constexpr (!D.number[K]) {
                const auto& s = lookup<type<K>::name>(b).shape();
                const shape_type& old = slots_[id].shape;
                return old.size() != s.size() || !std::equal(old.begin(), old.end(), s.begin());
            }
        }
        return false;
    }
    void stage_symbols(const bindings_type& b) {
        [&]<std::size_t... K>(std::index_sequence<K...>) { (stage_symbol<K>(K, b), ...); }(std::make_index_sequence<N>{});
    }
    // Bound values that cannot be read in place (views, other element types) are copied.
    template <std::size_t K>
    void stage_symbol(std::size_t id, const bindings_type& b) {
        if constexpr (staged_[K]) {
            const auto& v = lookup<type<K>::name>(b);
            T* out = slots_[id].own;
            for (auto it = v.begin(); it != v.end(); ++it) *out++ = static_cast<T>(*it);
        }
    }

    // ---- node by node: shared by the compiled program and the one listed at run time ----------

    /// Runs f; a shape_error from the operation gets the node's text in front.
    template <class F, class E>
    static void checked(F&& f, const E& n) {
        try {
            f();
        } catch (const shape_error& e) {
            throw shape_error(to_string(n) + ": " + e.what());
        }
    }

    /// Node K's shape into slot `id`, from its operands' slots `ids`.
    template <std::size_t K, class GetNode>
    void shape_of_node(std::size_t id, const int* ids, const GetNode& node, const bindings_type& b) {
        using E = type<K>;
        slot<T>& s = slots_[id];
        if constexpr (Symbol<E>) {
            if constexpr (D.number[K]) s.shape.clear();
            else s.shape = shape_of(lookup<E::name>(b));
        } else if constexpr (!Node<E>) {
            s.shape.clear();
        } else {
            using Op = typename E::op;
            const auto in = [&](std::size_t i) -> const shape_type& { return slots_[static_cast<std::size_t>(ids[i])].shape; };
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                if constexpr (Op::elementwise) {
                    if constexpr (D.number[K]) {
                        s.shape.clear();
                    } else {
                        shape_type r;
                        bool fine = true;
                        (((void)(fine && (r = broadcast_shapes(r, in(I), fine), true))), ...);
                        if (!fine) {
                            std::string list;
                            ((list += (I ? " and " : "") + shape_to_string(in(I))), ...);
                            throw shape_error(to_string(node()) + ": cannot broadcast shapes " + list);
                        }
                        s.shape = std::move(r);
                    }
                } else {
                    // (a number result still checks its operands: the sum of a (3)-vector onto a
                    // (4)-vector's gradient is refused)
                    const auto& n = node();
                    checked([&] { s.shape = Op::shape(n, in(I)...); }, n);
                    if constexpr (D.number[K]) s.shape.clear();
                }
            }(std::make_index_sequence<E::arity>{});
        }
    }

    template <std::size_t K, class GetNode>
    void sink_scale_of(std::size_t id, const int* ids, const GetNode& node) {
        if constexpr (Node<type<K>>) {
            if constexpr (P::data.node[K]->op->sink && D.number[K]) {
                const auto& n = node();
                [&]<std::size_t... I>(std::index_sequence<I...>) {
                    sink_scale_[id] = static_cast<accumulator_t<T>>(
                        type<K>::op::sink_scale(n, slots_[static_cast<std::size_t>(ids[I])].shape...));
                }(std::make_index_sequence<type<K>::arity>{});
            }
        }
    }

    template <std::size_t K>
    void number_node(std::size_t id, const int* ids) {
        using E = type<K>;
        using Op = typename E::op;
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            number_[id] = static_cast<T>(Op::apply(apply_arg<Op, I, type<operand<K, I>>>(number_[static_cast<std::size_t>(ids[I])])...));
        }(std::make_index_sequence<E::arity>{});
    }

    /// An operand as compute() takes it.
    template <std::size_t J>
    auto compute_arg(std::size_t id, bool value) const {
        if constexpr (D.number[J]) {
            return number_[id];
        } else {
            const slot<T>& s = slots_[id];
            return array_ref<const T>{value ? s.data : nullptr, s.shape.data(), s.shape.size()};
        }
    }

    template <std::size_t K>
    void structural_node(std::size_t id, const int* ids, const type<K>& n) {
        using E = type<K>;
        using Op = typename E::op;
        if constexpr (P::data.node[K]->op->sink && D.number[K]) {
            const auto h = static_cast<std::size_t>(ids[0]);
            if constexpr (D.number[operand<K, 0>]) number_[id] = static_cast<T>(sink_scale_[id] * number_[h]);
            else number_[id] = static_cast<T>(sink_scale_[id] * sink_total_[id]);
        } else {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                if constexpr (D.number[K]) {
                    Op::compute(n, number_[id], compute_arg<operand<K, I>>(static_cast<std::size_t>(ids[I]), P::data.node[K]->op->value_arg[I])...);
                } else {
                    slot<T>& s = slots_[id];
                    Op::compute(n, array_ref<T>{s.own, s.shape.data(), s.shape.size()},
                                compute_arg<operand<K, I>>(static_cast<std::size_t>(ids[I]), P::data.node[K]->op->value_arg[I])...);
                }
            }(std::make_index_sequence<E::arity>{});
        }
    }

    /// An elementwise node into its own buffer, its operands broadcast.
    template <std::size_t K>
    void member_by_node(std::size_t id, const int* ids) {
        using E = type<K>;
        using Op = typename E::op;
        [&]<std::size_t... A>(std::index_sequence<A...>) {
            const std::array<const shape_type*, E::arity> shapes{&slots_[static_cast<std::size_t>(ids[A])].shape...};
            T* out = slots_[id].own;
            std::size_t e = 0;
            for_each_broadcast<E::arity>(slots_[id].shape, shapes, [&](const std::array<std::size_t, E::arity>& off) {
                out[e++] = static_cast<T>(Op::apply(apply_arg<Op, A, type<operand<K, A>>>(
                    operand_at<operand<K, A>>(static_cast<std::size_t>(ids[A]), off[A]))...));
            });
        }(std::make_index_sequence<E::arity>{});
    }
    template <std::size_t J>
    T operand_at(std::size_t id, std::size_t i) const {
        if constexpr (D.number[J]) return number_[id];
        else return slots_[id].data[i];
    }

    /// The sum a sink scales, over its source's buffer (same order as in a fused loop).
    void sum_buffer(std::size_t id, std::size_t source) {
        const T* src = slots_[source].data;
        const std::size_t n = count_of(slots_[source].shape);
        using B = batch_t<T>;
        constexpr std::size_t W = B::size;
        sum_sink<T> s;
        std::size_t i = 0;
        for (; i + W * sink_lanes <= n;) {
            const std::size_t chunk_end = std::min(n - (n - i) % (W * sink_lanes), i + chunk_elements);
            s.start_chunk();
            for (; i < chunk_end; i += W * sink_lanes)
                for (std::size_t u = 0; u < sink_lanes; ++u) s.acc[u] += B::load_unaligned(src + i + u * W);
            s.end_chunk();
        }
        std::array<accumulator_t<T>, 4> tail{};
        for (std::size_t t = 0; i < n; ++i, ++t) tail[t % 4] += src[i];
        sink_total_[id] = s.total + ((tail[0] + tail[1]) + (tail[2] + tail[3]));
    }

    // ---- the compiled program: planning --------------------------------------------------------

    struct region_plan {
        shape_type shape;
        std::size_t count = 0;
        bool fused = true;
        std::vector<T*> expand;  ///< per input: where its expanded copy goes, or nullptr
    };

    /// Reserves `n` elements of the workspace; returns the offset.
    std::size_t reserve(std::size_t& words, std::size_t n) {
        const std::size_t at = words;
        words += (n + 15) / 16 * 16;  // 64-byte granules
        return at;
    }

    template <class Roots>
    void plan(const Roots& roots, const bindings_type& b) {
        for (std::size_t k = 0; k < N; ++k) {
            slots_[k].own = nullptr;
            if (P::data.node[k]->kind != expr_kind::symbol) slots_[k].data = nullptr;
        }
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (shape_of_node<K>(K, P::data.operand[K].data(), [&]() -> const type<K>& { return node_at<K>(roots); }, b), ...);
        }(std::make_index_sequence<N>{});
        // regions: fused when every member (and sink source) has the region's shape; inputs of
        // another shape are expanded into it
        std::size_t words = 0;
        std::vector<std::ptrdiff_t> offset(N, -1);
        std::vector<std::vector<std::ptrdiff_t>> expand_at(D.regions);
        region_.assign(D.regions, region_plan{});
        for (std::size_t r = 0; r < D.regions; ++r) {
            region_plan& rp = region_[r];
            const int mb = D.member_begin[r], me = D.member_begin[r + 1];
            const auto source = [&](int q) {
                return static_cast<std::size_t>(P::data.operand[static_cast<std::size_t>(D.sink[static_cast<std::size_t>(q)])][0]);
            };
            rp.shape = mb == me ? slots_[source(D.sink_begin[r])].shape : slots_[static_cast<std::size_t>(D.member[static_cast<std::size_t>(mb)])].shape;
            for (int m = mb; m < me; ++m)
                if (slots_[static_cast<std::size_t>(D.member[static_cast<std::size_t>(m)])].shape != rp.shape) rp.fused = false;
            for (int q = D.sink_begin[r]; q < D.sink_begin[r + 1]; ++q)
                if (slots_[source(q)].shape != rp.shape) rp.fused = false;
            rp.count = count_of(rp.shape);
            expand_at[r].assign(static_cast<std::size_t>(D.input_begin[r + 1] - D.input_begin[r]), -1);
            if (rp.fused)
                for (int i = D.input_begin[r]; i < D.input_begin[r + 1]; ++i) {
                    const auto k = static_cast<std::size_t>(D.input[static_cast<std::size_t>(i)]);
                    if (!D.number[k] && slots_[k].shape != rp.shape)
                        expand_at[r][static_cast<std::size_t>(i - D.input_begin[r])] = static_cast<std::ptrdiff_t>(reserve(words, rp.count));
                }
        }
        // buffers: materialized nodes, members of regions run node by node, staged symbols
        for (std::size_t k = 0; k < N; ++k) {
            if (!D.needed[k] || D.number[k] || is_root_output(k)) continue;
            const bool member_by_node = D.region_of[k] >= 0 && !region_[static_cast<std::size_t>(D.region_of[k])].fused;
            if (D.materialize[k] || member_by_node || staged_[k]) offset[k] = static_cast<std::ptrdiff_t>(reserve(words, count_of(slots_[k].shape)));
        }
        workspace_.assign(words, T(0));
        [&]<std::size_t... R>(std::index_sequence<R...>) { (plan_output<R>(static_cast<std::size_t>(P::data.root[R])), ...); }(
            std::make_index_sequence<P::roots>{});
        for (std::size_t k = 0; k < N; ++k) {
            if (offset[k] >= 0) slots_[k].own = workspace_.data() + offset[k];
            if (slots_[k].own && (P::data.node[k]->kind == expr_kind::node || staged_[k])) slots_[k].data = slots_[k].own;
        }
        for (std::size_t r = 0; r < D.regions; ++r)
            for (std::ptrdiff_t e : expand_at[r]) region_[r].expand.push_back(e >= 0 ? workspace_.data() + e : nullptr);
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            (sink_scale_of<K>(K, P::data.operand[K].data(), [&]() -> const type<K>& { return node_at<K>(roots); }), ...);
        }(std::make_index_sequence<N>{});
        planned_ = true;
    }

    static constexpr bool is_root_output(std::size_t k) {
        for (int r : P::data.root)
            if (static_cast<std::size_t>(r) == k) return !D.number[k] && P::data.node[k]->kind == expr_kind::node;
        return false;
    }
    /// Root R's output array, sized; the node writes into it directly (the first root it is).
    template <std::size_t R>
    void plan_output(std::size_t id) {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (!D.number[k]) {
            auto& out = std::get<R>(outputs_);
            out.resize(slots_[id].shape);
            if constexpr (Node<type<k>>)
                if (!slots_[id].own) slots_[id].own = out.data();
        }
    }
    template <std::size_t R>
    void copy_root(std::size_t id) {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (!D.number[k]) {
            auto& out = std::get<R>(outputs_);
            if (out.data() != slots_[id].data) std::copy(slots_[id].data, slots_[id].data + out.size(), out.data());
        }
    }
    template <std::size_t R>
    std::size_t root_id() const {
        return by_value_ ? static_cast<std::size_t>(root_list_[R]) : static_cast<std::size_t>(P::data.root[R]);
    }

    // ---- the compiled program: steps -----------------------------------------------------------

    template <step_kind Kind, int Id, class Roots>
    void run_step(const Roots& roots) {
        constexpr auto k = static_cast<std::size_t>(Id);
        if constexpr (Kind == step_kind::number) number_node<k>(k, P::data.operand[k].data());
        else if constexpr (Kind == step_kind::region) run_region<Id>();
        else structural_node<k>(k, P::data.operand[k].data(), node_at<k>(roots));
    }

    template <int R>
    static constexpr std::size_t member_count = static_cast<std::size_t>(D.member_begin[R + 1] - D.member_begin[R]);
    template <int R>
    static constexpr std::size_t input_count = static_cast<std::size_t>(D.input_begin[R + 1] - D.input_begin[R]);
    template <int R>
    static constexpr std::size_t sink_count = static_cast<std::size_t>(D.sink_begin[R + 1] - D.sink_begin[R]);
    template <int R, std::size_t J>
    static constexpr std::size_t member_node = static_cast<std::size_t>(D.member[static_cast<std::size_t>(D.member_begin[R]) + J]);
    template <int R, std::size_t J>
    static constexpr std::size_t input_node = static_cast<std::size_t>(D.input[static_cast<std::size_t>(D.input_begin[R]) + J]);
    template <int R, std::size_t J>
    static constexpr std::size_t sink_node = static_cast<std::size_t>(D.sink[static_cast<std::size_t>(D.sink_begin[R]) + J]);

    /// The value of node `k` inside region R's loop body.
    template <int R, std::size_t K, class V, std::size_t M, std::size_t I>
    static constexpr const V& value_in(const std::array<V, M>& mv, const std::array<V, I>& iv) {
        if constexpr (D.region_of[K] == R) return mv[static_cast<std::size_t>(D.local[K])];
        else return iv[static_cast<std::size_t>(input_position<S, R>(static_cast<int>(K)))];
    }

    /// One element (or one SIMD batch of elements) of region R: every member, in order.
    template <int R, class V, std::size_t M, std::size_t I>
    [[gnu::always_inline]] static inline void body(std::array<V, M>& mv, const std::array<V, I>& iv) {
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            ((mv[J] = member_value<R, member_node<R, J>>(mv, iv)), ...);
        }(std::make_index_sequence<M>{});
    }
    template <int R, std::size_t K, class V, std::size_t M, std::size_t I>
    [[gnu::always_inline]] static inline V member_value(const std::array<V, M>& mv, const std::array<V, I>& iv) {
        using E = type<K>;
        using Op = typename E::op;
        return [&]<std::size_t... A>(std::index_sequence<A...>) -> V {
            return static_cast<V>(Op::apply(apply_arg<Op, A, type<operand<K, A>>>(value_in<R, operand<K, A>>(mv, iv))...));
        }(std::make_index_sequence<E::arity>{});
    }

    template <int R>
    void run_region() {
        const region_plan& rp = region_[static_cast<std::size_t>(R)];
        if (rp.fused) {
            run_fused<R>(rp);
        } else {
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                (member_by_node<member_node<R, J>>(member_node<R, J>, P::data.operand[member_node<R, J>].data()), ...);
            }(std::make_index_sequence<member_count<R>>{});
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                (sum_buffer(sink_node<R, J>, operand<sink_node<R, J>, 0>), ...);
            }(std::make_index_sequence<sink_count<R>>{});
        }
    }

    /// Region R in one loop: SIMD batches in chunks, then the tail element by element.
    template <int R>
    void run_fused(const region_plan& rp) {
        constexpr std::size_t M = member_count<R>, I = input_count<R>, Q = sink_count<R>;
        using B = batch_t<T>;
        constexpr std::size_t W = B::size;
        std::array<const T*, I + 1> in{};
        std::array<T, I + 1> in_number{};
        std::array<B, I + 1> in_batch{};
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            ((D.number[input_node<R, J>] ? void(in_number[J] = number_[input_node<R, J>]) : void(in[J] = input_data(input_node<R, J>, rp, J))), ...);
            ((in_batch[J] = B(in_number[J])), ...);
        }(std::make_index_sequence<I>{});
        std::array<T*, M + 1> out{};
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            ((out[J] = D.materialize[member_node<R, J>] ? slots_[member_node<R, J>].own : nullptr), ...);
        }(std::make_index_sequence<M>{});

        const auto load = [&]<class V>(std::size_t i, V*) {
            std::array<V, I> iv{};
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                if constexpr (std::is_same_v<V, B>)
                    ((iv[J] = D.number[input_node<R, J>] ? in_batch[J] : B::load_unaligned(in[J] + i)), ...);
                else
                    ((iv[J] = D.number[input_node<R, J>] ? in_number[J] : in[J][i]), ...);
            }(std::make_index_sequence<I>{});
            return iv;
        };
        const auto store = [&]<class V>(std::size_t i, const std::array<V, M>& mv) {
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                if constexpr (std::is_same_v<V, B>)
                    ((D.materialize[member_node<R, J>] ? mv[J].store_unaligned(out[J] + i) : void()), ...);
                else
                    ((D.materialize[member_node<R, J>] ? void(out[J][i] = mv[J]) : void()), ...);
            }(std::make_index_sequence<M>{});
        };
        const auto sunk = [&]<std::size_t Qi, class V>(std::integral_constant<std::size_t, Qi>, const std::array<V, M>& mv,
                                                        const std::array<V, I>& iv) -> const V& {
            return value_in<R, operand<sink_node<R, Qi>, 0>>(mv, iv);
        };

        const std::size_t n = rp.count;
        std::array<sum_sink<T>, Q + 1> sinks{};
        std::size_t i = 0;
        for (; i + W * sink_lanes <= n;) {
            const std::size_t chunk_end = std::min(n - (n - i) % (W * sink_lanes), i + chunk_elements);
            for (auto& s : sinks) s.start_chunk();
            for (; i < chunk_end; i += W * sink_lanes) {
                for (std::size_t u = 0; u < sink_lanes; ++u) {
                    const std::size_t at = i + u * W;
                    const std::array<B, I> iv = load(at, static_cast<B*>(nullptr));
                    std::array<B, M> mv{};
                    body<R>(mv, iv);
                    store(at, mv);
                    [&]<std::size_t... J>(std::index_sequence<J...>) {
                        ((sinks[J].acc[u] += sunk(std::integral_constant<std::size_t, J>{}, mv, iv)), ...);
                    }(std::make_index_sequence<Q>{});
                }
            }
            for (auto& s : sinks) s.end_chunk();
        }
        // the tail, element by element, into four scalar partial sums
        std::array<std::array<accumulator_t<T>, 4>, Q + 1> tail{};
        for (std::size_t t = 0; i < n; ++i, ++t) {
            const std::array<T, I> iv = load(i, static_cast<T*>(nullptr));
            std::array<T, M> mv{};
            body<R>(mv, iv);
            store(i, mv);
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                ((tail[J][t % 4] += sunk(std::integral_constant<std::size_t, J>{}, mv, iv)), ...);
            }(std::make_index_sequence<Q>{});
        }
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            ((sink_total_[sink_node<R, J>] = sinks[J].total + ((tail[J][0] + tail[J][1]) + (tail[J][2] + tail[J][3]))), ...);
        }(std::make_index_sequence<Q>{});
    }

    /// Where an input of a fused region is read from: its own data, or its copy expanded to the
    /// region's shape.
    const T* input_data(std::size_t k, const region_plan& rp, std::size_t j) const {
        if (T* dst = rp.expand[j]) {
            expand(slots_[k].data, slots_[k].shape, dst, rp.shape);
            return dst;
        }
        return slots_[k].data;
    }

    // ---- the program listed at run time (literals that differ between occurrences) -------------

    struct listed_node {
        int k;                   ///< the compile-time node whose type (and code) it has
        std::array<int, 4> ids;  ///< operands, as listed nodes
        const void* expr;        ///< the occurrence (for messages and operation data)
    };

    /// Lists the roots' nodes, sharing (type, operands, literal value): post-order, operands first.
    template <class Roots>
    void list_by_value(const Roots& roots) {
        by_value_ = true;
        std::unordered_map<std::string, int> seen;
        number_.clear();
        std::apply([&](const auto&... r) { ((root_list_.push_back(list_node(r, seen))), ...); }, roots);
        slots_.assign(listed_.size(), slot<T>{});
        sink_total_.assign(listed_.size(), 0);
        sink_scale_.assign(listed_.size(), 1);
    }
    template <class E>
    int list_node(const E& e, std::unordered_map<std::string, int>& seen) {
        constexpr int k = Literal<E> ? -1 : P::template index_of<E>();
        std::string key;
        listed_node entry{k, {-1, -1, -1, -1}, &e};
        if constexpr (Literal<E>) {
            const T v = static_cast<T>(e.value);
            key.assign("L");
            key.append(reinterpret_cast<const char*>(&v), sizeof(T));
            entry.k = literal_node_of<E>();
        } else if constexpr (Node<E>) {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                ((entry.ids[I] = list_node(e.template arg<I>(), seen)), ...);
            }(std::make_index_sequence<E::arity>{});
            key.assign("N");
        } else {
            key.assign("S");
        }
        key.append(reinterpret_cast<const char*>(&entry.k), sizeof(int));
        key.append(reinterpret_cast<const char*>(entry.ids.data()), sizeof(entry.ids));
        if (auto it = seen.find(key); it != seen.end()) return it->second;
        const int id = static_cast<int>(listed_.size());
        listed_.push_back(entry);
        number_.push_back(Literal<E> ? static_cast<T>(value_of_literal(e)) : leaf_value(entry.k));
        seen.emplace(std::move(key), id);
        return id;
    }
    template <class E>
    static constexpr double value_of_literal(const E& e) {
        if constexpr (Literal<E>) return static_cast<double>(e.value);
        else return 0;
    }
    /// Some program node of literal type E (all of them share the code; the value is the listed one).
    template <class E>
    static constexpr int literal_node_of() {
        for (std::size_t k = 0; k < N; ++k)
            if (P::data.node[k] == info_of<E>) return static_cast<int>(k);
        return -1;
    }
    T leaf_value(int k) const { return k >= 0 && k < static_cast<int>(N) && P::data.node[static_cast<std::size_t>(k)]->kind == expr_kind::constant ? const_value_[static_cast<std::size_t>(k)] : T(0); }
    template <std::size_t K>
    static constexpr T constant_or_zero() {
        if constexpr (Constant<type<K>>) return type<K>::template as<T>();
        else return T(0);
    }

    static constexpr std::array<T, N> const_value_ = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<T, N>{constant_or_zero<K>()...};
    }(std::make_index_sequence<N>{});
    using listed_fn = void (engine::*)(std::size_t, const bindings_type&, int);
    template <std::size_t K>
    void listed_step(std::size_t id, const bindings_type& b, int phase) {
        const listed_node& ln = listed_[id];
        const auto& n = *static_cast<const type<K>*>(ln.expr);
        const int* ids = ln.ids.data();
        if (phase == 0) {  // values of symbols, shapes
            read_symbol<K>(id, b);
            shape_of_node<K>(id, ids, [&]() -> const type<K>& { return n; }, b);
        } else if (phase == 1) {  // scales, after every shape is known
            sink_scale_of<K>(id, ids, [&]() -> const type<K>& { return n; });
        } else if constexpr (Symbol<type<K>>) {
            stage_symbol<K>(id, b);
        } else if constexpr (Node<type<K>>) {
            if constexpr (D.needed[K] || true) {
                if constexpr (D.number[K] && type<K>::op::elementwise) number_node<K>(id, ids);
                else if constexpr (type<K>::op::elementwise) member_by_node<K>(id, ids);
                else {
                    if constexpr (P::data.node[K]->op->sink && D.number[K] && !D.number[operand<K, 0>]) sum_buffer(id, static_cast<std::size_t>(ids[0]));
                    structural_node<K>(id, ids, n);
                }
            }
        }
    }
    static constexpr std::array<listed_fn, N> listed_table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<listed_fn, N>{&engine::template listed_step<K>...};
    }(std::make_index_sequence<N>{});

    template <class Roots>
    void run_by_value(const Roots&, const bindings_type& b) {
        const std::size_t L = listed_.size();
        for (std::size_t id = 0; id < L; ++id) (this->*listed_table[static_cast<std::size_t>(listed_[id].k)])(id, b, 0);
        for (std::size_t id = 0; id < L; ++id) (this->*listed_table[static_cast<std::size_t>(listed_[id].k)])(id, b, 1);
        std::size_t words = 0;
        std::vector<std::ptrdiff_t> offset(L, -1);
        for (std::size_t id = 0; id < L; ++id) {
            const auto k = static_cast<std::size_t>(listed_[id].k);
            const bool array = !S::data.number[k];
            if (array && (P::data.node[k]->kind == expr_kind::node || staged_[k])) offset[id] = static_cast<std::ptrdiff_t>(reserve(words, count_of(slots_[id].shape)));
        }
        workspace_.assign(words, T(0));
        for (std::size_t id = 0; id < L; ++id)
            if (offset[id] >= 0) slots_[id].data = slots_[id].own = workspace_.data() + offset[id];
        for (std::size_t id = 0; id < L; ++id) (this->*listed_table[static_cast<std::size_t>(listed_[id].k)])(id, b, 2);
        [&]<std::size_t... R>(std::index_sequence<R...>) {
            ((by_value_output<R>()), ...);
        }(std::make_index_sequence<P::roots>{});
    }
    template <std::size_t R>
    void by_value_output() {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (!D.number[k]) {
            const auto id = static_cast<std::size_t>(root_list_[R]);
            auto& out = std::get<R>(outputs_);
            out.resize(slots_[id].shape);
            std::copy(slots_[id].data, slots_[id].data + out.size(), out.data());
        }
    }

    // ---- state --------------------------------------------------------------------------------

    template <class R>
    struct output_tuple;
    template <std::size_t... R>
    struct output_tuple<std::index_sequence<R...>> {
        using type = std::tuple<std::conditional_t<true, xt::xarray<T>, std::integral_constant<std::size_t, R>>...>;
    };

    std::vector<T> number_;
    std::vector<slot<T>> slots_;
    std::vector<accumulator_t<T>> sink_total_;
    std::vector<accumulator_t<T>> sink_scale_;
    std::vector<region_plan> region_;
    std::vector<T> workspace_;
    typename output_tuple<std::make_index_sequence<P::roots>>::type outputs_;
    bool planned_ = false;
    bool by_value_ = false;
    std::vector<listed_node> listed_;
    std::vector<int> root_list_;
};

}  // namespace symdiff::detail
