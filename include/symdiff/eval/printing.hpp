#pragma once
// to_string and to_latex with the values bound: gradient reductions written with what they sum.
//
//   to_string(derivative(mean(square(x + b - y)), b))                // mean(2 * (x + b - y))
//   to_string(derivative(mean(square(x + b - y)), b), x = X, b = B, y = Y)
//                                                                    // sum(2 * (x + b - y), 0) / 300
//
// Without values, a reduction onto a symbol's shape is written as the seeds' formulas write a
// scalar parameter's gradient (`mean(h)`, `sum(h)`), which reads wrong for a tensor symbol. With
// them, each reduction's shapes are known (one evaluation of what it sums and over what), and it
// is written as what it computes: `factor * sum(h, axes) / divisor`, `sum(h)`, `mean(h)` or `h`
// (core/notation.hpp, reduction_notation). It lives in eval/ because it evaluates: the printers
// themselves (print/) know no values.
#include <cstddef>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

#include "../core/shape.hpp"
#include "../print/printer.hpp"
#include "bindings.hpp"
#include "evaluate.hpp"

namespace symdiff {

namespace detail {

template <class E>
constexpr auto reductions_in(const E& e);

/// A node whose operation sums operand 0 onto the shape of another and says how that is written.
template <class Op>
concept written_with_shapes = requires(const shape_type& s) {
    Op::gathers_onto;
    { Op::notation_onto(s, s, s) } -> std::same_as<reduction_notation>;
};

template <class N, std::size_t... I>
constexpr auto reductions_in_node(const N& n, std::index_sequence<I...>) {
    auto inner = std::tuple_cat(reductions_in(n.template arg<I>())...);
    if constexpr (written_with_shapes<typename N::op>) return std::tuple_cat(std::make_tuple(n), inner);
    else return inner;
}

/// The reduction nodes of `e` (by value, in the printer's order; repeats are harmless).
template <class E>
constexpr auto reductions_in(const E& e) {
    if constexpr (is_node<E>::value) return reductions_in_node(e, std::make_index_sequence<E::arity>{});
    else return std::tuple<>{};
}

/// (h, domain, target) of each reduction, as one tuple of references to evaluate together.
template <class Nodes, std::size_t... K>
auto reduction_operands(const Nodes& nodes, std::index_sequence<K...>) {
    return std::tuple_cat(
        std::tuple<const std::remove_cvref_t<decltype(std::get<K>(nodes).template arg<0>())>&,
                   const std::remove_cvref_t<decltype(std::get<K>(nodes).template arg<1>())>&,
                   const std::remove_cvref_t<
                       decltype(std::get<K>(nodes).template arg<std::tuple_element_t<K, Nodes>::op::gathers_onto>())>&>(
            std::get<K>(nodes).template arg<0>(), std::get<K>(nodes).template arg<1>(),
            std::get<K>(nodes).template arg<std::tuple_element_t<K, Nodes>::op::gathers_onto>())...);
}

template <class Nodes, class Values, std::size_t... K>
reduction_notes notes_from(const Values& values, std::index_sequence<K...>) {
    reduction_notes notes;
    (notes.entries.emplace_back(
         &type_key<std::tuple_element_t<K, Nodes>>,
         std::tuple_element_t<K, Nodes>::op::notation_onto(shape_of(boost::hana::at_c<3 * K>(values)),
                                                           shape_of(boost::hana::at_c<3 * K + 1>(values)),
                                                           shape_of(boost::hana::at_c<3 * K + 2>(values)))),
     ...);
    return notes;
}

template <format F, class E, class... Bs>
std::string print_with_bindings(const E& e, const Bs&... bs) {
    check_bindings<std::remove_cvref_t<Bs>...>();
    printer<F> p;
    const auto nodes = reductions_in(e);
    using Nodes = std::remove_cvref_t<decltype(nodes)>;
    constexpr std::size_t k = std::tuple_size_v<Nodes>;
    if constexpr (k > 0) {
        const auto values =
            evaluate_roots(reduction_operands(nodes, std::make_index_sequence<k>{}), boost::hana::make_tuple(bs...));
        const reduction_notes notes = notes_from<Nodes>(values, std::make_index_sequence<k>{});
        p.notes = &notes;
        p.print(e);
    } else {
        p.print(e);
    }
    return p.out;
}

}  // namespace detail

/// `e` as text, its gradient reductions written with the shapes of the values bound
/// (`sum(h, 0) / 300`): every symbol that those reductions read must be bound.
template <Expression E, Binding... Bs>
std::string to_string(const E& e, const Bs&... bindings) {
    return detail::print_with_bindings<detail::format::text>(e, bindings...);
}

/// The same as LaTeX.
template <Expression E, Binding... Bs>
std::string to_latex(const E& e, const Bs&... bindings) {
    return detail::print_with_bindings<detail::format::latex>(e, bindings...);
}

}  // namespace symdiff
