#pragma once
// The engine of one program: the tables the executor runs (executor.hpp), built at compile time
// from the lowered program (lower.hpp) and its schedule (schedule.hpp), and what depends on the
// types of the expressions and bindings: reading the symbols' values, the runtime literals, the
// kernels of each node, the code of each fused loop.
//
//   engine<Program, T, Rows, Bindings...> e(roots);   // reads the runtime literals out of the roots
//   e.run(bindings);                                   // one evaluation; the workspace is kept
//   e.result<0>()                                      // a number, or an xt::xarray<T>
//
// Compile time: the executor is compiled once per number type; per program there are constant
// tables, one function per symbol, and the fused loops, which are instantiated per distinct
// region (its operations and dataflow), not per program. No function's signature spells the
// program's types except the structural nodes' kernels (their operations read the node).
//
// Runtime literals: the program shares nodes by type and reads a node's literals from its first
// occurrence. When two occurrences of one type hold different numbers (`0.5 * x` and `2.0 * x`)
// that program would be wrong: the engine then lists the nodes at run time, sharing equal (type,
// operands, literal value) triples, and the executor runs that listing node by node.
//
// Programs of numbers only (every node a number) do not use the executor: they run as straight
// scalar code, a constant expression when the inputs are.
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <xtensor/xarray.hpp>

#include "../core/shape.hpp"
#include "bindings.hpp"
#include "executor.hpp"
#include "kernels.hpp"
#include "lower.hpp"
#include "schedule.hpp"

namespace symdiff::detail {

/// Reads literal values into v[k], noting whether repeated occurrences agree.
template <class T, class V>
struct literal_reader {
    V& v;
    bool* seen;
    bool agree = true;
    constexpr void operator()(std::size_t k, T value) {
        if (!seen[k]) {
            seen[k] = true;
            v[k] = value;
        } else if (!(v[k] == value || (v[k] != v[k] && value != value))) {
            agree = false;
        }
    }
};

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

    // ---- the kernels of each node -------------------------------------------------------------

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
    static constexpr unsigned number_mask() {
        unsigned m = 0;
        for (std::size_t i = 0; i < P::data.node[K]->arity; ++i)
            if (D.number[static_cast<std::size_t>(P::data.operand[K][i])]) m |= 1u << i;
        return m;
    }
    template <std::size_t K>
    using st_of = structural<type<K>, D.number[K], number_mask<K>()>;

    template <std::size_t K>
    static constexpr node_kernel<T> kernel_of() {
        node_kernel<T> kn;
        if constexpr (Node<type<K>>) {
            kn.number_mask = number_mask<K>();
            if constexpr (type<K>::op::elementwise) {
                using ew = typename ew_of<K>::type;
                if constexpr (D.number[K]) kn.number = &ew::template number<T>;
                else kn.broadcast = &ew::template broadcast<T>;
            } else {
                using st = st_of<K>;
                kn.shape = &st::template shape<T>;
                kn.local = &st::template rows_local<T>;
                kn.compute = &st::template run<T>;
                kn.sink = st::is_sink;
                if constexpr (st::is_sink) kn.scale = &st::template sink_scale<T>;
            }
        }
        return kn;
    }
    template <std::size_t... K>
    static constexpr std::array<node_kernel<T>, N> kernels_of(std::index_sequence<K...>) {
        return {kernel_of<K>()...};
    }
    static constexpr std::array<node_kernel<T>, N> kernels = kernels_of(std::make_index_sequence<N>{});

    // ---- the fused loop of each region --------------------------------------------------------

    template <int R>
    static constexpr std::size_t member_count = static_cast<std::size_t>(D.member_begin[R + 1] - D.member_begin[R]);
    template <int R>
    static constexpr std::size_t input_count = static_cast<std::size_t>(D.input_begin[R + 1] - D.input_begin[R]);
    template <int R>
    static constexpr std::size_t sink_count = static_cast<std::size_t>(D.sink_begin[R + 1] - D.sink_begin[R]);

