#pragma once
// The evaluation engine: runs a lowered, scheduled program over numbers and arrays.
//
//   engine<Program, T, Rows, Bindings...> e(roots);   // reads the runtime literals out of the roots
//   e.run(bindings);                                   // one evaluation; the workspace is kept
//   e.result<0>()                                      // a number, or an xt::xarray<T>
//
// A run (1) takes each symbol's value (a number, or the bound array in place when it is a
// contiguous row-major array of T, else a converted copy), (2) plans when the arrays' shapes
// changed since the last run (every node's shape, blocks of rows, the workspace, how each region
// runs), and (3) executes the schedule: the `pre` steps, the `block` steps once per block of rows,
// the `post` steps. Number nodes run as scalar code, regions as one fused SIMD loop (or, when the
// shapes inside a region differ, node by node with broadcasting), structural nodes by their
// operation's `compute`. Only the operations' hooks are called: the engine names none.
//
// Blocks of rows: when the program is blockable (schedule.hpp) and the shapes agree (every rows
// node has the rows as its leading axis), the rows are processed in blocks of about 256 KiB of
// data, so that each block is read from memory once per run and what is computed from it stays
// in cache; otherwise, and for small data, in one block.
//
// Runtime literals: the program shares nodes by type and reads a node's literals from its first
// occurrence. When two occurrences of one type hold different numbers (`0.5 * x` and `2.0 * x`)
// that program would be wrong: the engine then lists the nodes at run time, sharing equal (type,
// operands, literal value) triples, and runs them node by node through the same kernels.
//
// Compile time: code is instantiated per operation (kernels.hpp), per region and per structural
// node, never per node, and no function's signature spells the program's types except those.
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

#include "../core/array_ref.hpp"
#include "../core/broadcast.hpp"
#include "../core/math.hpp"
#include "../core/shape.hpp"
#include "bindings.hpp"
#include "counters.hpp"
#include "describe.hpp"
#include "kernels.hpp"
#include "lower.hpp"
#include "schedule.hpp"

namespace symdiff::detail {

/// Rows per block: about `block_bytes` of the rows data, a multiple of 16 rows.
inline constexpr std::size_t block_bytes = 256 * 1024;

template <class P, class T, class Rows, class... Bs>
class engine {
    using S = scheduled<P, Rows, Bs...>;
    static constexpr std::size_t N = P::size;
    static constexpr const auto& D = S::data;
    template <std::size_t K>
    using type = node_type_t<P, K>;
    template <std::size_t K, std::size_t I>
    static constexpr std::size_t operand = static_cast<std::size_t>(P::data.operand[K][I]);
    using bindings_type = boost::hana::tuple<Bs...>;

    // ---- the kernel of each node (types only: no function per node) ----------------------------

    /// The exact constant that operand I of node K is passed to apply as, or void.
    template <std::size_t K, std::size_t I>
    using exact_t = std::conditional_t<passes_exact<typename type<K>::op, I, type<operand<K, I>>>(), type<operand<K, I>>, void>;
    template <std::size_t K, class Seq = std::make_index_sequence<type<K>::arity>>
    struct ew_of;
    template <std::size_t K, std::size_t... I>
    struct ew_of<K, std::index_sequence<I...>> {
        using type = elementwise<typename engine::template type<K>::op, exact_t<K, I>...>;
    };
    template <std::size_t K>
    static constexpr unsigned number_mask = [] {
        unsigned m = 0;
        for (std::size_t i = 0; i < P::data.node[K]->arity; ++i)
            if (D.number[static_cast<std::size_t>(P::data.operand[K][i])]) m |= 1u << i;
        return m;
    }();
    template <std::size_t K>
    using st_of = structural<type<K>, D.number[K], number_mask<K>>;

    using node_fn = void (*)(store<T>&, std::size_t, const int*, const void*);
    template <std::size_t K>
    static void shape_fn(store<T>& s, std::size_t id, const int* ids, const void* node) {
        if constexpr (!Node<type<K>>) s.slots[id].shape.clear();
        else if constexpr (type<K>::op::elementwise) {
            if constexpr (D.number[K]) s.slots[id].shape.clear();
            else elementwise_shape(s, id, ids, type<K>::arity);
        } else {
            st_of<K>::shape(s, id, ids, node);
        }
    }

public:
    using value_type = T;

    template <class Roots>
    explicit engine(const Roots& roots)
        : num_(N), slots_(N), total_(N), scale_(N, 1), node_(N, nullptr) {
        for (std::size_t k = 0; k < N; ++k) rows_flag_.push_back(D.place[k] == placement::rows);
        [&]<std::size_t... K>(std::index_sequence<K...>) {
            ((P::data.node[K]->kind == expr_kind::constant ? void(num_[K] = constant_value<type<K>>()) : void()), ...);
        }(std::make_index_sequence<N>{});
        node_pointers(roots);
        if constexpr (has_literals)
            if (!read_literals(roots, num_)) list_by_value(roots);
    }

    /// One evaluation. Results: result<R>() or take<R>().
    void run(const bindings_type& b) {
        if (listed_) return run_listed(b);
        read_symbols(b);
        if (!planned_ || signature_changed(b)) plan(b);
        stage_symbols(b);
        store<T> s = make_store();
        counters().runs += 1;
        // pre, then the blocks, then post
        s.blocks = false;
        run_group<group::pre>(s);
        std::fill(total_.begin(), total_.end(), accumulator_t<T>(0));
        if (blocks_ > 1) {
            s.blocks = true;
            counters().data_passes += 1;
            for (std::size_t b0 = 0; b0 < rows_n_; b0 += block_rows_) {
                set_block(b0, std::min(rows_n_, b0 + block_rows_));
                run_group<group::block>(s);
            }
            s.blocks = false;
        } else {
            if (has_rows_) counters().data_passes += 1;
            first_block_ = true;
            run_group<group::block>(s);
        }
        run_group<group::post>(s);
        [&]<std::size_t... R>(std::index_sequence<R...>) { (copy_root<R>(), ...); }(std::make_index_sequence<P::roots>{});
    }

