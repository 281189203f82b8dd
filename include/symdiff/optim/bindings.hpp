#pragma once
// Parameter and data sets for the optimisation driver.
//
// `params(w = 0.0, a = A0)` copies the initial values: the driver owns and updates its copy, the
// user's arrays are never written. `data(x = X, y = Y)` keeps references to lvalue arrays: data
// is only read, and copying a large data set for every call would be waste.
//
// Data arrays hold one row per example (their first axis): minibatches take rows of each. A value
// that is not one row per example (a prior mean, a fixed matrix) is marked `fixed(mu = M)`: the
// driver reads it whole at every step.
#include <cmath>
#include <cstddef>
#include <string>
#include <type_traits>

#include <boost/hana/at.hpp>
#include <boost/hana/concat.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/tuple.hpp>
#include <boost/hana/unpack.hpp>
#include <xsimd/xsimd.hpp>
#include <xtensor/xexpression.hpp>
#include <xtensor/xexpression_traits.hpp>

#include "../core/shape.hpp"
#include "../core/symbol.hpp"
#include "../eval/bindings.hpp"
#include "../eval/schedule.hpp"

namespace symdiff {

namespace errors {
template <fixed_string Name>
struct not_a_parameter {
    static_assert(Name.size() == 0,
                  "fit[...] / params[...]: this symbol is not one of the parameters of params(...) (its name is "
                  "in this template's argument)");
    static constexpr bool value = false;
};
}  // namespace errors

/// Values the optimiser changes: one owned value (a number or an xtensor container) per symbol.
template <class... Bs>
struct parameter_set {
    boost::hana::tuple<Bs...> bindings;

    /// The current value of a parameter: `p[w]`.
    template <fixed_string Name>
    const auto& operator[](symbol_t<Name>) const {
        if constexpr (!has<Name>()) static_assert(errors::not_a_parameter<Name>::value);
        return detail::lookup<Name>(bindings);
    }
    template <fixed_string Name>
    auto& operator[](symbol_t<Name>) {
        if constexpr (!has<Name>()) static_assert(errors::not_a_parameter<Name>::value);
        return const_cast<std::remove_cvref_t<decltype(detail::lookup<Name>(bindings))>&>(
            detail::lookup<Name>(bindings));
    }
    template <fixed_string Name>
    static constexpr bool has() {
        return detail::count_bindings<Name, Bs...>() > 0;
    }

    static constexpr std::size_t size = sizeof...(Bs);

    /// Bindings that refer to the current values, for evaluate.
    auto views() const {
        return boost::hana::transform(bindings, [](const auto& b) {
            using B = std::remove_cvref_t<decltype(b)>;
            using V = decltype(b.value);
            if constexpr (std::is_arithmetic_v<V>) return b;
            else return binding<B::name, const V&>{b.value};
        });
    }
};

/// A data value read whole at every step: not split into minibatches, not counted as rows.
template <fixed_string Name, class V>
struct fixed_binding {
    static constexpr auto name = Name;
    V value;
};

/// Marks a data value that is not one row per example: `data(x = X, fixed(mu = M))`.
template <Binding B>
auto fixed(B&& b) {
    return fixed_binding<std::remove_cvref_t<B>::name, decltype(b.value)>{b.value};
}

namespace detail {
template <class B>
struct is_fixed : std::false_type {};
template <fixed_string Name, class V>
struct is_fixed<fixed_binding<Name, V>> : std::true_type {};
template <class B>
concept DataBinding = Binding<B> || is_fixed<std::remove_cvref_t<B>>::value;
}  // namespace detail

/// Values that are read only (inputs, targets): references to the user's arrays.
template <class... Bs>
struct data_set {
    boost::hana::tuple<Bs...> bindings;

