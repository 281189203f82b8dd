#pragma once
// The executor: runs a program given as tables (which nodes, their operands, their kernels, the
// schedule), over the storage it owns. It is a class of the number type only, compiled once per
// translation unit however many programs there are: what is specific to a program is in its
// tables (compile-time arrays, eval/engine.hpp) and in the code of its fused loops (kernels.hpp).
//
// A run, after the engine has read the symbols' values and shapes into the storage:
//   plan()      when shapes changed: every node's shape, blocks of rows, which regions fuse, the
//               workspace (one allocation, reused by later runs), the outputs;
//   execute()   the `pre` steps, the `block` steps once per block of rows, the `post` steps.
// Number nodes run one after another by their kernels; a region runs as its fused loop when
// every member and sink has the region's shape (inputs of other shapes are expanded into it),
// else node by node with broadcasting; structural nodes by their operation's compute.
//
// Blocks of rows: when the program is blockable (schedule.hpp) and the shapes agree (every rows
// node has the rows as its leading axis), the rows are processed in blocks of about 256 KiB of
// data, so that each block is read from memory once per run and what is computed from it stays
// in cache; otherwise, and for small data, in one block. A reduction of an array over the rows
// adds up its blocks' parts in block order, so the result does not depend on the block size's
// relation to anything but the data.
//
// The program listed at run time (literals that differ between occurrences of one node type, see
// engine.hpp) is a table like any other, with a trivial schedule: every node a step of its own.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <xtensor/xarray.hpp>

#include "../core/array_ref.hpp"
#include "../core/broadcast.hpp"
#include "../core/shape.hpp"
#include "collective.hpp"
#include "counters.hpp"
#include "describe.hpp"
#include "kernels.hpp"
#include "lower.hpp"
#include "schedule.hpp"
#include "thread_team.hpp"

namespace symdiff::detail {

/// Rows per block: about `block_bytes` of the rows data, a multiple of 16 rows.
inline constexpr std::size_t block_bytes = std::size_t{256} * 1024;
/// The blocks of a pass are split into at most this many groups of consecutive blocks. Each group
/// adds up its own sums and its own parts of the reductions over the rows, and the groups' results
/// are added in group order: the same additions in the same order whatever the number of threads
/// that run the groups.
inline constexpr std::size_t max_block_groups = 16;

/// A program as the executor runs it. Every pointer is to `size` (or `regions`, `steps`, ...)
/// elements; the arrays are the compile-time ones of lower.hpp and schedule.hpp.
template <class T>
struct program_table {
    std::size_t size = 0, roots = 0;
    const expr_info* const* node = nullptr;
    const std::array<int, 4>* operand = nullptr;
    const int* root = nullptr;
    const int* root_of = nullptr;           ///< the first occurrence of node k: in root root_of[k],
    const std::uint32_t* offset = nullptr;  ///< offset[k] bytes into it
    const node_kernel<T>* kernel = nullptr;
    const bool* staged = nullptr;  ///< symbols whose bound value is copied (converted) before a run
    // the schedule
    const bool *number = nullptr, *needed = nullptr, *materialize = nullptr;
    const placement* place = nullptr;
    const unsigned* sliced = nullptr;
    const int* region_of = nullptr;
    bool blockable = false, has_rows = false, by_node = false;
    std::size_t steps = 0;
    const step* step_list = nullptr;
    const int *number_node = nullptr, *run_begin = nullptr;
    std::size_t regions = 0;
    const group* region_group = nullptr;
    const int *member_begin = nullptr, *member = nullptr, *sink_begin = nullptr, *sink = nullptr;
    const int *sink_source = nullptr, *sink_factor = nullptr;  ///< per node: what a sink sums, its number factor
    const int *input_begin = nullptr, *input = nullptr;
    const fused_fn<T>* fused = nullptr;
};

/// One node of the program listed at run time.
template <class T>
struct listed_node {
    int k;                   ///< the compile-time node whose type (and kernels) it has
    std::array<int, 4> ids;  ///< operands, as listed nodes
    const void* expr;        ///< the occurrence (structural operations read their node)
    T value;                 ///< literals and constants: the value
};

/// The tables of a listed program (owned; the table points into the vectors).
template <class T>
struct listed_program {
    program_table<T> table;
    std::vector<const expr_info*> node;
    std::vector<std::array<int, 4>> operand;
    std::vector<node_kernel<T>> kernel;
    std::vector<unsigned char> staged, number, needed, materialize;  // (vector<bool> has no data())
    std::vector<placement> place;
    std::vector<unsigned> sliced;
    std::vector<int> region_of, root;
    std::vector<step> steps;
};

template <class T>
class executor {
public:
    explicit executor(const program_table<T>& t) : t_(&t) { storage(); }

    executor(const executor&) = delete;
    executor& operator=(const executor&) = delete;

    // ---- storage, as the engine fills it ------------------------------------------------------

    std::vector<T> num;                  ///< values of number nodes, literals, constants
    std::vector<slot<T>> slots;          ///< arrays: a symbol's data and shape are set by the engine
    std::vector<const void*> node;       ///< structural nodes: their expression
    std::vector<int> symbol_id;          ///< compile-time node k -> its node here (listed: -1 when unused)
    std::vector<xt::xarray<T>> outputs;  ///< array roots

    bool planned() const { return planned_; }
    bool listed() const { return listed_ != nullptr; }
    /// Threads that run the groups of blocks of rows (1: the calling thread only). The results do
    /// not depend on it. Takes effect at the next plan.
    void threads(std::size_t n) {
        if (n == 0) n = 1;
        if (n != threads_) team_.reset();  // (the team has threads_ - 1 helpers)
        threads_ = n;
        planned_ = false;
    }
    std::size_t threads() const { return threads_; }
    /// Whether two arrays with one row per example may broadcast against each other (off: plan()
    /// throws shape_error, naming the operation and both shapes). Takes effect at the next plan.
    void allow_row_broadcast(bool allow) {
        allow_row_broadcast_ = allow;
        planned_ = false;
    }
    const program_table<T>& table() const { return *t_; }
    std::size_t root_id(std::size_t r) const { return static_cast<std::size_t>(t_->root[r]); }
    std::size_t blocks() const { return blocks_; }

