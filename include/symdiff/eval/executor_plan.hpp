#pragma once
// The executor's planning (eval/executor.hpp): the storage for a program's table, every node's
// shape, the blocks of rows and their groups, the regions' buffers and the workspace; and the
// program listed at run time, from the literals in the roots.
#include "executor.hpp"

namespace symdiff::detail {

template <class T>
void executor<T>::bind(const void* const* roots) {
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

template <class T>
void executor<T>::use_listing(const std::vector<listed_node<T>>& nodes, std::vector<int> roots) {
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

template <class T>
void executor<T>::plan() {
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
        offset[k] = reserve(block_only ? count_of(slots[k].shape) / rows_n_ * block_rows_ : count_of(slots[k].shape));
        if (block_only) block_local_.push_back(k);
    }
    // reductions of arrays over the rows: each block's part goes to a temporary, then adds up
    for (std::size_t k = 0; k < N && blocked_; ++k)
        if (t.needed[k] && !t.number[k] && t.place[k] == placement::reduce) reduce_tmp_.push_back(k);
    std::vector<std::size_t> tmp_offset(N, npos);
    for (std::size_t k : reduce_tmp_) tmp_offset[k] = reserve(count_of(slots[k].shape));
    workspace_.assign(words_, T(0));
    for (std::size_t r = 0; r < t.roots; ++r) {
        const std::size_t k = root_id(r);
        if (t.number[k]) continue;
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

template <class T>
void executor<T>::plan_groups() {
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

template <class T>
void executor<T>::check_row_broadcast(store<T>& s, std::size_t k) const {
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

template <class T>
void executor<T>::read_literals(int k, const char* p, std::vector<unsigned char>& seen, bool& agree) {
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

template <class T>
void executor<T>::list_by_value(const void* const* roots) {
    const program_table<T>& t = *t_;
    std::vector<listed_node<T>> nodes;
    std::unordered_map<std::string, int> seen;
    std::vector<int> memo(t.size, -1), root_ids;
    for (std::size_t r = 0; r < t.roots; ++r)
        root_ids.push_back(
            list_node(static_cast<int>(root_id(r)), static_cast<const char*>(roots[r]), nodes, seen, memo));
    use_listing(nodes, std::move(root_ids));
}

template <class T>
void executor<T>::storage() {
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
    array_results_ = false;
    for (std::size_t r = 0; r < t.roots; ++r) array_results_ = array_results_ || !t.number[root_id(r)];
    if (!listed_) {
        symbol_id.resize(N);
        for (std::size_t k = 0; k < N; ++k) symbol_id[k] = static_cast<int>(k);
    }
    for (auto& steps : group_steps_) steps.clear();
    for (std::size_t i = 0; i < t.steps; ++i) group_steps_[static_cast<std::size_t>(t.step_list[i].in)].push_back(i);
    for (std::size_t k = 0; k < N; ++k) {
        rows_flag_[k] = t.place[k] == placement::rows;
        if (t.node[k]->kind == expr_kind::constant)
            num[k] = static_cast<T>(t.node[k]->num) / static_cast<T>(t.node[k]->den);
    }
    planned_ = false;
}

template <class T>
void executor<T>::plan_blocks() {
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
        if (t.node[k]->kind == expr_kind::symbol) bytes += count_of(sh) / std::max<std::size_t>(1, sh[0]) * sizeof(T);
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

template <class T>
void executor<T>::share_blocks() {
    row_begin_ = share_.first;
    row_end_ = share_.first + share_.local;
    blocks_ = (share_.local + block_rows_ - 1) / block_rows_;
}

}  // namespace symdiff::detail