    /// Plain bindings for evaluate: arrays by const reference, numbers by value.
    auto views() const {
        return boost::hana::transform(bindings, [](const auto& b) {
            using B = std::remove_cvref_t<decltype(b)>;
            using V = std::remove_cvref_t<decltype(b.value)>;
            if constexpr (std::is_arithmetic_v<V>) return binding<B::name, V>{b.value};
            else return binding<B::name, const V&>{b.value};
        });
    }
};

namespace detail {
template <class T>
inline constexpr bool is_parameter_set = false;
template <class... Ps>
inline constexpr bool is_parameter_set<parameter_set<Ps...>> = true;
template <class T>
inline constexpr bool is_data_set = false;
template <class... Ds>
inline constexpr bool is_data_set<data_set<Ds...>> = true;
}  // namespace detail

namespace detail {
/// What a parameter's initial value is kept as: a number or an array as given, and an xtensor
/// expression (`a = xt::zeros<double>({3})`, a view of a matrix) as the array it evaluates to.
template <class V>
struct parameter_storage {
    using type = V;
};
template <class V>
requires(!std::is_arithmetic_v<V> && xt::is_xexpression<V>::value &&
         !std::is_same_v<xt::temporary_type_t<V>, V>) struct parameter_storage<V> {
    using type = xt::temporary_type_t<V>;
};
template <class V>
using parameter_storage_t = typename parameter_storage<std::remove_cvref_t<V>>::type;
}  // namespace detail

/// The parameters to optimise with their initial values: `params(w = 0.0, b = 0.0)`. An array's
/// initial value may be any xtensor expression (`a = xt::zeros<double>({3})`): it is evaluated once.
template <Binding... Bs>
auto params(Bs&&... bs) {
    detail::check_values<std::remove_cvref_t<Bs>...>();
    static_assert((std::is_floating_point_v<typename detail::element_type<decltype(bs.value)>::type> && ...),
                  "params: initial values must be floating point (write w = 0.0, not w = 0): an integer "
                  "parameter could not move by a fractional step");
    return parameter_set<binding<std::remove_cvref_t<Bs>::name, detail::parameter_storage_t<decltype(bs.value)>>...>{
        boost::hana::make_tuple(binding<std::remove_cvref_t<Bs>::name, detail::parameter_storage_t<decltype(bs.value)>>{
            detail::parameter_storage_t<decltype(bs.value)>(bs.value)}...)};
}

/// The data the loss reads: `data(x = X, y = Y)`, `data(x = X, fixed(mu = M))`.
template <detail::DataBinding... Bs>
auto data(Bs&&... bs) {
    detail::check_values<std::remove_cvref_t<Bs>...>();
    return data_set<std::remove_cvref_t<Bs>...>{boost::hana::make_tuple(bs...)};
}

namespace detail {

/// Calls `f(value, index)` for every element of a number or an xtensor container.
template <class V, class F>
void for_each_entry(V& v, F&& f) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<V>>) {
        f(v, std::size_t{0});
    } else {
        std::size_t i = 0;
        for (auto& e : v) f(e, i++);
    }
}

template <class V>
std::size_t entry_count(const V& v) {
    if constexpr (std::is_arithmetic_v<V>) return 1;
    else return v.size();
}

/// A parameter named `loss` would be written to `loss.npy`, where a saved run keeps its loss history.
template <class P>
inline constexpr bool has_parameter_named_loss = false;
template <class... Ps>
inline constexpr bool has_parameter_named_loss<parameter_set<Ps...>> = ((Ps::name.view() == "loss") || ...);

/// `w`, or `a[3]` / `W[(2, 7)]` for an entry of an array.
template <class V>
std::string entry_name(std::string_view symbol, const V& v, std::size_t flat) {
    std::string s(symbol);
    if constexpr (!std::is_arithmetic_v<V>) {
        const auto& shape = v.shape();
        std::vector<std::size_t> idx(shape.size());
        for (std::size_t k = shape.size(); k-- > 0;) {
            idx[k] = flat % shape[k];
            flat /= shape[k];
        }
        s += "[";
        if (idx.size() != 1) s += "(";
        for (std::size_t k = 0; k < idx.size(); ++k) s += (k ? ", " : "") + std::to_string(idx[k]);
        if (idx.size() != 1) s += ")";
        s += "]";
    }
    return s;
}

/// The first non-finite entry of the n numbers at p, or -1. The trainer checks every gradient and
/// every updated parameter at every step, so this runs at memory speed: x - x is 0 for a finite x
/// and NaN for an infinite or NaN one, so a block of SIMD batches is checked with subtractions and
/// one comparison, and searched entry by entry only when it holds a non-finite number.
template <class T>
long first_non_finite_of(const T* p, std::size_t n) {
    const auto search = [p](std::size_t from, std::size_t to) -> long {
        for (std::size_t i = from; i < to; ++i)
            if (!std::isfinite(p[i])) return static_cast<long>(i);
        return -1;
    };
    using B = xsimd::batch<T>;
    constexpr std::size_t block = 16 * B::size;
    std::size_t i = 0;
    for (; i + block <= n; i += block) {
        B a = B(T(0)), b = B(T(0));  // (two sums: one subtraction in flight per batch)
        for (std::size_t j = i; j < i + block; j += 2 * B::size) {
            const B x = B::load_unaligned(p + j), y = B::load_unaligned(p + j + B::size);
            a += x - x;
            b += y - y;
        }
        // (isnan, not != 0: xsimd 8's != on AVX-512 is an ordered comparison, false for NaN)
        if (xsimd::any(xsimd::isnan(a + b)))
            if (const long bad = search(i, i + block); bad >= 0) return bad;
    }
    return search(i, n);
}

/// The first non-finite entry of a value, or -1.
template <class V>
long first_non_finite(const V& v) {
    if constexpr (std::is_arithmetic_v<std::remove_cvref_t<V>>) {
        return std::isfinite(static_cast<double>(v)) ? -1 : 0;
    } else {
        using A = std::remove_cvref_t<V>;
        using E = typename A::value_type;  // (xsimd has batches of float and double, not long double)
        if constexpr (is_row_major_array<A>::value && (std::is_same_v<E, float> || std::is_same_v<E, double>)) {
            return first_non_finite_of(v.data(), v.size());
        } else {
            long i = 0;
            for (const auto& e : v) {
                if (!std::isfinite(static_cast<double>(e))) return i;
                ++i;
            }
            return -1;
        }
    }
}

}  // namespace detail
}  // namespace symdiff
