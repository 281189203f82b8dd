#pragma once
// The schedule of a lowered program, computed at compile time: which nodes are numbers, which are
// needed for their value, which hold rows of data, and in which groups and order the engine runs
// them. Nothing here names an operation: it reads the properties in each node's expr_info.
//
//   stage      A structural node (reduction, product, ...) needs its operands complete; its
//              consumers run in a later stage: depth(k) = max over value operands j of
//              depth(j) + (j structural ? 1 : 0). Within a stage: number nodes, then regions,
//              then structural nodes.
//   rows       Symbols declared to hold one row of data per example (compile(..., rows(x, y)), the
//              driver's data) make the nodes computed from them `rows` nodes: an elementwise node
//              with a rows operand, a structural node whose operation is `local` over rows. A
//              node that sums over the rows (`reduce`: mean of a loss, X^T G) gives a value that
//              the rows are no longer in.
//   groups     When no rows node needs the result of a reduce (one pass over the data suffices)
//              the program is `blockable`: the engine runs the `pre` steps (nodes without rows),
//              then the `block` steps once per block of rows (rows nodes, and reduce nodes adding
//              up their block's part), then the `post` steps (what reads the reductions). Else
//              everything is one group, run over all the rows at once.
//   region     Elementwise nodes with array values, connected through elementwise edges, of the
//              same stage and group: one loop computes them all, element by element (at most
//              max_region_members of them: a larger region is cut into several loops). A sink (a sum,
//              a mean, a gradient onto a number) of a region's node is accumulated in that loop; a
//              sink of another array gets a loop of its own (a region without members).
#include <array>
#include <cstddef>
#include <vector>

#include <boost/hana/tuple.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "bindings.hpp"
#include "lower.hpp"

