#pragma once
// The executor's runs (eval/executor.hpp): the `pre` steps, the blocks of rows (in groups, on the
// thread team), the `post` steps; each step a run of number nodes, a region's fused loop or a
// structural node. The functions of one step are `inline`, so that the loop over the steps can
// take them in: a file that declares the executor extern (SYMDIFF_PRECOMPILED) never reaches them.
#include "executor.hpp"

namespace symdiff::detail {

template <class T>
void executor<T>::run_blocks() {
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

template <class T>
void executor<T>::run_groups(executor& main, std::size_t first, std::size_t stride, std::exception_ptr& error) {
    try {
        for (std::size_t g = first; g < main.groups_; g += stride) run_group_of_blocks(main, g);
    } catch (...) {
        error = std::current_exception();
    }
}

template <class T>
void executor<T>::run_group_of_blocks(executor& main, std::size_t g) {
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

template <class T>
void executor<T>::execute_rows() {
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

template <class T>
void executor<T>::execute_post() {
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

template <class T>
void executor<T>::set_block(std::size_t r0, std::size_t r1) {
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

template <class T>
void executor<T>::run_group(group g, store<T>& s) {
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

template <class T>
inline void executor<T>::run_structural(std::size_t k, store<T>& s) {
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

template <class T>
inline void executor<T>::run_node(std::size_t k, store<T>& s) {
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

template <class T>
inline void executor<T>::run_region(std::size_t r, store<T>& s) {
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

template <class T>
void executor<T>::expand_input(store<T>& s, std::size_t k, T* dst, std::size_t r, bool block) {
    shape_type to = region_shape(r);
    if (block) to[0] = t_->place[k] == placement::rows ? block_r1_ - block_r0_ : block_rows_;
    const array_ref<const T> v = view_of(s, k);
    expand(v.data, shape_type(v.dims, v.dims + v.rank), dst, to);
}

}  // namespace symdiff::detail
