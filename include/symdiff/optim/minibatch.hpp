#pragma once
// The data of one training step: a minibatch's arrays, filled in place with chosen rows of the
// data, whose views have the types of the whole data's views so that one compiled step program
// runs on either; and the call of a compiled program on the parameters and those views.
#include <algorithm>
#include <cstddef>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/concat.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xview.hpp>

#include "../core/fixed_string.hpp"
#include "../core/symbol.hpp"
#include "../detail/values.hpp"
#include "../eval/schedule.hpp"
#include "bindings.hpp"

namespace symdiff::detail {

/// The data symbols that hold arrays of rows (not numbers, not fixed(...)).
template <class Rows, class... Ds>
struct array_rows {
    using type = Rows;
};
template <fixed_string... Names, class D, class... Ds>
struct array_rows<rows_of<Names...>, D, Ds...>
    : array_rows<
          std::conditional_t<is_number<decltype(std::declval<D>().value)> || is_fixed<std::remove_cvref_t<D>>::value,
                             rows_of<Names...>, rows_of<Names..., std::remove_cvref_t<D>::name>>,
          Ds...> {};

/// Runs a compiled program on the parameters and data views; a std::tuple of its values.
template <class Program, class P, class Views>
auto run_program(Program& program, const P& p, const Views& views) {
    return boost::hana::unpack(boost::hana::concat(p.views(), views), [&](const auto&... b) { return program(b...); });
}

/// A minibatch's bindings for `d`: every array of rows becomes an owned array (of the same type
/// when it is contiguous) that gather_rows fills; numbers and fixed values are passed through, so
/// the views of a batch have the types of the views of the whole data (the step is compiled once).
template <class... Bs>
auto batch_of(const data_set<Bs...>& d) {
    auto rows = boost::hana::transform(d.bindings, [&](const auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        using V = std::remove_cvref_t<decltype(b.value)>;
        if constexpr (std::is_arithmetic_v<V>) {
            return binding<B::name, V>{b.value};
        } else if constexpr (is_fixed<B>::value) {
            return fixed_binding<B::name, const V&>{b.value};
        } else {
            using C = std::conditional_t<is_row_major_array<V>::value, V, xt::xarray<typename V::value_type>>;
            return binding<B::name, C>{C{}};
        }
    });
    return boost::hana::unpack(std::move(rows),
                               [](auto... b) { return data_set<decltype(b)...>{boost::hana::make_tuple(b...)}; });
}

/// Copies the rows `idx` of every array of rows of `d` into `batch` (made by batch_of(d)): in
/// place, row by row for contiguous arrays (reallocated only when the number of rows changes).
template <class... Bs, class Batch>
void gather_rows(const data_set<Bs...>& d, const std::vector<std::size_t>& idx, Batch& batch) {
    boost::hana::for_each(
        boost::hana::make_range(boost::hana::size_c<0>, boost::hana::size_c<sizeof...(Bs)>), [&](auto i) {
            const auto& from = boost::hana::at(d.bindings, i);
            auto& to = boost::hana::at(batch.bindings, i);
            using B = std::remove_cvref_t<decltype(from)>;
            using V = std::remove_cvref_t<decltype(from.value)>;
            if constexpr (std::is_arithmetic_v<V> || is_fixed<B>::value) {
                return;
            } else if constexpr (is_row_major_array<V>::value) {
                auto shape = from.value.shape();
                const std::size_t row = from.value.size() / shape[0];
                shape[0] = idx.size();
                if (!std::equal(shape.begin(), shape.end(), to.value.shape().begin(), to.value.shape().end()))
                    to.value.resize(shape);
                const auto* src = from.value.data();
                auto* dst = to.value.data();
                for (std::size_t r = 0; r < idx.size(); ++r) std::copy_n(src + idx[r] * row, row, dst + r * row);
            } else {
                to.value = xt::view(from.value, xt::keep(idx));
            }
        });
}

}  // namespace symdiff::detail