    /// The value of root R after run(): a number, or a reference to the engine's array.
    template <std::size_t R>
    decltype(auto) result() const {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (D.number[k]) return T(num_[root_id<R>()]);
        else return static_cast<const xt::xarray<T>&>(std::get<R>(outputs_));
    }
    /// Root R's value, moved out of the engine (for a one-shot evaluation).
    template <std::size_t R>
    auto take() {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (D.number[k]) return num_[root_id<R>()];
        else return xt::xarray<T>(std::move(std::get<R>(outputs_)));
    }

    /// How the last plan runs: blocks of rows (1: all at once) and whether every region fused.
    std::size_t blocks() const { return blocks_; }
    bool listed() const { return listed_; }

    /// Programs of numbers only: scalar code, a constant expression when the inputs are.
    template <class Roots>
    static constexpr auto evaluate_numbers(const Roots& roots, const bindings_type& b) {
        std::array<T, N> v{};
        if (!read_literals(roots, v)) return evaluate_tree(roots, b);
        [&]<std::size_t... K>(std::index_sequence<K...>) { (number_leaf<K>(v, b), ...); }(std::make_index_sequence<N>{});
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            (number_step<D.step_list[I].kind, D.step_list[I].id>(v, roots), ...);
        }(std::make_index_sequence<D.steps>{});
        return [&]<std::size_t... R>(std::index_sequence<R...>) {
            return boost::hana::make_tuple(v[static_cast<std::size_t>(P::data.root[R])]...);
        }(std::make_index_sequence<P::roots>{});
    }

private:
    static constexpr bool has_literals = [] {
        for (std::size_t k = 0; k < N; ++k)
            if (P::data.node[k]->kind == expr_kind::literal) return true;
        return false;
    }();
    static constexpr bool has_rows_ = [] {
        for (std::size_t k = 0; k < N; ++k)
            if (D.needed[k] && D.place[k] != placement::once) return true;
        return false;
    }();

    template <class E>
    static constexpr T constant_value() {
        if constexpr (Constant<E>) return E::template as<T>();
        else return T(0);
    }

    store<T> make_store() {
        return {num_.data(), slots_.data(), total_.data(), scale_.data(), {P::data.node.data(), P::data.operand.data()}, false,
                rows_flag_.data()};
    }

    // ---- the expression behind a node ---------------------------------------------------------

    /// Node K's first occurrence in the roots. (Not inlined: a chain of calls as long as the node
    /// is deep, compiled once per structural node.)
    template <std::size_t K, class Roots>
    [[gnu::noinline]] static constexpr const type<K>& node_at(const Roots& roots) {
        constexpr int parent = P::data.parent[K];
        if constexpr (parent < 0) return std::get<static_cast<std::size_t>(-1 - parent)>(roots);
        else return node_at<static_cast<std::size_t>(parent)>(roots).template arg<static_cast<std::size_t>(P::data.child[K])>();
    }
    /// Structural nodes keep a pointer to their expression: their operation reads it.
    template <class Roots>
    void node_pointers(const Roots& roots) {
        [&]<std::size_t... K>(std::index_sequence<K...>) { (node_pointer<K>(roots), ...); }(std::make_index_sequence<N>{});
    }
    template <std::size_t K, class Roots>
    void node_pointer(const Roots& roots) {
        if constexpr (Node<type<K>>)
            if constexpr (!type<K>::op::elementwise) node_[K] = &node_at<K>(roots);
    }