    /// Where node k is inside region R's loop: member j (j >= 0) or input -1 - j.
    static constexpr int where(int r, int k) {
        if (D.region_of[static_cast<std::size_t>(k)] == r) return D.local[static_cast<std::size_t>(k)];
        for (int i = D.input_begin[static_cast<std::size_t>(r)]; i < D.input_begin[static_cast<std::size_t>(r) + 1]; ++i)
            if (D.input[static_cast<std::size_t>(i)] == k) return -1 - (i - D.input_begin[static_cast<std::size_t>(r)]);
        return -1;
    }
    template <int R>
    static constexpr region_code<member_count<R> + 1, input_count<R> + 1, sink_count<R> + 1> code_of() {
        region_code<member_count<R> + 1, input_count<R> + 1, sink_count<R> + 1> c;
        for (std::size_t j = 0; j < member_count<R>; ++j) {
            const auto k = static_cast<std::size_t>(D.member[static_cast<std::size_t>(D.member_begin[R]) + j]);
            for (std::size_t i = 0; i < P::data.node[k]->arity; ++i) c.where[j][i] = where(R, P::data.operand[k][i]);
            c.store[j] = D.materialize[k];
        }
        for (std::size_t j = 0; j < input_count<R>; ++j)
            c.number[j] = D.number[static_cast<std::size_t>(D.input[static_cast<std::size_t>(D.input_begin[R]) + j])];
        for (std::size_t q = 0; q < sink_count<R>; ++q)
            c.sink[q] = where(R, P::data.operand[static_cast<std::size_t>(D.sink[static_cast<std::size_t>(D.sink_begin[R]) + q])][0]);
        return c;
    }
    template <int R, class Seq = std::make_index_sequence<member_count<R>>>
    struct region_kernel;
    template <int R, std::size_t... J>
    struct region_kernel<R, std::index_sequence<J...>> {
        static constexpr auto code = code_of<R>();
        using type = fused_region<
            T, kernel_list<typename ew_of<static_cast<std::size_t>(D.member[static_cast<std::size_t>(D.member_begin[R]) + J])>::type...>,
            code>;
    };
    template <std::size_t... R>
    static constexpr std::array<fused_fn<T>, D.regions + 1> fused_of(std::index_sequence<R...>) {
        return {&region_kernel<static_cast<int>(R)>::type::run...};
    }
    static constexpr std::array<fused_fn<T>, D.regions + 1> fused = fused_of(std::make_index_sequence<D.regions>{});

    // ---- symbols ------------------------------------------------------------------------------

    static constexpr std::size_t symbol_count() {
        std::size_t n = 0;
        for (std::size_t k = 0; k < N; ++k) n += P::data.node[k]->kind == expr_kind::symbol;
        return n;
    }
    static constexpr std::size_t symbols = symbol_count();
    static constexpr std::array<std::size_t, symbols + 1> symbol_nodes() {
        std::array<std::size_t, symbols + 1> a{};
        std::size_t n = 0;
        for (std::size_t k = 0; k < N; ++k)
            if (P::data.node[k]->kind == expr_kind::symbol) a[n++] = k;
        return a;
    }
    static constexpr std::array<std::size_t, symbols + 1> symbol_node = symbol_nodes();

    /// Is symbol K's bound value copied (converted) before each run?
    template <std::size_t K>
    static constexpr bool staged_symbol() {
        if constexpr (!D.number[K] && D.needed[K] && count_bindings<type<K>::name, Bs...>() == 1)
            return !readable_in_place<decltype(lookup<type<K>::name>(std::declval<const bindings_type&>())), T>;
        return false;
    }
    template <std::size_t... J>
    static constexpr std::array<bool, N> staged_list(std::index_sequence<J...>) {
        std::array<bool, N> a{};
        ((a[symbol_node[J]] = staged_symbol<symbol_node[J]>()), ...);
        return a;
    }
    static constexpr std::array<bool, N> staged_ = staged_list(std::make_index_sequence<symbols>{});
    static constexpr bool any_staged = [] {
        for (bool s : staged_)
            if (s) return true;
        return false;
    }();

    /// Reads symbol K's value (in place) and shape; true when its shape changed.
    template <std::size_t K>
    bool read_symbol(const bindings_type& b) {
        const int id = x_.symbol_id[K];
        if (id < 0) return false;
        const auto& v = lookup<type<K>::name>(b);
        if constexpr (D.number[K]) {
            if constexpr (D.needed[K]) x_.num[static_cast<std::size_t>(id)] = static_cast<T>(v);
            return false;
        } else {
            slot<T>& sl = x_.slots[static_cast<std::size_t>(id)];
            if constexpr (readable_in_place<decltype(v), T>) sl.data = v.data();
            const auto& s = v.shape();
            if (sl.shape.size() == s.size() && std::equal(s.begin(), s.end(), sl.shape.begin())) return false;
            sl.shape.assign(s.begin(), s.end());
            return true;
        }
    }
    template <std::size_t... J>
    bool read_symbols(const bindings_type& b, std::index_sequence<J...>) {
        return (static_cast<int>(read_symbol<symbol_node[J]>(b)) | ... | 0) != 0;
    }
    /// Bound values that cannot be read in place (views, other element types) are copied.
    template <std::size_t K>
    void stage_symbol(const bindings_type& b) {
        if constexpr (staged_[K]) {
            const int id = x_.symbol_id[K];
            if (id < 0) return;
            const auto& v = lookup<type<K>::name>(b);
            T* out = x_.slots[static_cast<std::size_t>(id)].own;
            for (auto it = v.begin(); it != v.end(); ++it) *out++ = static_cast<T>(*it);
        }
    }
    template <std::size_t... J>
    void stage_symbols(const bindings_type& b, std::index_sequence<J...>) {
        (stage_symbol<symbol_node[J]>(b), ...);
    }