    /// The roots' addresses: structural nodes read their expression, and the literals' values are
    /// read, from there. When two occurrences of one node type hold different literal values, the
    /// program is listed by value (use_listing).
    void bind(const void* const* roots) {
        const program_table<T>& t = *t_;
        for (std::size_t k = 0; k < t.size; ++k)
            if (t.node[k]->kind == expr_kind::node && !t.node[k]->op->elementwise) node[k] = address(roots, k);
        bool literals = false;
        for (std::size_t r = 0; r < t.roots; ++r) literals = literals || t.node[root_id(r)]->stateful;
        if (!literals) return;
        std::vector<unsigned char> seen(t.size, 0);
        bool agree = true;
        for (std::size_t r = 0; r < t.roots; ++r)
            read_literals(static_cast<int>(root_id(r)), static_cast<const char*>(roots[r]), seen, agree);
        if (!agree) list_by_value(roots);
    }

    /// Runs the listed program from now on: `nodes` in post-order, `roots` their ids.
    void use_listing(const std::vector<listed_node<T>>& nodes, std::vector<int> roots) {
        auto l = std::make_unique<listed_program<T>>();
        const program_table<T>& c = *t_;
        const std::size_t L = nodes.size();
        l->root = std::move(roots);
        symbol_id.assign(c.size, -1);
        for (std::size_t id = 0; id < L; ++id) {
            const auto k = static_cast<std::size_t>(nodes[id].k);
            l->node.push_back(c.node[k]);
            l->operand.push_back(nodes[id].ids);
            l->kernel.push_back(c.kernel[k]);
            l->staged.push_back(c.staged[k]);
            l->number.push_back(c.number[k]);
            l->needed.push_back(1);
            l->materialize.push_back(!c.number[k] && c.node[k]->kind == expr_kind::node);
            l->place.push_back(placement::once);
            l->sliced.push_back(0u);
            l->region_of.push_back(-1);
            if (c.node[k]->kind == expr_kind::symbol) symbol_id[k] = static_cast<int>(id);
            if (c.node[k]->kind == expr_kind::node)
                l->steps.push_back({step_kind::node, static_cast<int>(id), group::block});
        }
        program_table<T>& t = l->table;
        t.size = L;
        t.roots = c.roots;
        t.node = l->node.data();
        t.operand = l->operand.data();
        t.root = l->root.data();
        t.kernel = l->kernel.data();
        t.staged = reinterpret_cast<const bool*>(l->staged.data());
        t.number = reinterpret_cast<const bool*>(l->number.data());
        t.needed = reinterpret_cast<const bool*>(l->needed.data());
        t.materialize = reinterpret_cast<const bool*>(l->materialize.data());
        t.place = l->place.data();
        t.sliced = l->sliced.data();
        t.region_of = l->region_of.data();
        t.by_node = true;
        t.steps = l->steps.size();
        t.step_list = l->steps.data();
        listed_ = std::move(l);
        t_ = &listed_->table;
        storage();
        for (std::size_t id = 0; id < L; ++id) {
            num[id] = nodes[id].value;
            node[id] = nodes[id].expr;
        }
        counters().listed_programs += 1;
    }

    // ---- rows shared across processes ---------------------------------------------------------
    //
    // Each process binds its own rows of the symbols with rows; the program is planned with the
    // rows of all the processes (so a mean divides by all of them and every shape is the one a
    // single process would see), runs its blocks over this process's rows only, and adds the
    // processes' sums over rows (one collective sum per run) before the steps that read them.

    /// Shares the rows with the processes of `c` (null: this process has all the rows).
    void share_rows(collective* c) {
        shared_ = c;
        shared_counts_.clear();
        planned_ = false;
    }
    collective* shared() const { return shared_; }

    /// Refuses an array bound to symbol node `id` that is one of this program's results (a
    /// reference the last call returned): the call would overwrite it while reading it, and a
    /// new plan frees it.
    void refuse_result_as_input(std::size_t id, const T* data, std::size_t size) const {
        if (!array_results_) return;
        const std::less<const T*> before;
        for (const xt::xarray<T>& out : outputs)
            if (size > 0 && out.size() > 0 && !before(data, out.data()) && before(data, out.data() + out.size()))
                throw std::invalid_argument(
                    "'" + std::string(t_->node[id]->name) +
                    "' is bound to an array this program returned, which this call "
                    "overwrites: bind a copy (xt::xarray<double> copy = std::get<0>(step(...)); "
                    "step(..., " +
                    std::string(t_->node[id]->name) + " = copy))");
    }

    /// Binds symbol node `id` to an array of shape `s`; true when its shape changed. (With shared
    /// rows, a symbol with rows that keeps its other extents has not changed: the processes' rows
    /// are compared at every run.)
    template <class S>
    bool bind_shape(std::size_t id, const S& s) {
        shape_type& sh = slots[id].shape;
        const bool rows = local_extent_[id] != npos;
        bool same = sh.size() == s.size();
        for (std::size_t i = rows ? 1 : 0; same && i < sh.size(); ++i) same = sh[i] == static_cast<std::size_t>(s[i]);
        if (same) {  // (a loop, not std::equal: a call of memcmp costs more than a rank's extents)
            if (rows) local_extent_[id] = static_cast<std::size_t>(s[0]);
            return false;
        }
        sh.assign(s.begin(), s.end());
        local_extent_[id] = npos;
        return true;
    }

    /// One run with shared rows. Every process calls it, and every process returns or throws the
    /// same: a failure on one process (a shape, a plan, a kernel) is raised on all of them with the
    /// message of the lowest rank that failed, after the collective calls every run makes.
    /// `stage(context)` copies the bound values that are not read in place (after the plan). (A
    /// function pointer, not a template parameter: this is compiled once per number type, not once
    /// per program.)
    void execute_shared(bool shapes_changed, void (*stage)(void*), void* context) {
        constexpr std::uint64_t failed = ~std::uint64_t{0};
        shared_failure mine;
        std::uint64_t local = 0;
        try {
            local = local_rows();
        } catch (...) {
            mine = failures<>::of(std::current_exception(), shared_->rank());
        }
        const std::vector<std::uint64_t> counts = shared_->gather(mine ? failed : local);
        if (std::find(counts.begin(), counts.end(), failed) != counts.end())
            failures<>::raise(shared_->first_failure(mine), shared_->size());
        try {
            const row_share next = share_of(counts, shared_->rank());
            if (shapes_changed || !planned_ || !blocked_ || next.all != share_.all) {
                planned_ = false;
                spread_rows(next);
                plan();
                shared_counts_ = counts;
            } else if (counts != shared_counts_) {  // the same rows in all, shared out otherwise
                spread_rows(next);
                share_blocks();
                plan_groups();
                shared_counts_ = counts;
            }
            if (stage) stage(context);
            execute_rows();
        } catch (...) {
            mine = failures<>::of(std::current_exception(), shared_->rank());
        }
        combine_shared(mine);
        execute_post();
    }

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    /// The rows this process holds: the first extent of its symbols with rows (they must agree).
    std::uint64_t local_rows() const {
        const program_table<T>& t = *t_;
        std::size_t n = npos, first = 0;
        for (std::size_t k = 0; k < t.size; ++k) {
            if (t.node[k]->kind != expr_kind::symbol || t.place[k] != placement::rows || slots[k].shape.empty())
                continue;
            const std::size_t e = local_extent_[k] != npos ? local_extent_[k] : slots[k].shape[0];
            if (n == npos) {
                n = e;
                first = k;
            } else if (e != n) {
                throw shape_error("the arrays with one row per example have different numbers of rows: " +
                                  std::string(t.node[first]->name) + " has " + std::to_string(n) + ", " +
                                  std::string(t.node[k]->name) + " has " + std::to_string(e));
            }
        }
        return n == npos ? 0 : n;
    }