    /// Calls `f(program index of the literal, value)` for every literal in the roots: each
    /// occurrence of a node type names the same literal nodes (its operands in the program).
    template <class E, class F>
    static constexpr void for_each_literal(const E& e, F& f) {
        if constexpr (Node<E> && !is_stateless<E>) {
            constexpr auto k = static_cast<std::size_t>(P::template index_of<E>());
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                ((Literal<std::remove_cvref_t<decltype(e.template arg<I>())>> ? void(f(operand<k, I>, literal_value(e.template arg<I>())))
                                                                                : for_each_literal(e.template arg<I>(), f)),
                 ...);
            }(std::make_index_sequence<E::arity>{});
        }
    }
    template <class A>
    static constexpr T literal_value(const A& a) {
        if constexpr (Literal<A>) return static_cast<T>(a.value);
        else return T(0);
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
        [&]<std::size_t... R>(std::index_sequence<R...>) {
            ((Literal<std::tuple_element_t<R, std::remove_cvref_t<Roots>>>
                  ? void(f(static_cast<std::size_t>(P::data.root[R]), literal_value(std::get<R>(roots))))
                  : for_each_literal(std::get<R>(roots), f)),
             ...);
        }(std::make_index_sequence<P::roots>{});
        return agree;
    }

    // ---- numbers only -------------------------------------------------------------------------

    template <std::size_t K>
    static constexpr void number_leaf(std::array<T, N>& v, const bindings_type& b) {
        using E = type<K>;
        if constexpr (Constant<E>) v[K] = E::template as<T>();
        else if constexpr (Symbol<E>) {
            if constexpr (D.needed[K]) v[K] = static_cast<T>(lookup<E::name>(b));
        }
    }
    template <step_kind Kind, int Id, class Roots>
    static constexpr void number_step(std::array<T, N>& v, const Roots& roots) {
        if constexpr (Kind == step_kind::number) {
            constexpr auto begin = static_cast<std::size_t>(D.run_begin[Id]), end = static_cast<std::size_t>(D.run_begin[Id + 1]);
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                ((v[static_cast<std::size_t>(D.number_node[begin + J])] =
                      ew_of<static_cast<std::size_t>(D.number_node[begin + J])>::type::number(
                          v.data(), P::data.operand[static_cast<std::size_t>(D.number_node[begin + J])].data())),
                 ...);
            }(std::make_index_sequence<end - begin>{});
        } else if constexpr (Kind == step_kind::structural) {
            constexpr auto k = static_cast<std::size_t>(Id);
            using Op = typename type<k>::op;
            const auto& n = node_at<k>(roots);
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                if constexpr (st_of<k>::is_sink) {
                    const shape_type scalar;
                    v[k] = static_cast<T>(Op::sink_scale(n, ((void)I, scalar)...)) * v[operand<k, 0>];
                } else {
                    Op::compute(n, v[k], v[operand<k, I>]...);
                }
            }(std::make_index_sequence<type<k>::arity>{});
        }
    }
    /// Numbers with literals that differ between occurrences of one type: each root evaluated by
    /// recursion over its tree (numbers only, so no sharing is lost that matters).
    template <class Roots>
    static constexpr auto evaluate_tree(const Roots& roots, const bindings_type& b) {
        return [&]<std::size_t... R>(std::index_sequence<R...>) {
            return boost::hana::make_tuple(tree_value(std::get<R>(roots), b)...);
        }(std::make_index_sequence<P::roots>{});
    }
    template <class E>
    static constexpr T tree_value(const E& e, const bindings_type& b) {
        if constexpr (Constant<E>) return E::template as<T>();
        else if constexpr (Literal<E>) return static_cast<T>(e.value);
        else if constexpr (Symbol<E>) return static_cast<T>(lookup<E::name>(b));
        else {
            using Op = typename E::op;
            return [&]<std::size_t... I>(std::index_sequence<I...>) -> T {
                using A = std::tuple<std::remove_cvref_t<decltype(e.template arg<I>())>...>;
                if constexpr (Op::elementwise) {
                    std::array<T, E::arity> v{tree_value(e.template arg<I>(), b)...};
                    return elementwise<Op, std::conditional_t<passes_exact<Op, I, std::tuple_element_t<I, A>>(), std::tuple_element_t<I, A>,
                                                              void>...>::apply(v, std::index_sequence<I...>{});
                } else if constexpr (requires { Op::sink_scale(e, ((void)I, shape_type{})...); }) {
                    return static_cast<T>(Op::sink_scale(e, ((void)I, shape_type{})...)) * tree_value(e.template arg<0>(), b);
                } else {
                    T out{};
                    Op::compute(e, out, tree_value(e.template arg<I>(), b)...);
                    return out;
                }
            }(std::make_index_sequence<E::arity>{});
        }
    }

    // ---- symbols ------------------------------------------------------------------------------

    /// Symbols whose bound value is copied (converted) before each run.
    template <std::size_t K>
    static constexpr bool staged_symbol() {
        if constexpr (Symbol<type<K>>) {
            if constexpr (!D.number[K] && D.needed[K] && count_bindings<type<K>::name, Bs...>() == 1)
                return !readable_in_place<decltype(lookup<type<K>::name>(std::declval<const bindings_type&>())), T>;
        }
        return false;
    }
    static constexpr std::array<bool, N> staged_ = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<bool, N>{staged_symbol<K>()...};
    }(std::make_index_sequence<N>{});

    void read_symbols(const bindings_type& b) {
        [&]<std::size_t... K>(std::index_sequence<K...>) { (read_symbol<K>(K, b), ...); }(std::make_index_sequence<N>{});
    }
    // (per symbol: symbols are few)
    template <std::size_t K>
    void read_symbol(std::size_t id, const bindings_type& b) {
        using E = type<K>;
        if constexpr (Symbol<E>) {
            if constexpr (D.needed[K] || !D.number[K]) {
                const auto& v = lookup<E::name>(b);
                if constexpr (D.number[K]) num_[id] = static_cast<T>(v);
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
    void symbol_shapes(const bindings_type& b) {
        [&]<std::size_t... K>(std::index_sequence<K...>) { (symbol_shape<K>(K, b), ...); }(std::make_index_sequence<N>{});
    }
    template <std::size_t K>
    void symbol_shape(std::size_t id, const bindings_type& b) {
        if constexpr (Symbol<type<K>>) {
            if constexpr (!D.number[K]) slots_[id].shape = shape_of(lookup<type<K>::name>(b));
            else slots_[id].shape.clear();
        }
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

    // ---- planning -----------------------------------------------------------------------------

    static constexpr std::array<node_fn, N> shape_table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<node_fn, N>{&engine::template shape_fn<K>...};
    }(std::make_index_sequence<N>{});
    template <std::size_t K>
    static void scale_fn(store<T>& s, std::size_t id, const int* ids, const void* node) {
        if constexpr (Node<type<K>>)
            if constexpr (!type<K>::op::elementwise) st_of<K>::sink_scale(s, id, ids, node);
    }
    static constexpr std::array<node_fn, N> scale_table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<node_fn, N>{&engine::template scale_fn<K>...};
    }(std::make_index_sequence<N>{});
    using local_fn = bool (*)(const store<T>&, const int*, const void*);
    template <std::size_t K>
    static bool local_fn_of(const store<T>& s, const int* ids, const void* node) {
        if constexpr (Node<type<K>>) {
            if constexpr (!type<K>::op::elementwise) return st_of<K>::rows_local(s, ids, node);
        }
        return true;
    }
    static constexpr std::array<local_fn, N> local_table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<local_fn, N>{&engine::template local_fn_of<K>...};
    }(std::make_index_sequence<N>{});

    struct region_plan {
        bool fused = true;
        std::vector<std::size_t> expand;  ///< per input: workspace offset of its expanded copy, or npos
        std::vector<bool> sliced;         ///< per input: a full-size array read at the block's rows
    };

    std::size_t reserve(std::size_t n) {
        const std::size_t at = words_;
        words_ += (n + 15) / 16 * 16;  // 64-byte granules
        return at;
    }

    /// The whole values' shapes, blocks of rows, regions, the workspace.
    void plan(const bindings_type& b) {
        counters().plans += 1;
        for (std::size_t k = 0; k < N; ++k) {
            slots_[k].own = nullptr;
            if (P::data.node[k]->kind != expr_kind::symbol) slots_[k].data = nullptr;
        }
        symbol_shapes(b);
        store<T> s = make_store();
        for (std::size_t k = 0; k < N; ++k)
            if (P::data.node[k]->kind == expr_kind::node) shape_table[k](s, k, P::data.operand[k].data(), node_[k]);
        plan_blocks();
        // regions: fused when every member and sink source has one shape; inputs of another shape
        // are expanded into it (once per run: the same for every block)
        words_ = 0;
        const std::size_t npos = static_cast<std::size_t>(-1);
        region_.assign(D.regions, region_plan{});
        for (std::size_t r = 0; r < D.regions; ++r) {
            region_plan& rp = region_[r];
            const shape_type& sh = region_shape(r);
            for (int m = D.member_begin[r]; m < D.member_begin[r + 1]; ++m)
                if (slots_[static_cast<std::size_t>(D.member[static_cast<std::size_t>(m)])].shape != sh) rp.fused = false;
            for (int q = D.sink_begin[r]; q < D.sink_begin[r + 1]; ++q)
                if (slots_[sink_source(q)].shape != sh) rp.fused = false;
            const bool rows_region = blocks_ > 1 && D.region_group[r] == group::block;
            for (int i = D.input_begin[r]; i < D.input_begin[r + 1]; ++i) {
                const auto k = static_cast<std::size_t>(D.input[static_cast<std::size_t>(i)]);
                const bool array = !D.number[k];
                const bool same = array && slots_[k].shape == sh;
                // a full-size array that is not rows, read one block of rows at a time
                rp.sliced.push_back(rows_region && same && D.place[k] != placement::rows);
                const std::size_t per_block = rows_region ? count_of(sh) / rows_n_ * block_rows_ : count_of(sh);
                rp.expand.push_back(rp.fused && array && !same ? reserve(per_block) : npos);
            }
        }
        // buffers: materialized nodes, members of regions run node by node, staged symbols; rows
        // nodes hold one block, except roots and the members of regions run node by node
        std::vector<std::size_t> offset(N, npos);
        for (std::size_t k = 0; k < N; ++k) {
            if (!D.needed[k] || D.number[k] || is_root_output(k)) continue;
            const bool by_node = D.region_of[k] >= 0 && !region_[static_cast<std::size_t>(D.region_of[k])].fused;
            if (!(D.materialize[k] || by_node || staged_[k])) continue;
            const bool block_only = blocks_ > 1 && D.place[k] == placement::rows && P::data.node[k]->kind == expr_kind::node;
            offset[k] = reserve(block_only ? count_of(slots_[k].shape) / rows_n_ * block_rows_ : count_of(slots_[k].shape));
        }
        // reductions of arrays over the rows: each block's part goes to a temporary, then adds up
        for (std::size_t k = 0; k < N && blocks_ > 1; ++k)
            if (D.needed[k] && !D.number[k] && D.place[k] == placement::reduce) reduce_tmp_.push_back(k);
        std::vector<std::size_t> tmp_offset(N, npos);
        for (std::size_t k : reduce_tmp_) tmp_offset[k] = reserve(count_of(slots_[k].shape));
        workspace_.assign(words_, T(0));
        [&]<std::size_t... R>(std::index_sequence<R...>) { (plan_output<R>(), ...); }(std::make_index_sequence<P::roots>{});
        for (std::size_t k = 0; k < N; ++k) {
            if (offset[k] != npos) slots_[k].own = workspace_.data() + offset[k];
            if (slots_[k].own && (P::data.node[k]->kind == expr_kind::node || staged_[k])) slots_[k].data = slots_[k].own;
        }
        tmp_.assign(N, nullptr);
        for (std::size_t k : reduce_tmp_) tmp_[k] = workspace_.data() + tmp_offset[k];
        for (auto& rp : region_)
            for (std::size_t& e : rp.expand) expand_ptr_.push_back(e == npos ? nullptr : workspace_.data() + e);
        s = make_store();
        for (std::size_t k = 0; k < N; ++k)
            if (P::data.node[k]->kind == expr_kind::node) scale_table[k](s, k, P::data.operand[k].data(), node_[k]);
        planned_ = true;
    }

    const shape_type& region_shape(std::size_t r) const {
        const int mb = D.member_begin[r];
        return mb == D.member_begin[r + 1] ? slots_[sink_source(D.sink_begin[r])].shape
                                           : slots_[static_cast<std::size_t>(D.member[static_cast<std::size_t>(mb)])].shape;
    }
    static std::size_t sink_source(int q) {
        return static_cast<std::size_t>(P::data.operand[static_cast<std::size_t>(D.sink[static_cast<std::size_t>(q)])][0]);
    }

    /// Blocks of rows: every rows node must have the rows as its leading axis (and its rows
    /// operands theirs), every local operation must agree; else one block.
    void plan_blocks() {
        blocks_ = 1;
        block_rows_ = rows_n_ = 0;
        reduce_tmp_.clear();
        expand_ptr_.clear();
        if (!D.blockable || !has_rows_) return;
        std::size_t n = 0, bytes = 0;
        bool ok = true;
        store<T> s = make_store();
        for (std::size_t k = 0; k < N && ok; ++k) {
            if (!D.needed[k] && P::data.node[k]->kind != expr_kind::symbol) continue;
            if (D.place[k] != placement::rows) continue;
            const shape_type& sh = slots_[k].shape;
            if (sh.empty()) {
                ok = false;
                break;
            }
            if (n == 0) n = sh[0];
            if (sh[0] != n) ok = false;
            if (P::data.node[k]->kind == expr_kind::symbol) bytes += count_of(sh) / std::max<std::size_t>(1, sh[0]) * sizeof(T);
            if (P::data.node[k]->kind != expr_kind::node) continue;
            const int* ids = P::data.operand[k].data();
            for (std::size_t i = 0; i < P::data.node[k]->arity; ++i) {
                const auto j = static_cast<std::size_t>(ids[i]);
                const bool sliced = P::data.node[k]->op->elementwise ? D.place[j] == placement::rows : (D.sliced[k] >> i & 1u);
                if (!sliced) continue;
                const shape_type& js = slots_[j].shape;
                if (js.empty() || js[0] != n) ok = false;
                if (P::data.node[k]->op->elementwise && js.size() != sh.size()) ok = false;  // the rows axis stays axis 0
            }
            if (!P::data.node[k]->op->elementwise && !local_table[k](s, ids, node_[k])) ok = false;
        }
        for (std::size_t k = 0; k < N && ok; ++k) {  // reductions: sliced operands have the rows
            if (!D.needed[k] || D.place[k] != placement::reduce) continue;
            for (std::size_t i = 0; i < P::data.node[k]->arity; ++i) {
                if (!(D.sliced[k] >> i & 1u)) continue;
                const shape_type& js = slots_[static_cast<std::size_t>(P::data.operand[k][i])].shape;
                if (js.empty() || js[0] != n) ok = false;
            }
        }
        if (!ok || n == 0) return;
        std::size_t rows = bytes == 0 ? n : std::max<std::size_t>(16, block_bytes / bytes / 16 * 16);
        if (rows >= n) return;
        rows_n_ = n;
        block_rows_ = rows;
        blocks_ = (n + rows - 1) / rows;
    }

    /// Points the rows nodes at rows [r0, r1).
    void set_block(std::size_t r0, std::size_t r1) {
        first_block_ = r0 == 0;
        for (std::size_t k = 0; k < N; ++k) {
            if (D.place[k] != placement::rows) continue;
            slot<T>& sl = slots_[k];
            if (sl.shape.empty()) continue;
            const std::size_t width = count_of(sl.shape) / rows_n_;
            sl.block = sl.shape;
            sl.block[0] = r1 - r0;
            const bool whole_buffer = P::data.node[k]->kind != expr_kind::node || is_root_output(k) ||
                                      (D.region_of[k] >= 0 && !region_[static_cast<std::size_t>(D.region_of[k])].fused);
            sl.block_data = sl.data ? sl.data + (whole_buffer ? r0 * width : 0) : nullptr;
            sl.block_own = sl.own ? sl.own + (whole_buffer ? r0 * width : 0) : nullptr;
        }
        block_r0_ = r0;
        block_r1_ = r1;
    }

    static constexpr bool is_root_output(std::size_t k) {
        for (int r : P::data.root)
            if (static_cast<std::size_t>(r) == k) return !D.number[k] && P::data.node[k]->kind == expr_kind::node;
        return false;
    }
    /// Root R's output array, sized; the node writes into it directly (the first root it is).
    template <std::size_t R>
    void plan_output() {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (!D.number[k]) {
            auto& out = std::get<R>(outputs_);
            out.resize(slots_[k].shape);
            if constexpr (Node<type<k>>)
                if (!slots_[k].own) slots_[k].own = out.data();
        }
    }
    template <std::size_t R>
    void copy_root() {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (!D.number[k]) {
            auto& out = std::get<R>(outputs_);
            if (out.data() != slots_[k].data) std::copy(slots_[k].data, slots_[k].data + out.size(), out.data());
        }
    }
    template <std::size_t R>
    std::size_t root_id() const {
        return listed_ ? static_cast<std::size_t>(listed_root_[R]) : static_cast<std::size_t>(P::data.root[R]);
    }

    // ---- steps --------------------------------------------------------------------------------

    template <group G>
    void run_group(store<T>& s) {
        [&]<std::size_t... I>(std::index_sequence<I...>) {
            ((D.step_list[I].in == G ? run_step<D.step_list[I].kind, D.step_list[I].id>(s) : void()), ...);
        }(std::make_index_sequence<D.steps>{});
    }

    template <step_kind Kind, int Id>
    void run_step(store<T>& s) {
        if constexpr (Kind == step_kind::number) {
            constexpr auto begin = static_cast<std::size_t>(D.run_begin[Id]), end = static_cast<std::size_t>(D.run_begin[Id + 1]);
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                ((num_[static_cast<std::size_t>(D.number_node[begin + J])] =
                      ew_of<static_cast<std::size_t>(D.number_node[begin + J])>::type::number(
                          num_.data(), P::data.operand[static_cast<std::size_t>(D.number_node[begin + J])].data())),
                 ...);
            }(std::make_index_sequence<end - begin>{});
        } else if constexpr (Kind == step_kind::region) {
            run_region<Id>(s);
        } else {
            constexpr auto k = static_cast<std::size_t>(Id);
            counters().structural += 1;
            counters().count(P::data.node[k]->op->name);
            if constexpr (D.place[k] == placement::reduce && !D.number[k]) {
                // a reduction over the rows of an array: each block adds its part
                if (blocks_ > 1) {
                    slot<T>& sl = slots_[k];
                    T* whole = sl.own;
                    sl.own = tmp_[k];
                    st_of<k>::run(s, k, P::data.operand[k].data(), node_[k]);
                    sl.own = whole;
                    const std::size_t n = count_of(sl.shape);
                    if (first_block_) std::copy(tmp_[k], tmp_[k] + n, whole);
                    else
                        for (std::size_t i = 0; i < n; ++i) whole[i] += tmp_[k][i];
                    return;
                }
            }
            st_of<k>::run(s, k, P::data.operand[k].data(), node_[k]);
        }
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

    /// Where node k is inside region R's loop: member j (j >= 0) or input -1 - j.
    template <int R>
    static constexpr int where(int k) {
        if (D.region_of[static_cast<std::size_t>(k)] == R) return D.local[static_cast<std::size_t>(k)];
        for (int i = D.input_begin[R]; i < D.input_begin[R + 1]; ++i)
            if (D.input[static_cast<std::size_t>(i)] == k) return -1 - (i - D.input_begin[R]);
        return -1;
    }
    /// For member J of region R: where each of its operands is.
    template <int R, std::size_t J>
    static constexpr std::array<int, 4> operand_where = [] {
        std::array<int, 4> w{};
        constexpr std::size_t k = member_node<R, J>;
        for (std::size_t i = 0; i < P::data.node[k]->arity; ++i) w[i] = where<R>(P::data.operand[k][i]);
        return w;
    }();
    template <int R, std::size_t Q>
    static constexpr int sink_where = where<R>(P::data.operand[sink_node<R, Q>][0]);

    /// One element (or one SIMD batch of elements) of region R: every member, in order.
    template <int R, class V, std::size_t M, std::size_t I>
    [[gnu::always_inline]] static inline void body(std::array<V, M>& mv, const std::array<V, I>& iv) {
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            ((mv[J] = ew_of<member_node<R, J>>::type::pick(mv.data(), iv.data(), operand_where<R, J>.data())), ...);
        }(std::make_index_sequence<M>{});
    }

    template <int R>
    void run_region(store<T>& s) {
        const region_plan& rp = region_[static_cast<std::size_t>(R)];
        if (rp.fused) {
            counters().fused_loops += 1;
            run_fused<R>(s, rp);
        } else {
            counters().node_loops += 1;
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                (ew_of<member_node<R, J>>::type::broadcast(s, member_node<R, J>, P::data.operand[member_node<R, J>].data(),
                                                             number_mask<member_node<R, J>>),
                 ...);
            }(std::make_index_sequence<member_count<R>>{});
            [&]<std::size_t... Q>(std::index_sequence<Q...>) {
                ((total_[sink_node<R, Q>] += sum_of(view_of(s, sink_source(D.sink_begin[R] + int(Q))).data,
                                                    view_of(s, sink_source(D.sink_begin[R] + int(Q))).size())),
                 ...);
            }(std::make_index_sequence<sink_count<R>>{});
        }
    }

    /// Region R in one loop: SIMD batches in chunks, then the tail element by element.
    template <int R>
    void run_fused(store<T>& s, const region_plan& rp) {
        constexpr std::size_t M = member_count<R>, I = input_count<R>, Q = sink_count<R>;
        using B = batch_t<T>;
        constexpr std::size_t W = B::size;
        const bool block = s.blocks && D.region_group[R] == group::block;
        // where the inputs are: numbers (as batches, once), arrays (this block's rows, or an
        // expanded copy), sliced full-size arrays
        std::array<const T*, I + 1> in{};
        std::array<T, I + 1> in_number{};
        const std::size_t first_expand = expand_index<R>();
        for (std::size_t j = 0; j < I; ++j) {
            const auto k = static_cast<std::size_t>(D.input[static_cast<std::size_t>(D.input_begin[R]) + j]);
            if (D.number[k]) {
                in_number[j] = num_[k];
            } else if (T* e = expand_ptr_[first_expand + j]) {
                if (!block || first_block_) expand_input(s, k, e, R, block);
                in[j] = e;
            } else if (block && rp.sliced[j]) {
                in[j] = slots_[k].data + block_r0_ * (count_of(slots_[k].shape) / rows_n_);
            } else {
                in[j] = view_of(s, k).data;
            }
        }
        std::array<B, I + 1> in_batch{};
        for (std::size_t j = 0; j < I; ++j) in_batch[j] = B(in_number[j]);
        std::array<T*, M + 1> out{};
        [&]<std::size_t... J>(std::index_sequence<J...>) {
            ((out[J] = D.materialize[member_node<R, J>] ? out_of(s, member_node<R, J>).data : nullptr), ...);
        }(std::make_index_sequence<M>{});
        const std::size_t n = block ? count_of(region_shape(static_cast<std::size_t>(R))) / rows_n_ * (block_r1_ - block_r0_)
                                    : count_of(region_shape(static_cast<std::size_t>(R)));

        std::array<sum_sink<T>, Q + 1> sinks{};
        std::size_t i = 0;
        for (; i + W * sink_lanes <= n;) {
            const std::size_t chunk_end = std::min(n - (n - i) % (W * sink_lanes), i + chunk_elements);
            for (auto& sk : sinks) sk.start_chunk();
            for (; i < chunk_end; i += W * sink_lanes) {
                for (std::size_t u = 0; u < sink_lanes; ++u) {
                    const std::size_t at = i + u * W;
                    std::array<B, I> iv{};
                    [&]<std::size_t... J>(std::index_sequence<J...>) {
                        ((iv[J] = D.number[input_node<R, J>] ? in_batch[J] : B::load_unaligned(in[J] + at)), ...);
                    }(std::make_index_sequence<I>{});
                    std::array<B, M> mv{};
                    body<R>(mv, iv);
                    [&]<std::size_t... J>(std::index_sequence<J...>) {
                        ((D.materialize[member_node<R, J>] ? mv[J].store_unaligned(out[J] + at) : void()), ...);
                    }(std::make_index_sequence<M>{});
                    [&]<std::size_t... Qi>(std::index_sequence<Qi...>) {
                        ((sinks[Qi].acc[u] += (sink_where<R, Qi> >= 0 ? mv[static_cast<std::size_t>(sink_where<R, Qi>)]
                                                                       : iv[static_cast<std::size_t>(-1 - sink_where<R, Qi>)])),
                         ...);
                    }(std::make_index_sequence<Q>{});
                }
            }
            for (auto& sk : sinks) sk.end_chunk();
        }
        // the tail, element by element, into four scalar partial sums
        std::array<std::array<accumulator_t<T>, 4>, Q + 1> tail{};
        for (std::size_t t = 0; i < n; ++i, ++t) {
            std::array<T, I> iv{};
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                ((iv[J] = D.number[input_node<R, J>] ? in_number[J] : in[J][i]), ...);
            }(std::make_index_sequence<I>{});
            std::array<T, M> mv{};
            body<R>(mv, iv);
            [&]<std::size_t... J>(std::index_sequence<J...>) {
                ((D.materialize[member_node<R, J>] ? void(out[J][i] = mv[J]) : void()), ...);
            }(std::make_index_sequence<M>{});
            [&]<std::size_t... Qi>(std::index_sequence<Qi...>) {
                ((tail[Qi][t % 4] += (sink_where<R, Qi> >= 0 ? mv[static_cast<std::size_t>(sink_where<R, Qi>)]
                                                              : iv[static_cast<std::size_t>(-1 - sink_where<R, Qi>)])),
                 ...);
            }(std::make_index_sequence<Q>{});
        }
        [&]<std::size_t... Qi>(std::index_sequence<Qi...>) {
            ((total_[sink_node<R, Qi>] += sinks[Qi].total + ((tail[Qi][0] + tail[Qi][1]) + (tail[Qi][2] + tail[Qi][3]))), ...);
        }(std::make_index_sequence<Q>{});
    }

    template <int R>
    static std::size_t expand_index() {
        return static_cast<std::size_t>(D.input_begin[R]);
    }
    /// An input of another shape broadcast into the region's shape (one block of rows of it, in a
    /// blocked run: the same for every block).
    void expand_input(store<T>& s, std::size_t k, T* dst, int r, bool block) {
        shape_type to = region_shape(static_cast<std::size_t>(r));
        if (block) to[0] = block_rows_;
        const array_ref<const T> v = view_of(s, k);
        expand(v.data, shape_type(v.dims, v.dims + v.rank), dst, to);
    }

    // ---- the program listed at run time (literals that differ between occurrences) -------------

    struct listed_node {
        int k;                   ///< the compile-time node whose type (and code) it has
        std::array<int, 4> ids;  ///< operands, as listed nodes
        const void* expr;        ///< the occurrence (operations read their node)
    };

    /// Lists the roots' nodes, sharing (type, operands, literal value): post-order, operands first.
    template <class Roots>
    void list_by_value(const Roots& roots) {
        listed_ = true;
        counters().listed_programs += 1;
        std::unordered_map<std::string, int> seen;
        num_.clear();
        [&]<std::size_t... R>(std::index_sequence<R...>) {
            ((listed_root_.push_back(list_node(std::get<R>(roots), seen))), ...);
        }(std::make_index_sequence<P::roots>{});
        slots_.assign(nodes_.size(), slot<T>{});
        total_.assign(nodes_.size(), 0);
        scale_.assign(nodes_.size(), 1);
        rows_flag_.assign(nodes_.size(), false);
        listed_program_.resize(nodes_.size());
        listed_ops_.resize(nodes_.size());
        for (std::size_t i = 0; i < nodes_.size(); ++i) {
            listed_program_[i] = P::data.node[static_cast<std::size_t>(nodes_[i].k)];
            listed_ops_[i] = nodes_[i].ids;
        }
    }
    template <class E>
    int list_node(const E& e, std::unordered_map<std::string, int>& seen) {
        listed_node entry{node_index<E>(), {-1, -1, -1, -1}, &e};
        std::string key(reinterpret_cast<const char*>(&entry.k), sizeof(int));
        if constexpr (Literal<E>) {
            const T v = static_cast<T>(e.value);
            key.append(reinterpret_cast<const char*>(&v), sizeof(T));
        } else if constexpr (Node<E>) {
            [&]<std::size_t... I>(std::index_sequence<I...>) {
                ((entry.ids[I] = list_node(e.template arg<I>(), seen)), ...);
            }(std::make_index_sequence<E::arity>{});
            key.append(reinterpret_cast<const char*>(entry.ids.data()), sizeof(entry.ids));
        }
        if (auto it = seen.find(key); it != seen.end()) return it->second;
        const int id = static_cast<int>(nodes_.size());
        nodes_.push_back(entry);
        num_.push_back(Literal<E> ? literal_value(e) : constant_value<E>());
        seen.emplace(std::move(key), id);
        return id;
    }
    /// The program node of type E (for a literal: any literal node of its number type).
    template <class E>
    static constexpr int node_index() {
        if constexpr (Literal<E>) {
            for (std::size_t k = 0; k < N; ++k)
                if (P::data.node[k] == info_of<E>) return static_cast<int>(k);
            return -1;
        } else {
            return P::template index_of<E>();
        }
    }

    template <std::size_t K>
    static void run_fn(engine& self, store<T>& s, std::size_t id, const int* ids, const void* node) {
        if constexpr (Symbol<type<K>>) {
            (void)self;
        } else if constexpr (Node<type<K>>) {
            if constexpr (type<K>::op::elementwise) {
                if constexpr (D.number[K]) s.num[id] = ew_of<K>::type::number(s.num, ids);
                else ew_of<K>::type::broadcast(s, id, ids, number_mask<K>);
            } else {
                if constexpr (st_of<K>::is_sink && !D.number[operand<K, 0>])
                    s.total[id] = sum_of(s.slots[static_cast<std::size_t>(ids[0])].data, count_of(s.slots[static_cast<std::size_t>(ids[0])].shape));
                st_of<K>::run(s, id, ids, node);
            }
        }
    }
    using listed_fn = void (*)(engine&, store<T>&, std::size_t, const int*, const void*);
    static constexpr std::array<listed_fn, N> run_table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<listed_fn, N>{&engine::template run_fn<K>...};
    }(std::make_index_sequence<N>{});
    template <std::size_t K>
    void listed_symbol(std::size_t id, const bindings_type& b) {
        if constexpr (Symbol<type<K>>) {
            read_symbol<K>(id, b);
            symbol_shape<K>(id, b);
        }
    }
    using symbol_fn = void (engine::*)(std::size_t, const bindings_type&);
    static constexpr std::array<symbol_fn, N> symbol_table = []<std::size_t... K>(std::index_sequence<K...>) {
        return std::array<symbol_fn, N>{&engine::template listed_symbol<K>...};
    }(std::make_index_sequence<N>{});

    void run_listed(const bindings_type& b) {
        const std::size_t L = nodes_.size();
        store<T> s{num_.data(), slots_.data(), total_.data(), scale_.data(), {listed_program_.data(), listed_ops_.data()}, false,
                   rows_flag_.data()};
        for (std::size_t id = 0; id < L; ++id) {
            const auto k = static_cast<std::size_t>(nodes_[id].k);
            if (P::data.node[k]->kind == expr_kind::symbol) (this->*symbol_table[k])(id, b);
            else if (P::data.node[k]->kind == expr_kind::node) shape_table[k](s, id, nodes_[id].ids.data(), nodes_[id].expr);
            else slots_[id].shape.clear();
        }
        for (std::size_t id = 0; id < L; ++id)
            if (P::data.node[static_cast<std::size_t>(nodes_[id].k)]->kind == expr_kind::node)
                scale_table[static_cast<std::size_t>(nodes_[id].k)](s, id, nodes_[id].ids.data(), nodes_[id].expr);
        std::vector<std::size_t> offset(L, static_cast<std::size_t>(-1));
        words_ = 0;
        for (std::size_t id = 0; id < L; ++id) {
            const auto k = static_cast<std::size_t>(nodes_[id].k);
            if (!D.number[k] && (P::data.node[k]->kind == expr_kind::node || staged_[k])) offset[id] = reserve(count_of(slots_[id].shape));
        }
        workspace_.assign(words_, T(0));
        for (std::size_t id = 0; id < L; ++id)
            if (offset[id] != static_cast<std::size_t>(-1)) slots_[id].data = slots_[id].own = workspace_.data() + offset[id];
        [&]<std::size_t... K>(std::index_sequence<K...>) { (stage_listed<K>(b), ...); }(std::make_index_sequence<N>{});
        for (std::size_t id = 0; id < L; ++id) run_table[static_cast<std::size_t>(nodes_[id].k)](*this, s, id, nodes_[id].ids.data(), nodes_[id].expr);
        [&]<std::size_t... R>(std::index_sequence<R...>) { (listed_output<R>(), ...); }(std::make_index_sequence<P::roots>{});
    }
    template <std::size_t K>
    void stage_listed(const bindings_type& b) {
        if constexpr (staged_[K])
            for (std::size_t id = 0; id < nodes_.size(); ++id)
                if (static_cast<std::size_t>(nodes_[id].k) == K) stage_symbol<K>(id, b);
    }
    template <std::size_t R>
    void listed_output() {
        constexpr auto k = static_cast<std::size_t>(P::data.root[R]);
        if constexpr (!D.number[k]) {
            const auto id = static_cast<std::size_t>(listed_root_[R]);
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

    std::vector<T> num_;
    std::vector<slot<T>> slots_;
    std::vector<accumulator_t<T>> total_, scale_;
    std::vector<const void*> node_;
    std::vector<region_plan> region_;
    std::vector<T*> expand_ptr_;
    std::vector<std::size_t> reduce_tmp_;
    std::vector<T*> tmp_;
    std::vector<T> workspace_;
    std::size_t words_ = 0;
    typename output_tuple<std::make_index_sequence<P::roots>>::type outputs_;
    bool planned_ = false;
    // blocks of rows
    std::size_t blocks_ = 1, block_rows_ = 0, rows_n_ = 0, block_r0_ = 0, block_r1_ = 0;
    bool first_block_ = true;
    // the program listed at run time
    bool listed_ = false;
    std::vector<listed_node> nodes_;
    std::vector<int> listed_root_;
    std::vector<const expr_info*> listed_program_;
    std::vector<std::array<int, 4>> listed_ops_;
    std::vector<unsigned char> rows_flag_;  ///< node holds rows (unsigned char: vector<bool> has no data())
};

}  // namespace symdiff::detail