    // ---- the table ----------------------------------------------------------------------------

    static constexpr bool has_literals = [] {
        for (std::size_t k = 0; k < N; ++k)
            if (P::data.node[k]->kind == expr_kind::literal) return true;
        return false;
    }();
    static constexpr program_table<T> make_table() {
        program_table<T> t;
        t.size = N;
        t.roots = P::roots;
        t.node = P::data.node.data();
        t.operand = P::data.operand.data();
        t.root = P::data.root.data();
        t.kernel = kernels.data();
        t.staged = staged_.data();
        t.number = D.number.data();
        t.needed = D.needed.data();
        t.materialize = D.materialize.data();
        t.place = D.place.data();
        t.sliced = D.sliced.data();
        t.region_of = D.region_of.data();
        t.blockable = D.blockable;
        for (std::size_t k = 0; k < N; ++k)
            if (D.needed[k] && D.place[k] != placement::once) t.has_rows = true;
        t.steps = D.steps;
        t.step_list = D.step_list.data();
        t.number_node = D.number_node.data();
        t.run_begin = D.run_begin.data();
        t.regions = D.regions;
        t.region_group = D.region_group.data();
        t.member_begin = D.member_begin.data();
        t.member = D.member.data();
        t.sink_begin = D.sink_begin.data();
        t.sink = D.sink.data();
        t.input_begin = D.input_begin.data();
        t.input = D.input.data();
        t.fused = fused.data();
        return t;
    }
    static constexpr program_table<T> table = make_table();

public:
    using value_type = T;

    template <class Roots>
    explicit engine(const Roots& roots) : x_(table) {
        node_pointers(roots, std::make_index_sequence<N>{});
        if constexpr (has_literals)
            if (!read_literals(roots, x_.num)) list_by_value(roots);
    }

    /// One evaluation. Results: result<R>() or take<R>().
    void run(const bindings_type& b) {
        const bool changed = read_symbols(b, std::make_index_sequence<symbols>{});
        if (changed || !x_.planned()) x_.plan();
        if constexpr (any_staged) stage_symbols(b, std::make_index_sequence<symbols>{});
        x_.execute();
    }

    /// The value of root R after run(): a number, or a reference to the engine's array.
    template <std::size_t R>
    decltype(auto) result() const {
        if constexpr (D.number[static_cast<std::size_t>(P::data.root[R])]) return T(x_.num[x_.root_id(R)]);
        else return static_cast<const xt::xarray<T>&>(x_.outputs[R]);
    }
    /// Root R's value, moved out of the engine (for a one-shot evaluation).
    template <std::size_t R>
    auto take() {
        if constexpr (D.number[static_cast<std::size_t>(P::data.root[R])]) return x_.num[x_.root_id(R)];
        else return xt::xarray<T>(std::move(x_.outputs[R]));
    }

    /// How the last plan runs: blocks of rows (1: all at once); whether the program is listed.
    std::size_t blocks() const { return x_.blocks(); }
    bool listed() const { return x_.listed(); }

    /// Programs of numbers only: scalar code, a constant expression when the inputs are.
    template <class Roots>
    static constexpr auto evaluate_numbers(const Roots& roots, const bindings_type& b) {
        std::array<T, N> v{};
        if (!read_literals(roots, v)) return evaluate_tree(roots, b, std::make_index_sequence<P::roots>{});
        number_leaves(v, b, std::make_index_sequence<N>{});
        number_steps(v, roots, std::make_index_sequence<D.steps>{});
        return number_roots(v, std::make_index_sequence<P::roots>{});
    }

private:
    // ---- the expression behind a structural node -----------------------------------------------

