#pragma once
// The engine of one program: the tables that the executor runs (executor.hpp), built at compile
// time from the lowered program (lower.hpp) and its schedule (schedule.hpp), and the little that
// depends on the types of the bindings: reading each symbol's value.
//
//   engine<Program, T, Rows, Bindings...> e(roots);   // finds the roots' literals and nodes
//   e.run(bindings);                                   // one evaluation; the workspace is kept
//   e.result<0>()                                      // a number, or an xt::xarray<T>
//
// Compile time. Every function and variable the compiler instantiates gets a name that spells its
// template arguments, and an argument that is the whole program costs as much as the program is
// large: per-node functions of a class over the program would make the compile time grow with
// the square of the program's size. So nothing here is instantiated per node except classes
// (which are not named in the object file) and constant tables:
//   - each node's kernels come from its operation, or for structural nodes from its own type
//     (kernels.hpp), never from the program;
//   - each region's fused loop is instantiated per distinct region (its operations and dataflow),
//     so programs that share a region share its code;
//   - the executor is compiled once per number type;
//   - per program there are the tables, one function per symbol, and the few functions below.
// Structural nodes and literals are found in the roots at run time, by the byte offsets that the
// lowering computed (lower.hpp), not by per-node code.
//
// Numbers only (every node a number): at run time the executor runs the program like any other;
// in a constant expression (static_assert(evaluate(f, x = 3.0) == 6.0)) a recursive walk over the
// expression evaluates it (number_tree, below).
#include <array>
#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <xtensor/xarray.hpp>

#include "../core/shape.hpp"
#include "bindings.hpp"
#include "executor.hpp"
#include "kernels.hpp"
#include "lower.hpp"
#include "schedule.hpp"
#include "structural.hpp"

namespace symdiff::detail {

/// The elementwise kernel of node type E: its operation, and the exact constants it takes as types.
template <class E, class Seq = std::make_index_sequence<E::arity>>
struct elementwise_of;
template <class Op, class... A, std::size_t... I>
struct elementwise_of<node<Op, A...>, std::index_sequence<I...>> {
    using type = elementwise<Op, std::conditional_t<passes_exact<Op, I, A>(), A, void>...>;
};

/// The kernels of a node of type E whose value is a number (`Number`), operand i a number when
/// bit i of `Mask` is set.
template <class T, class E, bool Number, unsigned Mask>
struct kernels_for {
    static constexpr node_kernel<T> make() {
        node_kernel<T> kn;
        if constexpr (Node<E>) {
            kn.number_mask = Mask;
            if constexpr (E::op::elementwise) {
                using ew = typename elementwise_of<E>::type;
                if constexpr (Number) kn.number = &ew::template number<T>;
                else kn.broadcast = &ew::template broadcast<T>;
            } else {
                using st = structural<kernel_node_t<E>, Number, Mask>;
                kn.shape = &st::template shape<T>;
                kn.local = &st::template rows_local<T>;
                kn.compute = &st::template run<T>;
                kn.sink = st::is_sink;
                if constexpr (st::is_sink) kn.scale = &st::template sink_scale<T>;
            }
        }
        return kn;
    }
    static constexpr node_kernel<T> value = make();
};

template <class P, class T, class Rows, class... Bs>
class engine {
    using S = scheduled<P, Rows, Bs...>;
    static constexpr std::size_t N = P::size;
    static constexpr const auto& D = S::data;
    template <std::size_t K>
    using node_t = node_type_t<P, K>;
    using bindings_type = boost::hana::tuple<Bs...>;

    // ---- the kernels of each node -------------------------------------------------------------

    static constexpr unsigned number_mask(std::size_t k) {
        unsigned m = 0;
        for (std::size_t i = 0; i < P::data.node[k]->arity; ++i)
            if (D.number[static_cast<std::size_t>(P::data.operand[k][i])]) m |= 1u << i;
        return m;
    }
    template <std::size_t... K>
    static constexpr std::array<node_kernel<T>, N> kernels_of(std::index_sequence<K...>) {
        return {kernels_for<T, node_t<K>, D.number[K], number_mask(K)>::value...};
    }
    static constexpr std::array<node_kernel<T>, N> kernels = kernels_of(std::make_index_sequence<N>{});

    // ---- the fused loop of each region --------------------------------------------------------