    /// Gives the symbols with rows the rows of all the processes, and this process its range.
    void spread_rows(const row_share& share) {
        const program_table<T>& t = *t_;
        share_ = share;
        const std::size_t all = share_.all;
        for (std::size_t k = 0; k < t.size; ++k) {
            if (t.node[k]->kind != expr_kind::symbol || t.place[k] != placement::rows || slots[k].shape.empty())
                continue;
            if (local_extent_[k] == npos) local_extent_[k] = slots[k].shape[0];
            if (slots[k].shape[0] != all) planned_ = false;
            slots[k].shape[0] = all;
        }
        for (std::size_t r = 0; r < t.roots; ++r)
            if (!t.number[root_id(r)] && t.place[root_id(r)] == placement::rows)
                throw std::invalid_argument(
                    "a result with one row per example cannot be computed with the rows shared across processes (each "
                    "holds only its own rows): compute it with a program of its own");
    }

    /// Adds the processes' sums over rows; raises the first failure if any process failed.
    void combine_shared(const shared_failure& mine) {
        constexpr std::uint64_t failed = ~std::uint64_t{0};
        const std::size_t N = t_->size;
        std::size_t words = N;
        if (!mine)
            for (std::size_t k : reduce_tmp_) words += count_of(slots[k].shape);
        const std::vector<std::uint64_t> sizes = shared_->gather(mine ? failed : words);
        if (std::find(sizes.begin(), sizes.end(), failed) != sizes.end())
            failures<>::raise(shared_->first_failure(mine), shared_->size());
        for (std::size_t r = 1; r < sizes.size(); ++r)
            if (sizes[r] != sizes[0])
                throw shape_error("the processes' programs have different shapes: rank 0 adds up " +
                                  std::to_string(sizes[0]) + " numbers per run, rank " + std::to_string(r) + " " +
                                  std::to_string(sizes[r]) + " (are the parameters the same on every process?)");
        shared_sums_.assign(total_.begin(), total_.end());
        for (std::size_t i = 0; i < reduce_tmp_.size(); ++i)
            shared_sums_.insert(shared_sums_.end(), reduce_whole_[i],
                                reduce_whole_[i] + count_of(slots[reduce_tmp_[i]].shape));
        shared_->sum(shared_sums_.data(), shared_sums_.size());
        std::copy(shared_sums_.begin(), shared_sums_.begin() + static_cast<std::ptrdiff_t>(N), total_.begin());
        std::size_t at = N;
        for (std::size_t i = 0; i < reduce_tmp_.size(); ++i) {
            const std::size_t n = count_of(slots[reduce_tmp_[i]].shape);
            for (std::size_t j = 0; j < n; ++j) reduce_whole_[i][j] = static_cast<T>(shared_sums_[at + j]);
            at += n;
        }
    }

public:
    // ---- planning -----------------------------------------------------------------------------