    /// Node K's first occurrence in the roots. (Not inlined: a chain of calls as long as the node
    /// is deep, compiled once per structural node.)
    template <std::size_t K, class Roots>
    [[gnu::noinline]] static constexpr const type<K>& node_at(const Roots& roots) {
        constexpr int parent = P::data.parent[K];
        if constexpr (parent < 0) return std::get<static_cast<std::size_t>(-1 - parent)>(roots);
        else return node_at<static_cast<std::size_t>(parent)>(roots).template arg<static_cast<std::size_t>(P::data.child[K])>();
    }
    template <class Roots, std::size_t... K>
    void node_pointers(const Roots& roots, std::index_sequence<K...>) {
        (node_pointer<K>(roots), ...);
    }
    template <std::size_t K, class Roots>
    void node_pointer(const Roots& roots) {
        if constexpr (Node<type<K>>)
            if constexpr (!type<K>::op::elementwise) x_.node[K] = &node_at<K>(roots);
    }

    // ---- runtime literals ---------------------------------------------------------------------

    template <class E>
    static constexpr T constant_value() {
        if constexpr (Constant<E>) return E::template as<T>();
        else return T(0);
    }
    /// Calls `f(program index of the literal, value)` for every literal in the roots: each
    /// occurrence of a node type names the same literal nodes (its operands in the program).
    template <class E, class V>
    static constexpr void for_each_literal(const E& e, literal_reader<T, V>& f) {
        if constexpr (Node<E> && !is_stateless<E>) literal_operands(e, f, std::make_index_sequence<E::arity>{});
    }
    template <class E, class V, std::size_t... I>
    static constexpr void literal_operands(const E& e, literal_reader<T, V>& f, std::index_sequence<I...>) {
        constexpr auto k = static_cast<std::size_t>(P::template index_of<E>());
        ((Literal<std::remove_cvref_t<decltype(e.template arg<I>())>> ? f(operand<k, I>, literal_value(e.template arg<I>()))
                                                                        : for_each_literal(e.template arg<I>(), f)),
         ...);
    }
    template <class A>
    static constexpr T literal_value(const A& a) {
        if constexpr (Literal<A>) return static_cast<T>(a.value);
        else return T(0);
    }
    /// Reads the roots' literals into `v`; false when two occurrences of one node disagree.
    template <class Roots, class V>
    static constexpr bool read_literals(const Roots& roots, V& v) {
        std::array<bool, N> seen{};
        literal_reader<T, V> f{v, seen.data()};
        read_root_literals(roots, f, std::make_index_sequence<P::roots>{});
        return f.agree;
    }
    template <class Roots, class V, std::size_t... R>
    static constexpr void read_root_literals(const Roots& roots, literal_reader<T, V>& f, std::index_sequence<R...>) {
        ((Literal<std::tuple_element_t<R, std::remove_cvref_t<Roots>>> ? f(static_cast<std::size_t>(P::data.root[R]), literal_value(std::get<R>(roots)))
                                                                          : for_each_literal(std::get<R>(roots), f)),
         ...);
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
    template <std::size_t... K>
    static constexpr void number_leaves(std::array<T, N>& v, const bindings_type& b, std::index_sequence<K...>) {
        (number_leaf<K>(v, b), ...);
    }
    template <class Roots, std::size_t... I>
    static constexpr void number_steps(std::array<T, N>& v, const Roots& roots, std::index_sequence<I...>) {
        (number_step<D.step_list[I].kind, D.step_list[I].id>(v, roots), ...);
    }
    template <std::size_t... R>
    static constexpr auto number_roots(const std::array<T, N>& v, std::index_sequence<R...>) {
        return boost::hana::make_tuple(v[static_cast<std::size_t>(P::data.root[R])]...);
    }
    template <step_kind Kind, int Id, class Roots>
    static constexpr void number_step(std::array<T, N>& v, const Roots& roots) {
        if constexpr (Kind == step_kind::number) {
            constexpr auto begin = static_cast<std::size_t>(D.run_begin[Id]), end = static_cast<std::size_t>(D.run_begin[Id + 1]);
            number_run<begin>(v.data(), std::make_index_sequence<end - begin>{});
        } else if constexpr (Kind == step_kind::structural) {
            constexpr auto k = static_cast<std::size_t>(Id);
            v[k] = number_structural<k>(node_at<k>(roots), v, std::make_index_sequence<type<k>::arity>{});
        }
    }
    /// A run of number nodes: straight-line code, one statement per node.
    template <std::size_t Begin, std::size_t... J>
    static constexpr void number_run(T* v, std::index_sequence<J...>) {
        ((v[static_cast<std::size_t>(D.number_node[Begin + J])] = ew_of<static_cast<std::size_t>(D.number_node[Begin + J])>::type::number(
              v, P::data.operand[static_cast<std::size_t>(D.number_node[Begin + J])].data())),
         ...);
    }
    template <std::size_t K, std::size_t... I>
    static constexpr T number_structural(const type<K>& n, const std::array<T, N>& v, std::index_sequence<I...>) {
        using Op = typename type<K>::op;
        if constexpr (st_of<K>::is_sink) {
            const shape_type scalar;
            return static_cast<T>(Op::sink_scale(n, ((void)I, scalar)...)) * v[operand<K, 0>];
        } else {
            T out{};
            Op::compute(n, out, v[operand<K, I>]...);
            return out;
        }
    }
    /// Numbers with literals that differ between occurrences of one type: each root evaluated by
    /// recursion over its tree (numbers only, so no sharing is lost that matters).
    template <class Roots, std::size_t... R>
    static constexpr auto evaluate_tree(const Roots& roots, const bindings_type& b, std::index_sequence<R...>) {
        return boost::hana::make_tuple(tree_value(std::get<R>(roots), b)...);
    }
    template <class E>
    static constexpr T tree_value(const E& e, const bindings_type& b) {
        if constexpr (Constant<E>) return E::template as<T>();
        else if constexpr (Literal<E>) return static_cast<T>(e.value);
        else if constexpr (Symbol<E>) return static_cast<T>(lookup<E::name>(b));
        else return tree_node(e, b, std::make_index_sequence<E::arity>{});
    }
    template <class E, std::size_t... I>
    static constexpr T tree_node(const E& e, const bindings_type& b, std::index_sequence<I...>) {
        using Op = typename E::op;
        if constexpr (Op::elementwise) {
            using A = std::tuple<std::remove_cvref_t<decltype(e.template arg<I>())>...>;
            const std::array<T, E::arity> v{tree_value(e.template arg<I>(), b)...};
            return elementwise<Op, std::conditional_t<passes_exact<Op, I, std::tuple_element_t<I, A>>(), std::tuple_element_t<I, A>, void>...>::apply(
                v, std::index_sequence<I...>{});
        } else if constexpr (structural<E, true, 0u>::is_sink) {
            return static_cast<T>(Op::sink_scale(e, ((void)I, shape_type{})...)) * tree_value(e.template arg<0>(), b);
        } else {
            T out{};
            Op::compute(e, out, tree_value(e.template arg<I>(), b)...);
            return out;
        }
    }

    // ---- the program listed at run time (literals that differ between occurrences) -------------

    /// Lists the roots' nodes, sharing (type, operands, literal value): post-order, operands first.
    template <class Roots>
    void list_by_value(const Roots& roots) {
        std::vector<listed_node<T>> nodes;
        std::unordered_map<std::string, int> seen;
        std::vector<int> root_ids;
        list_roots(roots, nodes, seen, root_ids, std::make_index_sequence<P::roots>{});
        x_.use_listing(nodes, std::move(root_ids));
    }
    template <class Roots, std::size_t... R>
    static void list_roots(const Roots& roots, std::vector<listed_node<T>>& nodes, std::unordered_map<std::string, int>& seen,
                           std::vector<int>& root_ids, std::index_sequence<R...>) {
        (root_ids.push_back(list_node(std::get<R>(roots), nodes, seen)), ...);
    }
    template <class E, std::size_t... I>
    static void list_operands(const E& e, std::array<int, 4>& ids, std::vector<listed_node<T>>& nodes,
                              std::unordered_map<std::string, int>& seen, std::index_sequence<I...>) {
        ((ids[I] = list_node(e.template arg<I>(), nodes, seen)), ...);
    }
    template <class E>
    static int list_node(const E& e, std::vector<listed_node<T>>& nodes, std::unordered_map<std::string, int>& seen) {
        listed_node<T> entry{node_index<E>(), {-1, -1, -1, -1}, &e, Literal<E> ? literal_value(e) : constant_value<E>()};
        std::string key(reinterpret_cast<const char*>(&entry.k), sizeof(int));
        if constexpr (Literal<E>) {
            key.append(reinterpret_cast<const char*>(&entry.value), sizeof(T));
        } else if constexpr (Node<E>) {
            list_operands(e, entry.ids, nodes, seen, std::make_index_sequence<E::arity>{});
            key.append(reinterpret_cast<const char*>(entry.ids.data()), sizeof(entry.ids));
        }
        if (auto it = seen.find(key); it != seen.end()) return it->second;
        const int id = static_cast<int>(nodes.size());
        nodes.push_back(entry);
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

    executor<T> x_;
};

}  // namespace symdiff::detail
