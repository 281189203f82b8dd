#pragma once
// Fused evaluation: the loss and all its gradients in one loop over the data.
//
// A training step evaluates the loss and its gradients. For the models of the seed notebooks these
// are reductions over the same rows of data:
//   scalar parameters:   mean((w x - y)^2)          and  mean(2 (w x - y) x)           (mean_to w)
//   vector parameters:   mean((dot(x, a) - y)^2)    and  dot(transpose(x), 2 (dot(x, a) - y) / n)
// Evaluating them one by one reads the data once per reduction and materialises intermediates.
// Here every reduction body is evaluated row by row in a single loop, as one would write it by
// hand: per row, the products dot(x, a)_i are computed once, then each body, then the
// accumulations (x_i * body_i for the gradient of a vector parameter).
//
// Used when the whole program qualifies, which is decided at compile time from the expression and
// binding types (contiguous row-major arrays, numbers, elementwise operations, dot(X, v) of two
// symbols, and those reductions), and at run time when the arrays' shapes agree without
// broadcasting. Otherwise evaluation takes the general path; both give the same values.
#include <algorithm>
#include <array>
#include <cstddef>
#include <type_traits>

#include <boost/hana/all_of.hpp>
#include <boost/hana/any_of.hpp>
#include <boost/hana/append.hpp>
#include <boost/hana/contains.hpp>
#include <boost/hana/fold_left.hpp>
#include <boost/hana/for_each.hpp>
#include <boost/hana/range.hpp>
#include <boost/hana/size.hpp>
#include <boost/hana/transform.hpp>
#include <boost/hana/unpack.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xtensor.hpp>

#include "../core/traits.hpp"
#include "../ops/dot.hpp"
#include "../ops/reduce_to.hpp"
#include "../ops/reductions.hpp"
#include "cse.hpp"

