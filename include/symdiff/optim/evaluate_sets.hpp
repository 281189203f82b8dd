#pragma once
// Evaluating expressions on a parameter set plus a data set.
#include <boost/hana/concat.hpp>
#include <boost/hana/unpack.hpp>

#include "../eval/evaluate.hpp"
#include "bindings.hpp"

namespace symdiff::detail {

template <class E, class P, class D>
auto evaluate_on(const E& e, const P& p, const D& d) {
    return boost::hana::unpack(boost::hana::concat(p.views(), d.views()),
                               [&](const auto&... b) { return evaluate(e, b...); });
}

/// A number, whether the value is a number or a 0-d / 1-element array.
template <class V>
double as_number(const V& v) {
    if constexpr (std::is_arithmetic_v<V>) return static_cast<double>(v);
    else return v.size() == 1 ? static_cast<double>(*v.begin()) : std::nan("");
}

}  // namespace symdiff::detail

namespace symdiff {

/// The value of `e` with the parameters `p` (a fit's, a trainer's or `params(...)`) and the other
/// symbols bound: `evaluate(model, fit.parameters, x = Xnew)`. Parameters `e` does not contain
/// are ignored; binding a parameter's symbol again is a compile error.
template <Expression E, class... Ps, Binding... Bs>
auto evaluate(const E& e, const parameter_set<Ps...>& p, Bs&&... bs) {
    return boost::hana::unpack(p.views(), [&](const auto&... pb) { return evaluate(e, pb..., bs...); });
}

}  // namespace symdiff