    /// Every node's shape, blocks of rows, regions, the workspace, the outputs. The symbols'
    /// shapes (and in-place data) are in their slots.
    void plan() {
        const program_table<T>& t = *t_;
        const std::size_t N = t.size;
        counters().plans += 1;
        planned_ = false;  // (until it completes: a plan that throws leaves none behind)
        for (std::size_t k = 0; k < N; ++k) {
            slots[k].own = nullptr;
            if (t.node[k]->kind != expr_kind::symbol) slots[k].data = nullptr;
            if (t.node[k]->kind == expr_kind::constant || t.node[k]->kind == expr_kind::literal) slots[k].shape.clear();
        }
        store<T> s = make_store();
        // preconditions first: a misuse is reported in words before the shape errors it causes
        for (std::size_t k = 0; k < N; ++k)
            if (t.node[k]->kind == expr_kind::node && t.node[k]->op->precondition)
                t.kernel[k].shape(s, k, t.operand[k].data(), node[k]);
        for (std::size_t k = 0; k < N; ++k) {
            if (t.node[k]->kind != expr_kind::node) continue;
            if (!t.node[k]->op->elementwise) t.kernel[k].shape(s, k, t.operand[k].data(), node[k]);
            else if (t.number[k]) slots[k].shape.clear();
            else {
                elementwise_shape(s, k, t.operand[k].data(), t.node[k]->arity);
                if (!allow_row_broadcast_ && t.place[k] == placement::rows) check_row_broadcast(s, k);
            }
        }
        plan_blocks();
        // regions: fused when every member and sink source has one shape; inputs of another shape
        // are expanded into it (once per run: the same for every block)
        words_ = 0;
        block_local_.clear();
        region_.assign(t.regions, region_plan{});
        std::vector<std::vector<std::size_t>> expand_at(t.regions);
        for (std::size_t r = 0; r < t.regions; ++r) {
            region_plan& rp = region_[r];
            const shape_type& sh = region_shape(r);
            rp.elements = count_of(sh);
            for (int m = t.member_begin[r]; m < t.member_begin[r + 1]; ++m)
                if (slots[static_cast<std::size_t>(t.member[m])].shape != sh) rp.fused = false;
            for (int q = t.sink_begin[r]; q < t.sink_begin[r + 1]; ++q)
                if (slots[sink_source(q)].shape != sh) rp.fused = false;
            const bool rows_region = blocked_ && t.region_group[r] == group::block;
            const auto inputs = static_cast<std::size_t>(t.input_begin[r + 1] - t.input_begin[r]);
            rp.in.assign(inputs, nullptr);
            rp.in_num.assign(inputs, T(0));
            rp.out.assign(static_cast<std::size_t>(t.member_begin[r + 1] - t.member_begin[r]), nullptr);
            rp.sums.assign(static_cast<std::size_t>(t.sink_begin[r + 1] - t.sink_begin[r]), 0);
            for (int m = t.member_begin[r]; m < t.member_begin[r + 1]; ++m)
                if (t.materialize[static_cast<std::size_t>(t.member[m])])
                    rp.stored.emplace_back(static_cast<std::size_t>(m - t.member_begin[r]),
                                           static_cast<std::size_t>(t.member[m]));
            for (int q = t.sink_begin[r]; q < t.sink_begin[r + 1]; ++q)
                rp.sink_node.push_back(static_cast<std::size_t>(t.sink[q]));
            for (int i = t.input_begin[r]; i < t.input_begin[r + 1]; ++i) {
                const auto k = static_cast<std::size_t>(t.input[i]);
                const bool array = !t.number[k];
                (array ? rp.array_in : rp.number_in).emplace_back(static_cast<std::size_t>(i - t.input_begin[r]), k);
                const bool same = array && slots[k].shape == sh;
                // a full-size array that is not rows, read one block of rows at a time
                rp.sliced.push_back(rows_region && same && t.place[k] != placement::rows);
                const std::size_t per_block = rows_region ? count_of(sh) / rows_n_ * block_rows_ : count_of(sh);
                expand_at[r].push_back(rp.fused && array && !same ? reserve(per_block) : npos);
            }
        }
        // buffers: materialized nodes, members of regions run node by node, staged symbols; rows
        // nodes hold one block, except roots and the members of regions run node by node
        std::vector<std::size_t> offset(N, npos);
        for (std::size_t k = 0; k < N; ++k) {
            if (!t.needed[k] || t.number[k] || is_root_output(k)) continue;
            const bool by_node = t.region_of[k] >= 0 && !region_[static_cast<std::size_t>(t.region_of[k])].fused;
            if (!(t.materialize[k] || by_node || t.staged[k])) continue;
            const bool block_only =
                blocked_ && t.place[k] == placement::rows && t.node[k]->kind == expr_kind::node && !by_node;
            offset[k] =
                reserve(block_only ? count_of(slots[k].shape) / rows_n_ * block_rows_ : count_of(slots[k].shape));
            if (block_only) block_local_.push_back(k);
        }
        // reductions of arrays over the rows: each block's part goes to a temporary, then adds up
        for (std::size_t k = 0; k < N && blocked_; ++k)
            if (t.needed[k] && !t.number[k] && t.place[k] == placement::reduce) reduce_tmp_.push_back(k);
        std::vector<std::size_t> tmp_offset(N, npos);
        for (std::size_t k : reduce_tmp_) tmp_offset[k] = reserve(count_of(slots[k].shape));
        workspace_.assign(words_, T(0));
        array_results_ = false;
        for (std::size_t r = 0; r < t.roots; ++r) {
            const std::size_t k = root_id(r);
            if (t.number[k]) continue;
            array_results_ = true;
            outputs[r].resize(slots[k].shape);
            if (t.node[k]->kind == expr_kind::node && !slots[k].own) slots[k].own = outputs[r].data();
        }
        for (std::size_t k = 0; k < N; ++k) {
            if (offset[k] != npos) slots[k].own = workspace_.data() + offset[k];
            if (slots[k].own && (t.node[k]->kind == expr_kind::node || t.staged[k])) slots[k].data = slots[k].own;
        }
        tmp_.assign(N, nullptr);
        for (std::size_t k : reduce_tmp_) tmp_[k] = workspace_.data() + tmp_offset[k];
        for (std::size_t r = 0; r < t.regions; ++r)
            for (std::size_t e : expand_at[r]) region_[r].expand.push_back(e == npos ? nullptr : workspace_.data() + e);
        s = make_store();
        for (std::size_t k = 0; k < N; ++k)
            if (t.node[k]->kind == expr_kind::node && t.kernel[k].scale)
                t.kernel[k].scale(s, k, t.operand[k].data(), node[k]);
        plan_groups();
        planned_ = true;
    }

    /// The groups of blocks, each group's parts of the sums and reductions, and the helpers that
    /// run groups on other threads.
    void plan_groups() {
        const std::size_t N = t_->size;
        groups_ = std::min(blocks_, max_block_groups);
        group_total_.assign(blocked_ ? groups_ * N : 0, 0);
        reduce_whole_.clear();
        reduce_offset_.clear();
        std::size_t words = 0;
        for (std::size_t k : reduce_tmp_) {
            reduce_whole_.push_back(slots[k].own);
            reduce_offset_.push_back(words);
            words += count_of(slots[k].shape);
        }
        reduce_words_ = words;
        group_reduce_.assign(blocked_ && groups_ > 0 ? (groups_ - 1) * words : 0, T(0));
        workers_.clear();
        const std::size_t helpers = blocked_ && groups_ > 0 ? std::min(threads_, groups_) - 1 : 0;
        for (std::size_t i = 0; i < helpers; ++i)
            workers_.push_back(std::unique_ptr<executor>(new executor(*this, helper_tag{})));
        errors_.assign(helpers + 1, nullptr);
        // the threads: threads_ - 1 of them, started by the first plan that uses them and kept by
        // every later plan (a plan with fewer groups than threads leaves some idle)
        if (helpers > 0 && !team_) {
            team_ = std::make_unique<thread_team>(threads_ - 1);
            counters().helper_threads += threads_ - 1;
        }
    }

    /// An elementwise node whose result is larger than each of its operands with rows, because two
    /// of them broadcast against each other: a prediction of shape (n, 1) minus a target of shape
    /// (n) gives (n, n) — almost always a mistake (PyTorch's MSELoss warns about it).
    void check_row_broadcast(store<T>& s, std::size_t k) const {
        const program_table<T>& t = *t_;
        const std::size_t result = count_of(slots[k].shape);
        unsigned with_rows = 0;
        std::string shapes;
        for (unsigned i = 0; i < t.node[k]->arity; ++i) {
            const auto j = static_cast<std::size_t>(t.operand[k][i]);
            if (t.place[j] != placement::rows || t.number[j]) continue;
            if (count_of(slots[j].shape) >= result) return;
            shapes += (with_rows++ ? " and " : "") + shape_to_string(slots[j].shape);
        }
        if (with_rows < 2) return;
        throw shape_error(describe(s.program, s.num, static_cast<int>(k)) + ": two arrays with one row per example, " +
                          shapes + ", broadcast against each other to shape " + shape_to_string(slots[k].shape) +
                          " — usually a prediction of shape (n, 1) against a target of shape (n): give both the same "
                          "shape (or allow it: allow_row_broadcast)");
    }

    // ---- blocks of rows -------------------------------------------------------------------------