namespace symdiff::detail::fused {

namespace hana = boost::hana;

// ---- what the bindings are -------------------------------------------------------------------

// Contiguous row-major containers: elements can be read by flat index.
template <class V>
struct is_flat_container : std::false_type {};
template <class EC, std::size_t N, class Tag>
struct is_flat_container<xt::xtensor_container<EC, N, xt::layout_type::row_major, Tag>> : std::true_type {};
template <class EC, class SC, class Tag>
struct is_flat_container<xt::xarray_container<EC, xt::layout_type::row_major, SC, Tag>> : std::true_type {};

template <class V>
inline constexpr bool is_scalar_binding = std::is_arithmetic_v<std::remove_cvref_t<V>>;
template <class V>
inline constexpr bool is_flat_binding = is_flat_container<std::remove_cvref_t<V>>::value;

template <fixed_string Name, class... Bs>
inline constexpr bool bound_to_scalar =
    count_bindings<Name, Bs...>() == 1 && ((Bs::name == Name ? is_scalar_binding<decltype(Bs::value)> : true) && ...);
template <fixed_string Name, class... Bs>
inline constexpr bool bound_to_array =
    count_bindings<Name, Bs...>() == 1 && ((Bs::name == Name ? is_flat_binding<decltype(Bs::value)> : true) && ...);

template <class E, class... Bs>
inline constexpr bool scalar_symbol = false;
template <fixed_string Name, class... Bs>
inline constexpr bool scalar_symbol<symbol_t<Name>, Bs...> = bound_to_scalar<Name, Bs...>;
template <class E, class... Bs>
inline constexpr bool array_symbol = false;
template <fixed_string Name, class... Bs>
inline constexpr bool array_symbol<symbol_t<Name>, Bs...> = bound_to_array<Name, Bs...>;

// ---- which expressions qualify -----------------------------------------------------------------

/// dot(X, v) of two array-bound symbols: a matrix times a parameter vector, one number per row.
template <class E, class... Bs>
inline constexpr bool row_dot = false;
template <class X, class V, class... Bs>
inline constexpr bool row_dot<node<dot_op, X, V>, Bs...> = array_symbol<X, Bs...> && array_symbol<V, Bs...>;

/// An elementwise tree over numbers, array elements and row dots.
template <class E, class... Bs>
struct pointwise : std::bool_constant<Constant<E> || Literal<E>> {};
template <fixed_string Name, class... Bs>
struct pointwise<symbol_t<Name>, Bs...>
    : std::bool_constant<bound_to_scalar<Name, Bs...> || bound_to_array<Name, Bs...>> {};
template <class Op, class... Args, class... Bs>
struct pointwise<node<Op, Args...>, Bs...>
    : std::bool_constant<row_dot<node<Op, Args...>, Bs...> || (Op::elementwise && (pointwise<Args, Bs...>::value && ...))> {};

template <class E>
struct is_reduction : std::false_type {};
template <class A>
struct is_reduction<node<sum_op, A>> : std::true_type {};
template <class A>
struct is_reduction<node<mean_op, A>> : std::true_type {};
template <bool M, class H, class D, class T>
struct is_reduction<node<reduce_to_op<M>, H, D, T>> : std::true_type {};

/// The gradient of a vector parameter through a row dot: dot_tn(X, reduce_to(h, d, dot(X, v))).
template <class E, class... Bs>
inline constexpr bool row_gradient = false;
template <class X, bool M, class H, class D, class V, class... Bs>
inline constexpr bool row_gradient<node<detail::product_op<detail::product_kind::tn>, X,
                                        node<reduce_to_op<M>, H, D, node<dot_op, X, V>>>,
                                   Bs...> =
    row_dot<node<dot_op, X, V>, Bs...> && pointwise<H, Bs...>::value && pointwise<D, Bs...>::value &&
    is_stateless<H> && is_stateless<D>;

/// Numbers, scalar-bound symbols, and (stateless) reductions of pointwise bodies onto scalars.
template <class E, class... Bs>
struct scalar_program : std::bool_constant<Constant<E> || Literal<E>> {};
template <fixed_string Name, class... Bs>
struct scalar_program<symbol_t<Name>, Bs...> : std::bool_constant<bound_to_scalar<Name, Bs...>> {};
template <class Op, class... Args, class... Bs>
struct scalar_program<node<Op, Args...>, Bs...>
    : std::bool_constant<Op::elementwise && (scalar_program<Args, Bs...>::value && ...)> {};
template <class A, class... Bs>
struct scalar_program<node<sum_op, A>, Bs...>
    : std::bool_constant<pointwise<A, Bs...>::value && is_stateless<A>> {};
template <class A, class... Bs>
struct scalar_program<node<mean_op, A>, Bs...>
    : std::bool_constant<pointwise<A, Bs...>::value && is_stateless<A>> {};
template <bool M, class H, class D, class T, class... Bs>
struct scalar_program<node<reduce_to_op<M>, H, D, T>, Bs...>
    : std::bool_constant<pointwise<H, Bs...>::value && pointwise<D, Bs...>::value && is_stateless<H> &&
                         is_stateless<D> && (static_scalar<T> || scalar_symbol<T, Bs...>)> {};

template <class E, class... Bs>
inline constexpr bool fusable_root = scalar_program<E, Bs...>::value || row_gradient<E, Bs...>;

/// Is symbol `S` read element by element somewhere in `E` (rather than as an operand of a row dot)?
template <class E, class S>
struct element_use : std::false_type {};
template <fixed_string Name, class S>
struct element_use<symbol_t<Name>, S> : std::is_same<symbol_t<Name>, S> {};
template <class X, class V, class S>
struct element_use<node<dot_op, X, V>, S> : std::false_type {};
template <class Op, class... Args, class S>
struct element_use<node<Op, Args...>, S> : std::bool_constant<(element_use<Args, S>::value || ...)> {};
template <bool M, class H, class D, class T, class S>
struct element_use<node<reduce_to_op<M>, H, D, T>, S>
    : std::bool_constant<element_use<H, S>::value || element_use<D, S>::value> {};
template <class X, class R, class S>
struct element_use<node<detail::product_op<detail::product_kind::tn>, X, R>, S> : element_use<R, S> {};

// ---- collecting the pieces of a program ------------------------------------------------------

// Distinct reductions onto scalars, found without entering them.
struct collect_reductions {
    template <class Seen, class T>
    constexpr auto operator()(Seen seen, T t) const {
        using E = typename T::type;
        if constexpr (is_reduction<E>::value) {
            if constexpr (decltype(hana::contains(seen, t))::value) return seen;
            else return hana::append(seen, t);
        } else if constexpr (is_node<E>::value) {
            return children(seen, static_cast<const E*>(nullptr));
        } else {
            return seen;
        }
    }
    template <class Seen, class Op, class... Args>
    constexpr auto children(Seen seen, const node<Op, Args...>*) const {
        if constexpr (Op::elementwise) return hana::fold_left(hana::tuple_t<Args...>, seen, collect_reductions{});
        else return seen;
    }
};

// Distinct row dots anywhere.
struct collect_row_dots {
    template <class Seen, class T>
    constexpr auto operator()(Seen seen, T t) const {
        using E = typename T::type;
        if constexpr (is_op<E, dot_op>) {
            if constexpr (decltype(hana::contains(seen, t))::value) return seen;
            else return hana::append(seen, t);
        } else if constexpr (is_node<E>::value) {
            return children(seen, static_cast<const E*>(nullptr));
        } else {
            return seen;
        }
    }
    template <class Seen, class Op, class... Args>
    constexpr auto children(Seen seen, const node<Op, Args...>*) const {
        return hana::fold_left(hana::tuple_t<Args...>, seen, collect_row_dots{});
    }
};

template <class E>
constexpr auto body_of(const E& e) {
    return e.template arg<0>();
}
template <class E>
constexpr auto domain_of(const E& e) {
    if constexpr (E::arity == 3) return e.template arg<1>();
    else return e.template arg<0>();
}

template <class E, class... Bs>
inline constexpr bool reads_array = false;
template <fixed_string Name, class... Bs>
inline constexpr bool reads_array<symbol_t<Name>, Bs...> = bound_to_array<Name, Bs...>;
template <class Op, class... Args, class... Bs>
inline constexpr bool reads_array<node<Op, Args...>, Bs...> = (reads_array<Args, Bs...> || ...);

// ---- element-by-element evaluation -------------------------------------------------------------

/// What a row sees: numbers, array elements by flat index, and this row's dot products.
template <class T, class RowDots, class... Bs>
struct row_view {
    using row_dots = RowDots;
    const hana::tuple<Bs...>& bindings;
    std::array<T, decltype(hana::size(RowDots{}))::value + 1> dots{};  // +1: never zero-sized