    static constexpr std::size_t member_count(std::size_t r) {
        return static_cast<std::size_t>(D.member_begin[r + 1] - D.member_begin[r]);
    }
    static constexpr std::size_t input_count(std::size_t r) {
        return static_cast<std::size_t>(D.input_begin[r + 1] - D.input_begin[r]);
    }
    static constexpr std::size_t sink_count(std::size_t r) {
        return static_cast<std::size_t>(D.sink_begin[r + 1] - D.sink_begin[r]);
    }
    static constexpr std::size_t member(std::size_t r, std::size_t j) {
        return static_cast<std::size_t>(D.member[static_cast<std::size_t>(D.member_begin[r]) + j]);
    }

    /// Where node k is inside region r's loop: member j (j >= 0) or input -1 - j.
    static constexpr int where(std::size_t r, int k) {
        if (D.region_of[static_cast<std::size_t>(k)] == static_cast<int>(r))
            return D.local[static_cast<std::size_t>(k)];
        for (int i = D.input_begin[r]; i < D.input_begin[r + 1]; ++i)
            if (D.input[static_cast<std::size_t>(i)] == k) return -1 - (i - D.input_begin[r]);
        return -1;
    }
    template <std::size_t R>
    static constexpr region_code<member_count(R) + 1, input_count(R) + 1, sink_count(R) + 1> code_of() {
        region_code<member_count(R) + 1, input_count(R) + 1, sink_count(R) + 1> c;
        for (std::size_t j = 0; j < member_count(R); ++j) {
            const std::size_t k = member(R, j);
            for (std::size_t i = 0; i < P::data.node[k]->arity; ++i) c.where[j][i] = where(R, P::data.operand[k][i]);
            c.store[j] = D.materialize[k];
        }
        for (std::size_t j = 0; j < input_count(R); ++j)
            c.number[j] = D.number[static_cast<std::size_t>(D.input[static_cast<std::size_t>(D.input_begin[R]) + j])];
        for (std::size_t q = 0; q < sink_count(R); ++q)
            c.sink[q] = where(
                R, D.sink_source[static_cast<std::size_t>(D.sink[static_cast<std::size_t>(D.sink_begin[R]) + q])]);
        return c;
    }
    template <std::size_t R, class Seq = std::make_index_sequence<member_count(R)>>
    struct region_kernel;
    template <std::size_t R, std::size_t... J>
    struct region_kernel<R, std::index_sequence<J...>> {
        static constexpr auto code = code_of<R>();
        using type = fused_region<T, kernel_list<typename elementwise_of<node_t<member(R, J)>>::type...>, code>;
    };
    template <std::size_t... R>
    static constexpr std::array<fused_fn<T>, D.regions + 1> fused_of(std::index_sequence<R...>) {
        return {&region_kernel<R>::type::run...};
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
        if constexpr (!D.number[K] && D.needed[K] && count_bindings<node_t<K>::name, Bs...>() == 1)
            return !readable_in_place<decltype(lookup<node_t<K>::name>(std::declval<const bindings_type&>())), T>;
        return false;
    }
    template <std::size_t... J>
    static constexpr std::array<bool, N> staged_list(std::index_sequence<J...>) {
        std::array<bool, N> a{};
        ((a[symbol_node[J]] = staged_symbol<symbol_node[J]>()), ...);
        return a;
    }
    static constexpr std::array<bool, N> staged_ = staged_list(std::make_index_sequence<symbols>{});
    static constexpr bool any_staged() {
        for (bool s : staged_)
            if (s) return true;
        return false;
    }

    /// Reads symbol K's value (in place) and shape; true when its shape changed.
    template <std::size_t K>
    bool read_symbol(const bindings_type& b) {
        const int id = x_.symbol_id[K];
        if (id < 0) return false;
        const auto& v = lookup<node_t<K>::name>(b);
        if constexpr (D.number[K]) {
            if constexpr (D.needed[K]) x_.num[static_cast<std::size_t>(id)] = static_cast<T>(v);
            return false;
        } else {
            slot<T>& sl = x_.slots[static_cast<std::size_t>(id)];
            if constexpr (readable_in_place<decltype(v), T>) {
                sl.data = v.data();
                x_.refuse_result_as_input(static_cast<std::size_t>(id), v.data(), v.size());
            }
            const auto& s = v.shape();
            return x_.bind_shape(static_cast<std::size_t>(id), s);
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
            const auto& v = lookup<node_t<K>::name>(b);
            T* out = x_.slots[static_cast<std::size_t>(id)].own;
            for (auto it = v.begin(); it != v.end(); ++it) *out++ = static_cast<T>(*it);
        }
    }
    template <std::size_t... J>
    void stage_symbols(const bindings_type& b, std::index_sequence<J...>) {
        (stage_symbol<symbol_node[J]>(b), ...);
    }
    /// The same for the executor's shared-rows run, which calls it by pointer.
    struct run_context {
        engine* self;
        const bindings_type* bindings;
    };
    static void stage_for(void* c) {
        const run_context& rc = *static_cast<const run_context*>(c);
        rc.self->stage_symbols(*rc.bindings, std::make_index_sequence<symbols>{});
    }