    struct helper_tag {};
    /// A helper of `main` for its current plan: it shares main's tables, values and buffers, and
    /// has its own buffers for one block of rows (block-local nodes, expanded inputs, the parts of
    /// the reductions).
    executor(const executor& main, helper_tag)
        : num(main.num),
          slots(main.slots),
          node(main.node),
          symbol_id(main.symbol_id),
          t_(main.t_),
          total_(main.total_),
          scale_(main.scale_),
          rows_flag_(main.rows_flag_),
          group_steps_(main.group_steps_),
          region_(main.region_),
          reduce_tmp_(main.reduce_tmp_),
          tmp_(main.tmp_),
          workspace_(main.workspace_.size()),
          words_(main.words_),
          planned_(true),
          blocks_(main.blocks_),
          block_rows_(main.block_rows_),
          rows_n_(main.rows_n_),
          row_begin_(main.row_begin_),
          row_end_(main.row_end_),
          blocked_(main.blocked_) {
        const T* base = main.workspace_.data();
        const auto rebase = [&](const T* p) { return workspace_.data() + (p - base); };
        for (std::size_t k : main.block_local_) {
            slot<T>& sl = slots[k];
            if (sl.data == sl.own) sl.data = sl.own = rebase(sl.own);
            else sl.own = rebase(sl.own);
        }
        for (std::size_t k : reduce_tmp_) tmp_[k] = rebase(tmp_[k]);
        for (region_plan& rp : region_)
            for (T*& e : rp.expand)
                if (e) e = rebase(e);
    }

    /// The blocks of group g: [first, last).
    std::pair<std::size_t, std::size_t> group_blocks(std::size_t g) const {
        return {g * blocks_ / groups_, (g + 1) * blocks_ / groups_};
    }

    /// One pass over the rows: the groups of blocks (on `threads_` threads), then their sums and
    /// reductions added in group order.
    void run_blocks() {
        const std::size_t N = t_->size;
        for (const auto& w : workers_) {  // the values this run's blocks read
            std::copy(num.begin(), num.end(), w->num.begin());
            for (std::size_t k = 0; k < N; ++k)
                if (t_->node[k]->kind == expr_kind::symbol) w->slots[k].data = slots[k].data;
        }
        const std::size_t stride = workers_.size() + 1;
        std::vector<std::exception_ptr>& errors = errors_;
        std::fill(errors.begin(), errors.end(), nullptr);
        auto job = [&](std::size_t i) {
            if (i >= stride) return;  // (a thread this plan does not need)
            executor& runner = i == 0 ? *this : *workers_[i - 1];
            runner.run_groups(*this, i, stride, errors[i]);
        };
        if (team_ && stride > 1) team_->run(job);
        else job(0);
        for (const std::exception_ptr& e : errors)
            if (e) std::rethrow_exception(e);
        // sums, then reductions: group 0 wrote into the results, the others add in order
        for (std::size_t k = 0; k < N; ++k) {
            accumulator_t<T> sum = 0;
            for (std::size_t g = 0; g < groups_; ++g) sum += group_total_[g * N + k];
            total_[k] = sum;
        }
        for (std::size_t i = 0; i < reduce_tmp_.size(); ++i) {
            const std::size_t n = count_of(slots[reduce_tmp_[i]].shape);
            T* whole = reduce_whole_[i];
            for (std::size_t g = 1; g < groups_; ++g) {
                const T* part = group_reduce_.data() + (g - 1) * reduce_words_ + reduce_offset_[i];
                for (std::size_t j = 0; j < n; ++j) whole[j] += part[j];
            }
        }
    }

    /// Runs the groups first, first + stride, ... of `main`'s pass (on this executor).
    void run_groups(executor& main, std::size_t first, std::size_t stride, std::exception_ptr& error) {
        try {
            for (std::size_t g = first; g < main.groups_; g += stride) run_group_of_blocks(main, g);
        } catch (...) {
            error = std::current_exception();
        }
    }

    void run_group_of_blocks(executor& main, std::size_t g) {
        const std::size_t N = t_->size;
        store<T> s = make_store();
        s.blocks = true;
        std::fill(total_.begin(), total_.end(), accumulator_t<T>(0));
        for (std::size_t i = 0; i < reduce_tmp_.size(); ++i)  // where this group's reductions go
            slots[reduce_tmp_[i]].own =
                g == 0 ? main.reduce_whole_[i]
                       : main.group_reduce_.data() + (g - 1) * main.reduce_words_ + main.reduce_offset_[i];
        const auto [first, last] = main.group_blocks(g);
        for (std::size_t b = first; b < last; ++b) {
            set_block(row_begin_ + b * block_rows_, std::min(row_end_, row_begin_ + (b + 1) * block_rows_));
            first_block_ = b == first;
            s.first_row = block_r0_;
            counters().row_blocks += 1;
            run_group(group::block, s);
        }
        std::copy(total_.begin(), total_.end(), main.group_total_.begin() + static_cast<std::ptrdiff_t>(g * N));
        for (std::size_t i = 0; i < reduce_tmp_.size(); ++i) slots[reduce_tmp_[i]].own = main.reduce_whole_[i];
    }

    // ---- execution ----------------------------------------------------------------------------

    void execute() {
        execute_rows();
        execute_post();
    }

    /// The `pre` steps and the pass over the rows: after it, the sums over the rows (sinks'
    /// totals, reductions of arrays) hold this process's rows only, until combine_shared().
    void execute_rows() {
        const program_table<T>& t = *t_;
        store<T> s = make_store();
        counters().runs += 1;
        s.blocks = false;
        run_group(group::pre, s);
        std::fill(total_.begin(), total_.end(), accumulator_t<T>(0));
        if (blocked_) {
            counters().data_passes += 1;
            if (blocks_ > 0) run_blocks();
            else  // a process without rows: its parts of the sums are zero
                for (std::size_t i = 0; i < reduce_tmp_.size(); ++i)
                    std::fill_n(reduce_whole_[i], count_of(slots[reduce_tmp_[i]].shape), T(0));
        } else {
            if (t.has_rows) counters().data_passes += 1;
            first_block_ = true;
            run_group(group::block, s);
        }
    }

    /// The `post` steps (what reads the sums over rows) and the array results.
    void execute_post() {
        const program_table<T>& t = *t_;
        store<T> s = make_store();
        s.blocks = false;
        run_group(group::post, s);
        for (std::size_t r = 0; r < t.roots; ++r) {
            const std::size_t k = root_id(r);
            if (t.number[k]) continue;
            xt::xarray<T>& out = outputs[r];
            if (out.data() != slots[k].data) std::copy(slots[k].data, slots[k].data + out.size(), out.data());
        }
    }

private:
    const void* address(const void* const* roots, std::size_t k) const {
        return static_cast<const char*>(roots[t_->root_of[k]]) + t_->offset[k];
    }