namespace symdiff::detail {

/// number: a run of number nodes; region: a fused loop; structural: a structural node; node: any
/// node on its own (the program listed at run time).
enum class step_kind : unsigned char { number, region, structural, node };
enum class group : unsigned char { pre, block, post };
enum class placement : unsigned char { once, rows, reduce };

struct step {
    step_kind kind;
    int id;  ///< node index (number, structural) or region index
    group in;
};

/// The most members one fused loop computes. A larger region is cut, in index order, into loops
/// of at most this many members; a value one loop computes and a later one reads is stored in
/// between (per block of rows, in cache). One loop of hundreds of inlined operations costs g++
/// time that grows faster than its size (its inliner's heuristics), and gains nothing at run time:
/// the loop body is already far longer than a load and a store.
inline constexpr std::size_t max_region_members = 64;

/// The dynamic form, built inside constant evaluation.
struct schedule_build {
    std::vector<bool> number, needed, array_elementwise;
    std::vector<int> depth, region_of;
    std::vector<int> sink_source, sink_factor;  ///< sinks: the node summed, the number it is scaled by (or -1)
    std::vector<placement> place;
    std::vector<group> in;
    std::vector<unsigned> sliced;
    bool blockable = true;
    std::vector<std::vector<int>> members, sinks, inputs;
    std::vector<int> region_depth;
    std::vector<group> region_group;
    std::vector<step> steps;
};

/// `leaf_number[k]`, `leaf_rows[k]`: for leaves, is the value a number (constants and literals
/// are; a symbol is when bound to a number), does it hold rows (a declared rows symbol).
template <std::size_t N, std::size_t R>
constexpr schedule_build build_schedule(const std::array<const expr_info*, N>& node,
                                        const std::array<std::array<int, 4>, N>& operand,
                                        const std::array<int, R>& roots, const std::array<bool, N>& leaf_number,
                                        const std::array<bool, N>& leaf_rows) {
    schedule_build s;
    s.number.assign(N, false);
    s.needed.assign(N, false);
    s.array_elementwise.assign(N, false);
    s.depth.assign(N, 0);
    s.region_of.assign(N, -1);
    s.place.assign(N, placement::once);
    s.in.assign(N, group::pre);
    s.sliced.assign(N, 0u);
    const auto is_node = [&](std::size_t k) { return node[k]->kind == expr_kind::node; };
    const auto is_structural = [&](std::size_t k) { return is_node(k) && !node[k]->op->elementwise; };
    std::vector<bool> after_reduce(N, false);  // the value depends on a reduce's result

    for (std::size_t k = 0; k < N; ++k) {
        const expr_info& e = *node[k];
        if (!is_node(k)) {
            s.number[k] = leaf_number[k];
            if (leaf_rows[k] && !leaf_number[k]) s.place[k] = placement::rows;
            continue;
        }
        bool numbers[4]{}, rows[4]{};
        bool all = true, any_rows = false, any_value_rows = false, late = false;
        int d = 0;
        for (std::size_t i = 0; i < e.arity; ++i) {
            const auto j = static_cast<std::size_t>(operand[k][i]);
            numbers[i] = s.number[j];
            rows[i] = s.place[j] == placement::rows;
            any_rows = any_rows || rows[i];
            late = late || after_reduce[j] || s.place[j] == placement::reduce;
            if (!e.op->value_arg[i]) continue;
            all = all && s.number[j];
            any_value_rows = any_value_rows || rows[i];
            const int dj = s.depth[j] + (is_structural(j) ? 1 : 0);
            d = d > dj ? d : dj;
        }
        s.number[k] = e.op->elementwise ? all : e.op->number_rule(numbers);
        s.depth[k] = d;
        s.array_elementwise[k] = e.op->elementwise && !s.number[k];
        after_reduce[k] = late;
        if (e.op->elementwise) {
            if (any_value_rows) s.place[k] = placement::rows;
        } else if (any_rows) {
            const rows_behaviour b = e.op->rows_rule(rows);
            s.sliced[k] = b.sliced;
            if (b.rule == rows_rule::local) s.place[k] = placement::rows;
            else if (b.rule == rows_rule::reduce) s.place[k] = placement::reduce;
            else if (b.rule == rows_rule::whole) s.blockable = false;
        }
        // a rows node reading a reduction's result would need a second pass over the data
        if (s.place[k] == placement::rows && late) s.blockable = false;
    }
    // needed for the value: reachable from a root through value operands
    for (int r : roots) s.needed[static_cast<std::size_t>(r)] = true;
    for (std::size_t k = N; k-- > 0;) {
        if (!s.needed[k] || !is_node(k)) continue;
        for (std::size_t i = 0; i < node[k]->arity; ++i)
            if (node[k]->op->value_arg[i]) s.needed[static_cast<std::size_t>(operand[k][i])] = true;
    }
    // groups
    for (std::size_t k = 0; k < N; ++k) {
        if (!s.blockable) s.in[k] = group::block;  // one group: everything runs once, over all rows
        else if (s.place[k] == placement::rows || s.place[k] == placement::reduce) s.in[k] = group::block;
        else s.in[k] = after_reduce[k] ? group::post : group::pre;
    }
    // regions: array elementwise nodes joined by elementwise edges, same stage and group
    std::vector<int> up(N);
    for (std::size_t k = 0; k < N; ++k) up[k] = static_cast<int>(k);
    const auto find = [&](int a) {
        while (up[static_cast<std::size_t>(a)] != a)
            a = up[static_cast<std::size_t>(a)] = up[static_cast<std::size_t>(up[static_cast<std::size_t>(a)])];
        return a;
    };
    for (std::size_t k = 0; k < N; ++k) {
        if (!s.needed[k] || !s.array_elementwise[k]) continue;
        for (std::size_t i = 0; i < node[k]->arity; ++i) {
            const auto j = static_cast<std::size_t>(operand[k][i]);
            if (s.array_elementwise[j] && s.depth[j] == s.depth[k] && s.in[j] == s.in[k])
                up[static_cast<std::size_t>(find(static_cast<int>(j)))] = find(static_cast<int>(k));
        }
    }
    std::vector<int> region_of_root(N, -1);
    const auto new_region = [&](int depth, group g) {
        s.members.emplace_back();
        s.sinks.emplace_back();
        s.inputs.emplace_back();
        s.region_depth.push_back(depth);
        s.region_group.push_back(g);
        return static_cast<int>(s.members.size() - 1);
    };
    for (std::size_t k = 0; k < N; ++k) {
        if (!s.needed[k] || !s.array_elementwise[k]) continue;
        const auto rep = static_cast<std::size_t>(find(static_cast<int>(k)));
        if (region_of_root[rep] < 0 ||
            s.members[static_cast<std::size_t>(region_of_root[rep])].size() >= max_region_members)
            region_of_root[rep] = new_region(s.depth[k], s.in[k]);
        s.region_of[k] = region_of_root[rep];
        s.members[static_cast<std::size_t>(s.region_of[k])].push_back(static_cast<int>(k));
    }
    // sinks: in the region of what they sum, or in a region of their own over an array input. A
    // sink of c * v or v * c, c a number, sums v and is scaled by c once: sum(c v) = c sum(v).
    s.sink_source.assign(N, -1);
    s.sink_factor.assign(N, -1);
    for (std::size_t k = 0; k < N; ++k) {
        if (!s.needed[k] || !is_node(k) || !node[k]->op->sink || !s.number[k]) continue;
        const auto h = static_cast<std::size_t>(operand[k][0]);
        if (s.number[h]) continue;  // a number's sum is computed by the structural step
        s.sink_source[k] = static_cast<int>(h);
        if (is_node(h) && node[h]->op->product) {
            const int a = operand[h][0], b = operand[h][1];
            const bool number_a = s.number[static_cast<std::size_t>(a)],
                       number_b = s.number[static_cast<std::size_t>(b)];
            if (number_a != number_b) {
                s.sink_source[k] = number_a ? b : a;
                s.sink_factor[k] = number_a ? a : b;
            }
        }
        int r = s.region_of[static_cast<std::size_t>(s.sink_source[k])];
        if (r < 0) r = new_region(s.depth[k], s.in[k]);
        s.sinks[static_cast<std::size_t>(r)].push_back(static_cast<int>(k));
    }
    // inputs of each region: operands of members and sources of sinks that are not members
    std::vector<int> input_of(N, -1);  // the last region that took node j as an input
    for (std::size_t r = 0; r < s.members.size(); ++r) {
        const auto add_input = [&](int j) {
            const auto u = static_cast<std::size_t>(j);
            if (s.region_of[u] == static_cast<int>(r) || input_of[u] == static_cast<int>(r)) return;
            input_of[u] = static_cast<int>(r);
            s.inputs[r].push_back(j);
        };
        for (int m : s.members[r])
            for (std::size_t i = 0; i < node[static_cast<std::size_t>(m)]->arity; ++i)
                add_input(operand[static_cast<std::size_t>(m)][i]);
        for (int q : s.sinks[r]) add_input(s.sink_source[static_cast<std::size_t>(q)]);
    }
    // steps, stage by stage; a sink's result is taken (and scaled) after the blocks
    // (nodes and regions bucketed by depth, in index order: linear in the program's size)
    int max_depth = 0;
    for (std::size_t k = 0; k < N; ++k)
        if (s.needed[k] && s.depth[k] > max_depth) max_depth = s.depth[k];
    for (int d : s.region_depth)
        if (d > max_depth) max_depth = d;
    const auto D = static_cast<std::size_t>(max_depth) + 1;
    std::vector<int> node_begin(D + 1, 0), region_begin(D + 1, 0);
    for (std::size_t k = 0; k < N; ++k)
        if (s.needed[k]) ++node_begin[static_cast<std::size_t>(s.depth[k]) + 1];
    for (int d : s.region_depth) ++region_begin[static_cast<std::size_t>(d) + 1];
    for (std::size_t d = 0; d < D; ++d) {
        node_begin[d + 1] += node_begin[d];
        region_begin[d + 1] += region_begin[d];
    }
    std::vector<int> at_depth(static_cast<std::size_t>(node_begin[D])), region_at_depth(s.region_depth.size());
    {
        std::vector<int> fill(node_begin.begin(), node_begin.end() - 1),
            rfill(region_begin.begin(), region_begin.end() - 1);
        for (std::size_t k = 0; k < N; ++k)
            if (s.needed[k])
                at_depth[static_cast<std::size_t>(fill[static_cast<std::size_t>(s.depth[k])]++)] = static_cast<int>(k);
        for (std::size_t r = 0; r < s.region_depth.size(); ++r)
            region_at_depth[static_cast<std::size_t>(rfill[static_cast<std::size_t>(s.region_depth[r])]++)] =
                static_cast<int>(r);
    }
    for (std::size_t d = 0; d < D; ++d) {
        for (int i = node_begin[d]; i < node_begin[d + 1]; ++i) {
            const auto k = static_cast<std::size_t>(at_depth[static_cast<std::size_t>(i)]);
            if (is_node(k) && node[k]->op->elementwise && s.number[k])
                s.steps.push_back({step_kind::number, static_cast<int>(k), s.in[k]});
        }
        for (int i = region_begin[d]; i < region_begin[d + 1]; ++i) {
            const auto r = static_cast<std::size_t>(region_at_depth[static_cast<std::size_t>(i)]);
            s.steps.push_back({step_kind::region, static_cast<int>(r), s.region_group[r]});
        }
        for (int i = node_begin[d]; i < node_begin[d + 1]; ++i) {
            const auto k = static_cast<std::size_t>(at_depth[static_cast<std::size_t>(i)]);
            if (is_structural(k)) {
                const bool sink = node[k]->op->sink && s.number[k];
                const group g = sink && s.blockable && s.in[k] == group::block ? group::post : s.in[k];
                s.steps.push_back({step_kind::structural, static_cast<int>(k), g});
            }
        }
    }
    return s;
}

// ---- what each leaf is, given the bindings ---------------------------------------------------

template <class V>
struct is_row_major_array : std::false_type {};
template <class EC, std::size_t N, class Tag>
struct is_row_major_array<xt::xtensor_container<EC, N, xt::layout_type::row_major, Tag>> : std::true_type {};
template <class EC, class SC, class Tag>
struct is_row_major_array<xt::xarray_container<EC, xt::layout_type::row_major, SC, Tag>> : std::true_type {};

/// Can the bound value be read in place as contiguous row-major T?
template <class V, class T>
inline constexpr bool readable_in_place = [] {
    if constexpr (is_row_major_array<std::remove_cvref_t<V>>::value)
        return std::is_same_v<typename std::remove_cvref_t<V>::value_type, T>;
    else return false;  // (a value without value_type is reported by check_bindings)
}();

template <class E, class... Bs>
constexpr bool leaf_is_number() {
    if constexpr (Symbol<E>) {
        if constexpr (count_bindings<E::name, Bs...>() == 0) return true;  // reported when read
        else return is_number<decltype(lookup<E::name>(std::declval<const boost::hana::tuple<Bs...>&>()))>;
    } else {
        return !Node<E>;
    }
}

/// A set of symbol names that hold rows of data: `rows_of<"x", "y">`.
template <fixed_string... Names>
struct rows_of {
    template <class E>
    static constexpr bool holds() {
        if constexpr (Symbol<E>) return ((E::name == Names) || ...);
        else return false;
    }
};
using no_rows = rows_of<>;

/// The schedule of program P under bindings Bs, with the rows symbols Rows, as compile-time arrays.
template <class P, class Rows, class... Bs>
struct scheduled {
    static constexpr std::size_t N = P::size;
    // (listed from the last node to the first, so that each type_at finds its parent instantiated)
    template <std::size_t... K>
    static constexpr std::array<bool, N> leaf_numbers_reversed(std::index_sequence<K...>) {
        return {leaf_is_number<node_type_t<P, N - 1 - K>, Bs...>()...};
    }
    template <std::size_t... K>
    static constexpr std::array<bool, N> leaf_rows_of(std::index_sequence<K...>) {
        return {Rows::template holds<node_type_t<P, K>>()...};
    }
    static constexpr std::array<bool, N> leaf_number_reversed = leaf_numbers_reversed(std::make_index_sequence<N>{});
    static constexpr std::array<bool, N> leaf_rows = leaf_rows_of(std::make_index_sequence<N>{});

