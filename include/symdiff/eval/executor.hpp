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
    void bind(const void* const* roots);

    /// Runs the listed program from now on: `nodes` in post-order, `roots` their ids.
    void use_listing(const std::vector<listed_node<T>>& nodes, std::vector<int> roots);

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
    void refuse_result_as_input(std::size_t id, const T* data, std::size_t size) const;

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
    void execute_shared(bool shapes_changed, void (*stage)(void*), void* context);

private:
    static constexpr std::size_t npos = static_cast<std::size_t>(-1);

    /// The rows this process holds: the first extent of its symbols with rows (they must agree).
    std::uint64_t local_rows() const;

    /// Gives the symbols with rows the rows of all the processes, and this process its range.
    void spread_rows(const row_share& share);

    /// Adds the processes' sums over rows; raises the first failure if any process failed.
    void combine_shared(const shared_failure& mine);

public:
    // ---- planning -----------------------------------------------------------------------------

    /// Every node's shape, blocks of rows, regions, the workspace, the outputs. The symbols'
    /// shapes (and in-place data) are in their slots.
    void plan();

    /// The groups of blocks, each group's parts of the sums and reductions, and the helpers that
    /// run groups on other threads.
    void plan_groups();

    /// An elementwise node whose result is larger than each of its operands with rows, because two
    /// of them broadcast against each other: a prediction of shape (n, 1) minus a target of shape
    /// (n) gives (n, n) — almost always a mistake (PyTorch's MSELoss warns about it).
    void check_row_broadcast(store<T>& s, std::size_t k) const;

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
    void run_blocks();

    /// Runs the groups first, first + stride, ... of `main`'s pass (on this executor).
    void run_groups(executor& main, std::size_t first, std::size_t stride, std::exception_ptr& error);

    void run_group_of_blocks(executor& main, std::size_t g);

    // ---- execution ----------------------------------------------------------------------------

    void execute() {
        execute_rows();
        execute_post();
    }

    /// The `pre` steps and the pass over the rows: after it, the sums over the rows (sinks'
    /// totals, reductions of arrays) hold this process's rows only, until combine_shared().
    void execute_rows();

    /// The `post` steps (what reads the sums over rows) and the array results.
    void execute_post();

private:
    const void* address(const void* const* roots, std::size_t k) const {
        return static_cast<const char*>(roots[t_->root_of[k]]) + t_->offset[k];
    }

    /// Literal values into num[], following the occurrence at p of node k (only into subtrees
    /// that hold literals); `agree` turns false when an occurrence differs from the first.
    void read_literals(int k, const char* p, std::vector<unsigned char>& seen, bool& agree);

    /// Lists the roots' nodes, sharing (node, operands, literal value): post-order, operands first.
    void list_by_value(const void* const* roots);
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
    void storage();

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
    void plan_blocks();

    /// This process's rows (share_) in blocks of block_rows_: [row_begin_, row_end_), perhaps none.
    void share_blocks();

    /// Points the rows nodes at rows [r0, r1).
    void set_block(std::size_t r0, std::size_t r1);

    void run_group(group g, store<T>& s);

    void run_structural(std::size_t k, store<T>& s);

    /// A node on its own (the listed program): sinks sum their operand first.
    void run_node(std::size_t k, store<T>& s);

    void run_region(std::size_t r, store<T>& s);

    /// An input of another shape broadcast into the region's shape (in a blocked run, one block of
    /// rows of it: this block's for an input with rows, else the longest block's).
    void expand_input(store<T>& s, std::size_t k, T* dst, std::size_t r, bool block);

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
    bool array_results_ = false;  ///< some root is an array (from the table): refuse_result_as_input looks
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

}  // namespace symdiff::detail

// The member functions, defined outside the class so that a file which declares the
// instantiations extern (SYMDIFF_PRECOMPILED, below) does not compile them again.
#include "executor_plan.hpp"
#include "executor_run.hpp"
#include "executor_shared.hpp"

namespace symdiff::detail {

#ifdef SYMDIFF_PRECOMPILED
// Compiled once, in src/precompiled.cpp (CMake target symdiff::precompiled), instead of in every
// file that evaluates an expression. All files of a program must then be compiled for the same
// instruction set (the executor's SIMD kernels are sized by it).
extern template class executor<float>;
extern template class executor<double>;
#endif

}  // namespace symdiff::detail