    /// Literal values into num[], following the occurrence at p of node k (only into subtrees
    /// that hold literals); `agree` turns false when an occurrence differs from the first.
    void read_literals(int k, const char* p, std::vector<unsigned char>& seen, bool& agree) {
        const program_table<T>& t = *t_;
        const auto uk = static_cast<std::size_t>(k);
        const expr_info& e = *t.node[uk];
        if (!e.stateful) return;
        if (e.kind == expr_kind::literal) {
            const T v = static_cast<T>(e.read(p));
            if (!seen[uk]) {
                seen[uk] = 1;
                num[uk] = v;
            } else if (!(num[uk] == v || (std::isnan(num[uk]) && std::isnan(v)))) {  // NaN agrees with NaN
                agree = false;
            }
            return;
        }
        for (std::size_t i = 0; i < e.arity; ++i) read_literals(t.operand[uk][i], p + e.offset[i], seen, agree);
    }

    /// Lists the roots' nodes, sharing (node, operands, literal value): post-order, operands first.
    void list_by_value(const void* const* roots) {
        const program_table<T>& t = *t_;
        std::vector<listed_node<T>> nodes;
        std::unordered_map<std::string, int> seen;
        std::vector<int> memo(t.size, -1), root_ids;
        for (std::size_t r = 0; r < t.roots; ++r)
            root_ids.push_back(
                list_node(static_cast<int>(root_id(r)), static_cast<const char*>(roots[r]), nodes, seen, memo));
        use_listing(nodes, std::move(root_ids));
    }
    int list_node(int k, const char* p, std::vector<listed_node<T>>& nodes, std::unordered_map<std::string, int>& seen,
                  std::vector<int>& memo) {
        const program_table<T>& t = *t_;
        const auto uk = static_cast<std::size_t>(k);
        const expr_info& e = *t.node[uk];
        if (!e.stateful && memo[uk] >= 0) return memo[uk];  // no literal inside: one listed node
        listed_node<T> entry{k, {-1, -1, -1, -1}, p, num[uk]};
        std::string key(reinterpret_cast<const char*>(&k), sizeof(int));
        if (e.kind == expr_kind::literal) {
            entry.value = static_cast<T>(e.read(p));
            key.append(reinterpret_cast<const char*>(&entry.value), sizeof(T));
        } else if (e.kind == expr_kind::node) {
            for (std::size_t i = 0; i < e.arity; ++i)
                entry.ids[i] = list_node(t.operand[uk][i], p + e.offset[i], nodes, seen, memo);
            key.append(reinterpret_cast<const char*>(entry.ids.data()), sizeof(entry.ids));
        }
        int id;
        if (auto it = seen.find(key); it != seen.end()) {
            id = it->second;
        } else {
            id = static_cast<int>(nodes.size());
            nodes.push_back(entry);
            seen.emplace(std::move(key), id);
        }
        if (!e.stateful) memo[uk] = id;
        return id;
    }

    struct region_plan {
        bool fused = true;
        std::size_t elements = 0;  ///< the region's element count (all the rows)
        std::vector<T*> expand;    ///< per input: its copy expanded to the region's shape, or null
        std::vector<bool> sliced;  ///< per input: a full-size array read at the block's rows
        std::vector<const T*> in;  ///< (the fused loop's arguments, set before each call)
        std::vector<T> in_num;
        std::vector<T*> out;
        std::vector<accumulator_t<T>> sums;
        // what a call reads, found once by plan(): (argument, node) of the inputs that are
        // numbers, of those that are arrays, of the members that are stored; the sinks' nodes
        std::vector<std::pair<std::size_t, std::size_t>> number_in, array_in, stored;
        std::vector<std::size_t> sink_node;
    };

    /// Storage for the table's nodes: constants' values, one slot per node.
    void storage() {
        const program_table<T>& t = *t_;
        const std::size_t N = t.size;
        num.assign(N, T(0));
        slots.assign(N, slot<T>{});
        node.assign(N, nullptr);
        total_.assign(N, 0);
        scale_.assign(N, 1);
        rows_flag_.assign(N, 0);
        local_extent_.assign(N, npos);
        outputs.resize(t.roots);
        if (!listed_) {
            symbol_id.resize(N);
            for (std::size_t k = 0; k < N; ++k) symbol_id[k] = static_cast<int>(k);
        }
        for (auto& steps : group_steps_) steps.clear();
        for (std::size_t i = 0; i < t.steps; ++i)
            group_steps_[static_cast<std::size_t>(t.step_list[i].in)].push_back(i);
        for (std::size_t k = 0; k < N; ++k) {
            rows_flag_[k] = t.place[k] == placement::rows;
            if (t.node[k]->kind == expr_kind::constant)
                num[k] = static_cast<T>(t.node[k]->num) / static_cast<T>(t.node[k]->den);
        }
        planned_ = false;
    }

    store<T> make_store() {
        return {num.data(), slots.data(),     total_.data(), scale_.data(), {t_->node, t_->operand},
                false,      rows_flag_.data()};
    }

    std::size_t reserve(std::size_t n) {
        const std::size_t at = words_;
        words_ += (n + 15) / 16 * 16;  // 64-byte granules
        return at;
    }

    const shape_type& region_shape(std::size_t r) const {
        const program_table<T>& t = *t_;
        const int mb = t.member_begin[r];
        return mb == t.member_begin[r + 1] ? slots[sink_source(t.sink_begin[r])].shape
                                           : slots[static_cast<std::size_t>(t.member[mb])].shape;
    }
    std::size_t sink_source(int q) const { return static_cast<std::size_t>(t_->sink_source[t_->sink[q]]); }

    bool is_root_output(std::size_t k) const {
        const program_table<T>& t = *t_;
        for (std::size_t r = 0; r < t.roots; ++r)
            if (root_id(r) == k) return !t.number[k] && t.node[k]->kind == expr_kind::node;
        return false;
    }