    struct arrays {
        std::array<bool, N> number{}, needed{}, materialize{};
        std::array<int, N> depth{}, region_of{}, local{}, sink_source{}, sink_factor{};
        std::array<placement, N> place{};
        std::array<group, N> in{};
        std::array<unsigned, N> sliced{};
        bool blockable = true;
        std::size_t regions = 0, steps = 0;
        std::array<step, 2 * N + 1> step_list{};
        /// numbers steps: run r covers number_node[run_begin[r] .. run_begin[r + 1])
        std::array<int, N + 1> number_node{};
        std::array<int, N + 2> run_begin{};
        std::size_t runs = 0;
        std::array<group, N + 1> region_group{};
        std::array<int, N + 2> member_begin{}, sink_begin{}, input_begin{};
        std::array<int, N + 1> member{}, sink{};
        std::array<int, 4 * N + 1> input{};
    };
    static constexpr arrays data = [] {
        std::array<bool, N> leaf_number{};
        for (std::size_t k = 0; k < N; ++k) leaf_number[k] = leaf_number_reversed[N - 1 - k];
        const schedule_build s = build_schedule(P::data.node, P::data.operand, P::data.root, leaf_number, leaf_rows);
        arrays a;
        a.blockable = s.blockable;
        for (std::size_t k = 0; k < N; ++k) {
            a.number[k] = s.number[k];
            a.needed[k] = s.needed[k];
            a.depth[k] = s.depth[k];
            a.region_of[k] = s.region_of[k];
            a.place[k] = s.place[k];
            a.in[k] = s.in[k];
            a.sliced[k] = s.sliced[k];
            a.local[k] = -1;
            a.sink_source[k] = s.sink_source[k];
            a.sink_factor[k] = s.sink_factor[k];
        }
        a.regions = s.members.size();
        // consecutive number steps of one group become one step (one function runs them all)
        std::size_t numbers = 0;
        for (std::size_t i = 0; i < s.steps.size(); ++i) {
            const step& st = s.steps[i];
            if (st.kind == step_kind::number) {
                const bool extend = a.steps > 0 && a.step_list[a.steps - 1].kind == step_kind::number &&
                                    a.step_list[a.steps - 1].in == st.in;
                if (!extend) {
                    a.run_begin[a.runs] = static_cast<int>(numbers);
                    a.step_list[a.steps++] = {step_kind::number, static_cast<int>(a.runs++), st.in};
                }
                a.number_node[numbers++] = st.id;
            } else {
                a.step_list[a.steps++] = st;
            }
        }
        a.run_begin[a.runs] = static_cast<int>(numbers);
        int m = 0, q = 0, in = 0;
        for (std::size_t r = 0; r < a.regions; ++r) {
            a.region_group[r] = s.region_group[r];
            a.member_begin[r] = m;
            a.sink_begin[r] = q;
            a.input_begin[r] = in;
            for (std::size_t j = 0; j < s.members[r].size(); ++j) {
                a.member[static_cast<std::size_t>(m++)] = s.members[r][j];
                a.local[static_cast<std::size_t>(s.members[r][j])] = static_cast<int>(j);
            }
            for (int k : s.sinks[r]) a.sink[static_cast<std::size_t>(q++)] = k;
            for (int k : s.inputs[r]) a.input[static_cast<std::size_t>(in++)] = k;
        }
        a.member_begin[a.regions] = m;
        a.sink_begin[a.regions] = q;
        a.input_begin[a.regions] = in;
        // An array node is materialized when something outside its region reads its value: a
        // root, a structural node, or another region. Structural results always are.
        for (int r : P::data.root) a.materialize[static_cast<std::size_t>(r)] = true;
        for (std::size_t k = 0; k < N; ++k) {
            if (!s.needed[k] || P::data.node[k]->kind != expr_kind::node) continue;
            if (!P::data.node[k]->op->elementwise) a.materialize[k] = true;
            for (std::size_t i = 0; i < P::data.node[k]->arity; ++i) {
                const auto j = static_cast<std::size_t>(P::data.operand[k][i]);
                if (!P::data.node[k]->op->value_arg[i]) continue;
                const bool same_region = s.region_of[k] >= 0 && s.region_of[j] == s.region_of[k];
                const bool own_sink = P::data.node[k]->op->sink && s.number[k] && s.region_of[j] >= 0;
                if (!same_region && !own_sink) a.materialize[j] = true;
            }
        }
        for (std::size_t k = 0; k < N; ++k)
            if (s.number[k] || P::data.node[k]->kind != expr_kind::node) a.materialize[k] = false;
        return a;
    }();

    /// Every node a number (also those read for their shape only: a sink's scale reads shapes).
    static constexpr bool all_numbers = [] {
        for (std::size_t k = 0; k < N; ++k)
            if (!data.number[k]) return false;
        return true;
    }();
};

}  // namespace symdiff::detail