    // ---- the table ----------------------------------------------------------------------------

    static constexpr program_table<T> make_table() {
        program_table<T> t;
        t.size = N;
        t.roots = P::roots;
        t.node = P::nodes.data();
        t.operand = P::at_run_time.operand.data();
        t.root = P::at_run_time.root.data();
        t.root_of = P::at_run_time.root_of.data();
        t.offset = P::at_run_time.offset.data();
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
        t.sink_source = D.sink_source.data();
        t.sink_factor = D.sink_factor.data();
        t.input_begin = D.input_begin.data();
        t.input = D.input.data();
        t.fused = fused.data();
        return t;
    }
    static constexpr program_table<T> table = make_table();

    template <class Roots, std::size_t... R>
    static std::array<const void*, P::roots> addresses(const Roots& roots, std::index_sequence<R...>) {
        return {static_cast<const void*>(&std::get<R>(roots))...};
    }

public:
    using value_type = T;

    /// `roots`: a tuple of (references to) the root expressions.
    template <class Roots>
    explicit engine(const Roots& roots) : x_(table) {
        const std::array<const void*, P::roots> at = addresses(roots, std::make_index_sequence<P::roots>{});
        x_.bind(at.data());
    }

    /// One evaluation. Results: result<R>() or take<R>().
    void run(const bindings_type& b) {
        const bool changed = read_symbols(b, std::make_index_sequence<symbols>{});
        if (x_.shared()) {
            run_context c{this, &b};
            x_.execute_shared(changed, any_staged() ? &stage_for : nullptr, &c);
            return;
        }
        if (changed || !x_.planned()) x_.plan();
        if constexpr (any_staged()) stage_symbols(b, std::make_index_sequence<symbols>{});
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

    /// Threads that run the blocks of rows (the results do not depend on it).
    void threads(std::size_t n) { x_.threads(n); }
    /// Shares the rows with the processes of `c` (executor::share_rows).
    void share_rows(collective* c) { x_.share_rows(c); }
    /// Whether arrays with rows may broadcast against each other (executor::allow_row_broadcast).
    void allow_row_broadcast(bool allow) { x_.allow_row_broadcast(allow); }

    /// How the last plan runs: blocks of rows (1: all at once); whether the program is listed.
    std::size_t blocks() const { return x_.blocks(); }
    bool listed() const { return x_.listed(); }

private:
    executor<T> x_;
};

// ---- numbers in a constant expression ---------------------------------------------------------

/// The value of `e` with every symbol bound to a number: a recursive walk over the expression
/// (for constant evaluation, where the executor cannot run; subexpressions are not shared).
template <class T, class E, class B>
constexpr T number_tree(const E& e, const B& b);

template <class T, class E, class B, std::size_t... I>
constexpr T number_node_value(const E& e, const B& b, std::index_sequence<I...>) {
    using Op = typename E::op;
    if constexpr (Op::elementwise) {
        const std::array<T, E::arity> v{number_tree<T>(e.template arg<I>(), b)...};
        return elementwise_of<E>::type::apply(v, std::index_sequence<I...>{});
    } else if constexpr (structural<E, true, 0u>::is_sink) {
        return static_cast<T>(Op::sink_scale(e, ((void)I, shape_type{})...)) * number_tree<T>(e.template arg<0>(), b);
    } else {
        T out{};
        Op::compute(e, out, number_tree<T>(e.template arg<I>(), b)...);
        return out;
    }
}

template <class T, class E, class B>
constexpr T number_tree(const E& e, const B& b) {
    if constexpr (Constant<E>) return E::template as<T>();
    else if constexpr (Literal<E>) return static_cast<T>(e.value);
    else if constexpr (Symbol<E>) return static_cast<T>(lookup<E::name>(b));
    else return number_node_value<T>(e, b, std::make_index_sequence<E::arity>{});
}

}  // namespace symdiff::detail