    /// Blocks of rows: every rows node must have the rows as its leading axis (and its rows
    /// operands theirs), every local operation must agree; else one block.
    void plan_blocks() {
        const program_table<T>& t = *t_;
        const std::size_t N = t.size;
        blocks_ = 1;
        block_rows_ = rows_n_ = row_begin_ = row_end_ = 0;
        blocked_ = false;
        reduce_tmp_.clear();
        if (shared_ && listed_)
            throw std::invalid_argument(
                "this program cannot share its rows across processes: two occurrences of one subexpression hold "
                "different runtime numbers (such as 0.5 * x and 2.0 * x), so it runs node by node over all the rows "
                "at once; write such numbers as exact constants (exact<1, 2>) or bind them to symbols");
        if (shared_ && !t.has_rows)
            throw std::invalid_argument(
                "a program whose rows are shared across processes needs symbols that hold rows of data: "
                "compile(rows(x, y), ...)");
        if (shared_ && !t.blockable)
            throw std::invalid_argument(
                "this program cannot share its rows across processes: a computation over the rows reads a sum over "
                "the rows (it needs the data twice), or an operation needs all the rows at once");
        if (!t.blockable || !t.has_rows) return;
        std::size_t n = 0, bytes = 0;
        bool ok = true;
        store<T> s = make_store();
        for (std::size_t k = 0; k < N && ok; ++k) {
            if (!t.needed[k] && t.node[k]->kind != expr_kind::symbol) continue;
            if (t.place[k] != placement::rows) continue;
            const shape_type& sh = slots[k].shape;
            if (sh.empty()) {
                ok = false;
                break;
            }
            if (n == 0) n = sh[0];
            if (sh[0] != n) ok = false;
            if (t.node[k]->kind == expr_kind::symbol)
                bytes += count_of(sh) / std::max<std::size_t>(1, sh[0]) * sizeof(T);
            if (t.node[k]->kind != expr_kind::node) continue;
            const int* ids = t.operand[k].data();
            const bool elementwise = t.node[k]->op->elementwise;
            for (std::size_t i = 0; i < t.node[k]->arity; ++i) {
                const auto j = static_cast<std::size_t>(ids[i]);
                const bool sliced = elementwise ? t.place[j] == placement::rows : (t.sliced[k] >> i & 1u);
                if (elementwise && !sliced && !t.number[j]) {
                    // an array with one entry per row that is not in rows(...) (a weight per example
                    // of shape (n, 1) against rows of shape (n, 3)): each block would read its first
                    // rows. Such a program runs over all the rows at once.
                    const shape_type& js = slots[j].shape;
                    if (js.size() == sh.size() && !js.empty() && js[0] == sh[0] && sh[0] > 1 && js != sh) ok = false;
                }
                if (!sliced) continue;
                const shape_type& js = slots[j].shape;
                if (js.empty() || js[0] != n) ok = false;
                if (elementwise && js.size() != sh.size()) ok = false;  // the rows axis stays axis 0
            }
            if (!elementwise && t.kernel[k].local && !t.kernel[k].local(s, k, ids, node[k])) ok = false;
        }
        for (std::size_t k = 0; k < N && ok; ++k) {  // reductions: sliced operands have the rows
            if (!t.needed[k] || t.place[k] != placement::reduce) continue;
            for (std::size_t i = 0; i < t.node[k]->arity; ++i) {
                if (!(t.sliced[k] >> i & 1u)) continue;
                const shape_type& js = slots[static_cast<std::size_t>(t.operand[k][i])].shape;
                if (js.empty() || js[0] != n) ok = false;
            }
        }
        if (shared_ && !ok)
            throw shape_error(
                "the rows are shared across processes, but not every array computed from them has the rows as its "
                "first axis");
        if (!ok || n == 0) return;
        const std::size_t rows = bytes == 0 ? n : std::max<std::size_t>(16, block_bytes / bytes / 16 * 16);
        if (shared_) {  // this process's rows only, in blocks (perhaps none)
            rows_n_ = n;
            block_rows_ = std::min(rows, n);
            blocked_ = true;
            share_blocks();
            return;
        }
        if (rows >= n) return;
        rows_n_ = n;
        block_rows_ = rows;
        row_end_ = n;
        blocked_ = true;
        blocks_ = (n + rows - 1) / rows;
    }

    /// This process's rows (share_) in blocks of block_rows_: [row_begin_, row_end_), perhaps none.
    void share_blocks() {
        row_begin_ = share_.first;
        row_end_ = share_.first + share_.local;
        blocks_ = (share_.local + block_rows_ - 1) / block_rows_;
    }

    /// Points the rows nodes at rows [r0, r1).
    void set_block(std::size_t r0, std::size_t r1) {
        const program_table<T>& t = *t_;
        first_block_ = r0 == 0;
        for (std::size_t k = 0; k < t.size; ++k) {
            if (t.place[k] != placement::rows) continue;
            slot<T>& sl = slots[k];
            if (sl.shape.empty()) continue;
            const std::size_t width = count_of(sl.shape) / rows_n_;
            sl.block = sl.shape;
            sl.block[0] = r1 - r0;
            const bool whole_buffer = t.node[k]->kind != expr_kind::node || is_root_output(k) ||
                                      (t.region_of[k] >= 0 && !region_[static_cast<std::size_t>(t.region_of[k])].fused);
            // (a symbol's data are this process's rows, from row_begin_; a node's whole buffer has all the rows)
            const std::size_t at = t.node[k]->kind == expr_kind::symbol ? r0 - row_begin_ : r0;
            sl.block_data = sl.data ? sl.data + (whole_buffer ? at * width : 0) : nullptr;
            sl.block_own = sl.own ? sl.own + (whole_buffer ? r0 * width : 0) : nullptr;
        }
        block_r0_ = r0;
        block_r1_ = r1;
    }

    void run_group(group g, store<T>& s) {
        const program_table<T>& t = *t_;
        for (const std::size_t i : group_steps_[static_cast<std::size_t>(g)]) {
            const step& st = t.step_list[i];
            switch (st.kind) {
                case step_kind::number:
                    for (int j = t.run_begin[st.id]; j < t.run_begin[st.id + 1]; ++j) {
                        const auto k = static_cast<std::size_t>(t.number_node[j]);
                        num[k] = t.kernel[k].number(num.data(), t.operand[k].data());
                    }
                    break;
                case step_kind::region: run_region(static_cast<std::size_t>(st.id), s); break;
                case step_kind::structural: run_structural(static_cast<std::size_t>(st.id), s); break;
                case step_kind::node: run_node(static_cast<std::size_t>(st.id), s); break;
            }
        }
    }