    template <fixed_string Name>
    T at(std::size_t i) const {
        const auto& v = lookup<Name>(bindings);
        if constexpr (is_scalar_binding<decltype(v)>) return static_cast<T>(v);
        else return static_cast<T>(v.data()[i]);
    }
};

// Forced inline: the bodies of a program share subexpressions (the residual of a loss and of its
// gradients); only once everything is inlined into the loop can the compiler compute them once.
template <class T, class E, class R>
[[gnu::always_inline]] inline T element(const E& e, const R& row, std::size_t i) {
    if constexpr (Constant<E>) {
        return E::template as<T>();
    } else if constexpr (Literal<E>) {
        return static_cast<T>(e.value);
    } else if constexpr (Symbol<E>) {
        return row.template at<E::name>(i);
    } else if constexpr (is_op<E, dot_op>) {
        return row.dots[index_of<E, typename R::row_dots>()];
    } else {
        return [&]<std::size_t... I>(std::index_sequence<I...>) [[gnu::always_inline]] {
            return static_cast<T>(E::op::apply(element<T>(e.template arg<I>(), row, i)...));
        }(std::make_index_sequence<E::arity>{});
    }
}

/// A root's value once the reductions are known.
template <class T, class Reductions, class E, class R, class A, std::size_t K>
inline T finish_scalar(const E& e, const std::array<A, K>& values, const R& row) {
    if constexpr (is_reduction<E>::value) {
        return static_cast<T>(values[index_of<E, Reductions>()]);
    } else if constexpr (!is_node<E>::value) {
        return element<T>(e, row, 0);
    } else {
        return [&]<std::size_t... I>(std::index_sequence<I...>) {
            return static_cast<T>(E::op::apply(finish_scalar<T, Reductions>(e.template arg<I>(), values, row)...));
        }(std::make_index_sequence<E::arity>{});
    }
}

// ---- shapes at run time --------------------------------------------------------------------------

inline constexpr std::size_t max_rank = 8;
inline constexpr std::size_t max_row_width = 64;  // wider parameter vectors take the general path

/// Checks the shapes and returns the number of rows (or elements) to loop over; 0 means "does not
/// qualify, use the general path". No allocation: this runs once per training step.
template <class RowDots, class Roots, class... Bs>
std::size_t plan(const hana::tuple<Bs...>& bindings) {
    constexpr bool has_row_dots = decltype(hana::size(RowDots{}))::value > 0;
    std::array<std::size_t, max_rank> first{};
    std::size_t rank = 0;
    bool seen = false, ok = true;
    // Arrays read element by element must all have one shape (no broadcasting); with row dots,
    // they must be vectors with one entry per row.
    hana::for_each(bindings, [&](const auto& b) {
        using B = std::remove_cvref_t<decltype(b)>;
        if constexpr (is_flat_binding<decltype(b.value)>) {
            constexpr bool used = decltype(hana::any_of(Roots{}, [](auto t) {
                return hana::bool_c<element_use<typename decltype(t)::type, symbol_t<B::name>>::value>;
            }))::value;
            if constexpr (used) {
                const auto& s = b.value.shape();
                if (s.size() > max_rank || (has_row_dots && s.size() != 1)) {
                    ok = false;
                } else if (!seen) {
                    rank = s.size();
                    std::copy(s.begin(), s.end(), first.begin());
                    seen = true;
                } else if (s.size() != rank || !std::equal(s.begin(), s.end(), first.begin())) {
                    ok = false;
                }
            }
        }
    });
    std::size_t n = 1;
    for (std::size_t k = 0; k < rank; ++k) n *= first[k];
    // Row dots: X is rows x k, v has k entries, and the rows agree with the vectors above.
    hana::for_each(RowDots{}, [&](auto t) {
        using D = typename decltype(t)::type;
        using X = std::remove_cvref_t<decltype(std::declval<D>().template arg<0>())>;
        using V = std::remove_cvref_t<decltype(std::declval<D>().template arg<1>())>;
        const auto& x = lookup<X::name>(bindings);
        const auto& v = lookup<V::name>(bindings);
        if (x.dimension() != 2 || v.dimension() != 1 || x.shape()[1] != v.shape()[0] || v.shape()[0] > max_row_width) {
            ok = false;
            return;
        }
        if (!seen) {
            n = x.shape()[0];
            seen = true;
        } else if (x.shape()[0] != n) {
            ok = false;
        }
    });
    return ok && n > 0 ? n : 0;
}

// ---- the loop ----------------------------------------------------------------------------------

template <class Roots, class... Bs>
inline constexpr bool eligible = [] {
    constexpr bool roots_ok = decltype(hana::all_of(Roots{}, [](auto t) {
        return hana::bool_c<fusable_root<typename decltype(t)::type, Bs...>>;
    }))::value;
    if constexpr (!roots_ok) {
        return false;
    } else {
        // The operands of a row dot must not also be read element by element.
        using dots = decltype(hana::fold_left(Roots{}, hana::make_tuple(), collect_row_dots{}));
        return decltype(hana::all_of(dots{}, [](auto d) {
            using D = typename decltype(d)::type;
            using X = std::remove_cvref_t<decltype(std::declval<D>().template arg<0>())>;
            using V = std::remove_cvref_t<decltype(std::declval<D>().template arg<1>())>;
            return hana::bool_c<!decltype(hana::any_of(Roots{}, [](auto t) {
                using E = typename decltype(t)::type;
                return hana::bool_c<element_use<E, X>::value || element_use<E, V>::value>;
            }))::value>;
        }))::value;
    }
}();

template <class R>
using row_gradient_parts = std::remove_cvref_t<decltype(std::declval<R>().template arg<1>())>;  // the reduce_to

/// Evaluates the roots in one loop; `ok` is false (and the values are meaningless) when the shapes
/// do not qualify at run time.
template <class T, class... E, class... Bs>
auto evaluate_roots(const hana::tuple<E...>& roots, const hana::tuple<Bs...>& bindings, bool& ok) {
    using roots_t = hana::tuple<hana::type<E>...>;
    using reductions = decltype(hana::fold_left(roots_t{}, hana::make_tuple(), collect_reductions{}));
    using row_dots = decltype(hana::fold_left(roots_t{}, hana::make_tuple(), collect_row_dots{}));
    constexpr std::size_t K = decltype(hana::size(reductions{}))::value;
    constexpr std::size_t M = decltype(hana::size(row_dots{}))::value;
    // Root r's slot among the row gradients.
    constexpr std::array<bool, sizeof...(E) + 1> is_grad{row_gradient<E, Bs...>..., false};
    constexpr std::size_t G = (std::size_t{row_gradient<E, Bs...>} + ... + 0);
    constexpr auto slot_of = [is_grad](std::size_t r) {
        std::size_t s = 0;
        for (std::size_t q = 0; q < r; ++q) s += is_grad[q];
        return s;
    };

    row_view<T, row_dots, Bs...> row{bindings};
    using A = accumulator_t<T>;
    std::array<A, K + 1> acc{};
    // (sized 1 when there is no vector gradient: zeroing unused accumulators costs more than the
    // whole loop for small data)
    std::array<std::array<A, G ? max_row_width : 1>, G + 1> grad_acc{};
    const std::size_t n = plan<row_dots, roots_t>(bindings);
    ok = n > 0;

    if (ok) {
        // All row dots of one width (the common case) get a compile-time width, so the
        // per-row products unroll; for large data, four interleaved accumulators break the
        // addition chains (the sums are then formed in another order than a plain loop's).
        std::size_t width = 0;
        bool one_width = true;
        hana::for_each(row_dots{}, [&](auto t) {
            using D = typename decltype(t)::type;
            using V = std::remove_cvref_t<decltype(std::declval<D>().template arg<1>())>;
            const std::size_t k = lookup<V::name>(bindings).size();
            if (width != 0 && k != width) one_width = false;
            width = k;
        });
        const auto run = [&](auto kw) {
            constexpr std::size_t KW = decltype(kw)::value;
            constexpr std::size_t U = 4;
            std::array<std::array<A, K + 1>, U> lane_acc{};
            constexpr std::size_t W = G == 0 ? 1 : (KW ? KW : max_row_width);
            std::array<std::array<std::array<A, W>, G + 1>, U> lane_grad{};
            const auto one_row = [&](std::size_t i, std::size_t u) __attribute__((always_inline)) {
                row_view<T, row_dots, Bs...> rv{bindings};
                hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<M>), [&](auto m) {
                    using D = typename decltype(+hana::at(row_dots{}, m))::type;
                    using X = std::remove_cvref_t<decltype(std::declval<D>().template arg<0>())>;
                    using V = std::remove_cvref_t<decltype(std::declval<D>().template arg<1>())>;
                    const auto& x = lookup<X::name>(bindings);
                    const auto& v = lookup<V::name>(bindings);
                    const std::size_t k = KW ? KW : v.size();
                    const auto* xi = x.data() + i * k;
                    const auto* vp = v.data();
                    T s = 0;
                    for (std::size_t j = 0; j < k; ++j) s += static_cast<T>(xi[j]) * static_cast<T>(vp[j]);
                    rv.dots[m] = s;
                });
                hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<K>), [&](auto r) {
                    using R = typename decltype(+hana::at(reductions{}, r))::type;
                    using H = std::remove_cvref_t<decltype(body_of(std::declval<R>()))>;
                    if constexpr (reads_array<H, Bs...>) lane_acc[u][r] += element<T>(H{}, rv, i);
                });
                hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<sizeof...(E)>), [&](auto r) {
                    using R = std::remove_cvref_t<decltype(hana::at(roots, r))>;
                    if constexpr (row_gradient<R, Bs...>) {
                        using P = row_gradient_parts<R>;
                        using H = std::remove_cvref_t<decltype(std::declval<P>().template arg<0>())>;
                        using X = std::remove_cvref_t<decltype(std::declval<R>().template arg<0>())>;
                        const auto& x = lookup<X::name>(bindings);
                        const std::size_t k = KW ? KW : x.shape()[1];
                        const auto* xi = x.data() + i * k;
                        const T h = element<T>(H{}, rv, i);
                        auto& g = lane_grad[u][slot_of(r)];
                        for (std::size_t j = 0; j < k; ++j) g[j] += static_cast<A>(static_cast<T>(xi[j]) * h);
                    }
                });
            };
            // Small data is summed in order, like a plain loop (and like PyTorch on the seed
            // data: float results then match it digit for digit); large data in four lanes.
            constexpr std::size_t in_order_below = 8;
            std::size_t i = 0;
            for (; n >= in_order_below && i + U <= n; i += U) {
                one_row(i, 0);
                one_row(i + 1, 1);
                one_row(i + 2, 2);
                one_row(i + 3, 3);
            }
            for (; i < n; ++i) one_row(i, 0);
            for (std::size_t r = 0; r < K; ++r)
                acc[r] = (lane_acc[0][r] + lane_acc[1][r]) + (lane_acc[2][r] + lane_acc[3][r]);
            for (std::size_t q = 0; q < G; ++q)
                for (std::size_t j = 0; j < W; ++j)
                    grad_acc[q][j] = (lane_grad[0][q][j] + lane_grad[1][q][j]) + (lane_grad[2][q][j] + lane_grad[3][q][j]);
        };
        if (one_width && width == 1) run(hana::size_c<1>);
        else if (one_width && width == 2) run(hana::size_c<2>);
        else if (one_width && width == 3) run(hana::size_c<3>);
        else if (one_width && width == 4) run(hana::size_c<4>);
        else run(hana::size_c<0>);
        // Bodies without arrays repeat over the domain; means divide by the domain's size.
        hana::for_each(hana::make_range(hana::size_c<0>, hana::size_c<K>), [&](auto r) {
            using R = typename decltype(+hana::at(reductions{}, r))::type;
            using H = std::remove_cvref_t<decltype(body_of(std::declval<R>()))>;
            using D = std::remove_cvref_t<decltype(domain_of(std::declval<R>()))>;
            const A count_d = reads_array<D, Bs...> ? A(n) : A(1);
            if constexpr (!reads_array<H, Bs...>) acc[r] = element<T>(H{}, row, 0) * count_d;
            if constexpr (is_op<R, mean_op> || is_op<R, reduce_to_op<true>>) acc[r] /= count_d;
        });
    }
    const auto result = [&](auto r) {
        using R = std::remove_cvref_t<decltype(hana::at(roots, r))>;
        if constexpr (row_gradient<R, Bs...>) {
            using P = row_gradient_parts<R>;
            using D = std::remove_cvref_t<decltype(std::declval<P>().template arg<1>())>;
            using X = std::remove_cvref_t<decltype(std::declval<R>().template arg<0>())>;
            const std::size_t k = ok ? lookup<X::name>(bindings).shape()[1] : 0;
            const A scale = is_op<P, reduce_to_op<true>> ? A(1) / (reads_array<D, Bs...> ? A(n) : A(1)) : A(1);
            xt::xarray<T> out = xt::xarray<T>::from_shape({k});
            const auto& g = grad_acc[slot_of(r)];
            for (std::size_t j = 0; j < k; ++j) out(j) = static_cast<T>(g[j] * scale);
            return out;
        } else {
            return finish_scalar<T, reductions>(hana::at(roots, r), acc, row);
        }
    };
    return hana::unpack(hana::make_range(hana::size_c<0>, hana::size_c<sizeof...(E)>),
                        [&](auto... r) { return hana::make_tuple(result(r)...); });
}

}  // namespace symdiff::detail::fused
