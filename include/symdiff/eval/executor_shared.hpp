#pragma once
// The executor with rows shared across processes (eval/executor.hpp): every process runs its own
// rows, the sums over rows are added across the processes (one collective sum per run), and a
// failure on one process is raised on all of them.
#include "executor.hpp"

namespace symdiff::detail {

template <class T>
void executor<T>::refuse_result_as_input(std::size_t id, const T* data, std::size_t size) const {
    if (!array_results_) return;
    const std::less<const T*> before;
    for (const xt::xarray<T>& out : outputs)
        if (size > 0 && out.size() > 0 && !before(data, out.data()) && before(data, out.data() + out.size()))
            throw std::invalid_argument("'" + std::string(t_->node[id]->name) +
                                        "' is bound to an array this program returned, which this call "
                                        "overwrites: bind a copy (xt::xarray<double> copy = std::get<0>(step(...)); "
                                        "step(..., " +
                                        std::string(t_->node[id]->name) + " = copy))");
}

template <class T>
void executor<T>::execute_shared(bool shapes_changed, void (*stage)(void*), void* context) {
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

template <class T>
std::uint64_t executor<T>::local_rows() const {
    const program_table<T>& t = *t_;
    std::size_t n = npos, first = 0;
    for (std::size_t k = 0; k < t.size; ++k) {
        if (t.node[k]->kind != expr_kind::symbol || t.place[k] != placement::rows || slots[k].shape.empty()) continue;
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

template <class T>
void executor<T>::spread_rows(const row_share& share) {
    const program_table<T>& t = *t_;
    share_ = share;
    const std::size_t all = share_.all;
    for (std::size_t k = 0; k < t.size; ++k) {
        if (t.node[k]->kind != expr_kind::symbol || t.place[k] != placement::rows || slots[k].shape.empty()) continue;
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

template <class T>
void executor<T>::combine_shared(const shared_failure& mine) {
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

}  // namespace symdiff::detail