    void run_structural(std::size_t k, store<T>& s) {
        const program_table<T>& t = *t_;
        counters().structural += 1;
        counters().count(t.node[k]->op->name);
        const int* ids = t.operand[k].data();
        if (t.place[k] == placement::reduce && !t.number[k] && blocked_) {
            // a reduction over the rows of an array: each block adds its part
            slot<T>& sl = slots[k];
            T* whole = sl.own;
            sl.own = tmp_[k];
            t.kernel[k].compute(s, k, ids, node[k]);
            sl.own = whole;
            const std::size_t n = count_of(sl.shape);
            if (first_block_) std::copy(tmp_[k], tmp_[k] + n, whole);
            else
                for (std::size_t i = 0; i < n; ++i) whole[i] += tmp_[k][i];
            return;
        }
        if (t.sink_factor && t.sink_factor[k] >= 0) {  // the sink summed v of c * v
            counters().scaled_sums += 1;
            total_[k] *= static_cast<accumulator_t<T>>(num[static_cast<std::size_t>(t.sink_factor[k])]);
        }
        t.kernel[k].compute(s, k, ids, node[k]);
    }

    /// A node on its own (the listed program): sinks sum their operand first.
    void run_node(std::size_t k, store<T>& s) {
        const program_table<T>& t = *t_;
        const node_kernel<T>& kn = t.kernel[k];
        const int* ids = t.operand[k].data();
        if (t.node[k]->op->elementwise) {
            if (t.number[k]) num[k] = kn.number(num.data(), ids);
            else kn.broadcast(s, k, ids, kn.number_mask);
            return;
        }
        const auto a = static_cast<std::size_t>(ids[0]);
        if (kn.sink && !t.number[a]) total_[k] = sum_of(slots[a].data, count_of(slots[a].shape));
        run_structural(k, s);
    }

    void run_region(std::size_t r, store<T>& s) {
        const program_table<T>& t = *t_;
        region_plan& rp = region_[r];
        if (!rp.fused) {
            counters().node_loops += 1;
            for (int m = t.member_begin[r]; m < t.member_begin[r + 1]; ++m) {
                const auto k = static_cast<std::size_t>(t.member[m]);
                t.kernel[k].broadcast(s, k, t.operand[k].data(), t.kernel[k].number_mask);
            }
            for (int q = t.sink_begin[r]; q < t.sink_begin[r + 1]; ++q) {
                const array_ref<const T> v = view_of(s, sink_source(q));
                total_[static_cast<std::size_t>(t.sink[q])] += sum_of(v.data, v.size());
            }
            return;
        }
        counters().fused_loops += 1;
        const bool block = s.blocks && t.region_group[r] == group::block;
        // the inputs: numbers, arrays (this block's rows, or an expanded copy), full-size arrays
        // read at this block's rows
        for (const auto& [j, k] : rp.number_in) rp.in_num[j] = num[k];
        for (const auto& [j, k] : rp.array_in) {
            if (T* e = rp.expand[j]) {
                // an input with rows changes with the block; another is the same for every block
                if (!block || first_block_ || t.place[k] == placement::rows) expand_input(s, k, e, r, block);
                rp.in[j] = e;
            } else if (block && rp.sliced[j]) {
                rp.in[j] = slots[k].data + block_r0_ * (count_of(slots[k].shape) / rows_n_);
            } else {
                rp.in[j] = view_of(s, k).data;
            }
        }
        for (const auto& [j, k] : rp.stored) rp.out[j] = out_of(s, k).data;
        const std::size_t n = block ? rp.elements / rows_n_ * (block_r1_ - block_r0_) : rp.elements;
        t.fused[r](rp.in.data(), rp.in_num.data(), rp.out.data(), n, rp.sums.data());
        for (std::size_t q = 0; q < rp.sums.size(); ++q) total_[rp.sink_node[q]] += rp.sums[q];
    }

    /// An input of another shape broadcast into the region's shape (in a blocked run, one block of
    /// rows of it: this block's for an input with rows, else the longest block's).
    void expand_input(store<T>& s, std::size_t k, T* dst, std::size_t r, bool block) {
        shape_type to = region_shape(r);
        if (block) to[0] = t_->place[k] == placement::rows ? block_r1_ - block_r0_ : block_rows_;
        const array_ref<const T> v = view_of(s, k);
        expand(v.data, shape_type(v.dims, v.dims + v.rank), dst, to);
    }

    const program_table<T>* t_;
    std::unique_ptr<listed_program<T>> listed_;
    std::vector<accumulator_t<T>> total_, scale_;
    std::vector<unsigned char> rows_flag_;
    std::array<std::vector<std::size_t>, 3> group_steps_;  ///< the steps of each group, in order
    std::vector<region_plan> region_;
    std::vector<std::size_t> reduce_tmp_;
    std::vector<T*> tmp_;
    std::vector<T> workspace_;
    std::size_t words_ = 0;
    bool planned_ = false;
    bool array_results_ = false;  ///< some result is an array (in outputs): refuse_result_as_input looks
    std::size_t blocks_ = 1, block_rows_ = 0, rows_n_ = 0, block_r0_ = 0, block_r1_ = 0;
    std::size_t row_begin_ = 0, row_end_ = 0;  ///< the rows this process runs: [row_begin_, row_end_)
    bool blocked_ = false;                     ///< the rows run in blocks (perhaps one, or none)
    bool first_block_ = true;
    // rows shared across processes (share_rows)
    collective* shared_ = nullptr;
    std::vector<std::uint64_t> shared_counts_;  ///< every process's rows, at the last plan
    row_share share_;                           ///< this process's rows among all, at the last plan
    std::vector<std::size_t> local_extent_;     ///< symbols with rows: their bound first extent
    std::vector<accumulator_t<T>> shared_sums_;
    // groups of blocks and threads
    std::size_t threads_ = 1, groups_ = 1, reduce_words_ = 0;
    bool allow_row_broadcast_ = false;
    std::vector<std::size_t> block_local_;            ///< nodes whose buffer holds one block of rows
    std::vector<accumulator_t<T>> group_total_;       ///< per group, the sums of its blocks
    std::vector<T*> reduce_whole_;                    ///< per reduction over rows: its result
    std::vector<std::size_t> reduce_offset_;          ///< ... and its offset in a group's part
    std::vector<T> group_reduce_;                     ///< groups 1.. : their parts of the reductions
    std::vector<std::unique_ptr<executor>> workers_;  ///< per helper thread: its executor
    std::vector<std::exception_ptr> errors_;          ///< per thread: what it threw
    std::unique_ptr<thread_team> team_;               ///< the helper threads, kept between passes
};

#ifdef SYMDIFF_PRECOMPILED
// Compiled once, in src/precompiled.cpp (CMake target symdiff::precompiled), instead of in every
// file that evaluates an expression. All files of a program must then be compiled for the same
// instruction set (the executor's SIMD kernels are sized by it).
extern template class executor<float>;
extern template class executor<double>;
#endif

}  // namespace symdiff::detail
