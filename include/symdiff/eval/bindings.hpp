#pragma once
// Finding a symbol's value among the bindings of one evaluate call, and the scalar type the
// evaluation runs in (the data's: float data gives float results).
#include <cstddef>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "../core/symbol.hpp"
#include "../detail/values.hpp"

namespace symdiff {

namespace errors {
// These class templates exist to put the offending symbol's name into the compiler's message:
// "In instantiation of 'symdiff::errors::symbol_has_no_value<{"y"}>'".
template <fixed_string Name>
struct symbol_has_no_value {
    static_assert(Name.size() == 0,
                  "a symbol of the expression has no value. Bind every symbol: evaluate(f, x = 1.0, y = Y); for "
                  "gradient_descent or a trainer, each symbol of the loss goes in params(...) or in data(...). "
                  "The symbol's name is in this template's argument");
    static constexpr bool value = false;
};
template <fixed_string Name>
struct symbol_bound_to_unusable_value {
    static_assert(Name.size() == 0,
                  "a symbol is bound to a value that is neither a number nor an xtensor array: bind a "
                  "number (x = 1.0) or an array (x = X); a std::vector or std::array v as xt::adapt(v) "
                  "(#include <xtensor/xadapt.hpp>). The symbol's name is in this template's argument");
    static constexpr bool value = false;
};
template <fixed_string Name>
struct symbol_bound_twice {
    static_assert(Name.size() == 0,
                  "a symbol is bound more than once: give each symbol one value, in evaluate(...), and for "
                  "a trainer in params(...) or in data(...), not both (its name is in this template's argument)");
    static constexpr bool value = false;
};
}  // namespace errors

namespace detail {

template <fixed_string Name, class... Bs>
constexpr std::size_t count_bindings() {
    return ((Bs::name == Name ? 1 : 0) + ... + 0);
}

template <fixed_string Name, class... Bs>
constexpr std::size_t binding_index() {
    std::size_t i = 0, found = sizeof...(Bs);
    ((Bs::name == Name ? (found = (found == sizeof...(Bs) ? i : found), ++i) : ++i), ...);
    return found;
}

/// What a symbol can be bound to: a number, or an array with a shape (an xtensor expression).
template <class V>
concept bindable_value = std::is_arithmetic_v<std::remove_cvref_t<V>> || requires(const std::remove_cvref_t<V>& v) {
    v.shape();
    v.size();
    typename std::remove_cvref_t<V>::value_type;
};

/// Each value bindable, else a compile error naming the symbol.
template <class... Bs>
constexpr void check_values() {
    (
        [] {
            if constexpr (!bindable_value<decltype(std::declval<const Bs&>().value)>)
                static_assert(errors::symbol_bound_to_unusable_value<Bs::name>::value);
        }(),
        ...);
}

template <class... Bs>
constexpr void check_bindings() {
    check_values<Bs...>();
    // Each name once: a symbol bound twice is ambiguous.
    (
        [] {
            if constexpr (count_bindings<Bs::name, Bs...>() > 1)
                static_assert(errors::symbol_bound_twice<Bs::name>::value);
        }(),
        ...);
}

/// The value bound to `Name` (a number, or a const reference to the bound array).
template <fixed_string Name, class... Bs>
constexpr const auto& lookup(const boost::hana::tuple<Bs...>& bindings) {
    constexpr std::size_t n = count_bindings<Name, Bs...>();
    if constexpr (n == 0) {
        static_assert(errors::symbol_has_no_value<Name>::value);
        return boost::hana::at_c<0>(bindings).value;
    } else {
        if constexpr (n > 1) static_assert(errors::symbol_bound_twice<Name>::value);
        return boost::hana::at_c<binding_index<Name, Bs...>()>(bindings).value;
    }
}

template <class V, class = void>
struct element_type {
    using type = std::remove_cvref_t<V>;
};
template <class V>
struct element_type<V, std::void_t<typename std::remove_cvref_t<V>::value_type>> {
    using type = typename std::remove_cvref_t<V>::value_type;
};

// Integer data (labels) does not decide the precision; floating point data does.
template <class V>
using float_or_void =
    std::conditional_t<std::is_floating_point_v<typename element_type<V>::type>, typename element_type<V>::type, void>;

// The common floating type of Ts, ignoring void; void when there is none.
template <class... Ts>
struct common_float {
    using type = void;
};
template <class T, class... Ts>
struct common_float<T, Ts...> {
    using rest = typename common_float<Ts...>::type;
    // (std::common_type is only instantiated when both are floating: common_type<void, double> has no type)
    using type = typename std::conditional_t<
        std::is_void_v<T>, std::type_identity<rest>,
        std::conditional_t<std::is_void_v<rest>, std::type_identity<T>, std::common_type<T, rest>>>::type;
};

/// The scalar type of an evaluation: the common floating type of the bound values (double if none).
template <class... Bs>
using value_type_of =
    std::conditional_t<std::is_void_v<typename common_float<float_or_void<decltype(Bs::value)>...>::type>, double,
                       typename common_float<float_or_void<decltype(Bs::value)>...>::type>;

}  // namespace detail
}  // namespace symdiff
