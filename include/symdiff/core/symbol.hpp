#pragma once
// Symbols: named leaves, bound to a value (a number or an xtensor expression) at evaluation.
#include <type_traits>
#include <utility>

#include "expression.hpp"
#include "fixed_string.hpp"

namespace symdiff {

/// A value given to a symbol for one evaluation: `x = 3.0` or `x = X`.
/// Arrays are held by reference when the user passes an lvalue (no copy), by value otherwise.
template <fixed_string Name, class V>
struct binding {
    static constexpr auto name = Name;
    V value;
};

/// The type of the symbol named `Name`. Use the variable template `symbol<"x">`.
template <fixed_string Name>
struct symbol_t {
    static constexpr auto name = Name;

    /// Binds a value to this symbol for evaluation: `evaluate(f, x = 2.0)`.
    template <class V>
    constexpr auto operator=(V&& v) const {  // NOLINT(misc-unconventional-assign-operator): makes a binding
        // An lvalue array is referenced (it outlives the evaluate call); everything else is copied.
        using stored =
            std::conditional_t<std::is_lvalue_reference_v<V> && !std::is_arithmetic_v<std::remove_cvref_t<V>>,
                               const std::remove_cvref_t<V>&, std::remove_cvref_t<V>>;
        return binding<Name, stored>{std::forward<V>(v)};
    }
};

/// `constexpr auto x = symdiff::symbol<"x">;`
template <fixed_string Name>
inline constexpr symbol_t<Name> symbol{};

namespace detail {
template <fixed_string Name>
struct is_expression<symbol_t<Name>> : std::true_type {};

template <class T>
struct is_symbol : std::false_type {};
template <fixed_string Name>
struct is_symbol<symbol_t<Name>> : std::true_type {};

template <class T>
struct is_binding : std::false_type {};
template <fixed_string Name, class V>
struct is_binding<binding<Name, V>> : std::true_type {};
}  // namespace detail

/// A symbol, the only thing one can differentiate with respect to.
template <class T>
concept Symbol = detail::is_symbol<std::remove_cvref_t<T>>::value;

/// A `symbol = value` pair.
template <class T>
concept Binding = detail::is_binding<std::remove_cvref_t<T>>::value;

}  // namespace symdiff
