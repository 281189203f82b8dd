#pragma once
// Per-expression glue of the randomised derivative tests: builds the expression for a seed, its
// derivatives, and the evaluate() calls, and hands plain numbers to random_check.hpp.
//
//   run_scalar<Base, Count, Depth, MaxSize>(st)
//       expressions Base .. Base + Count - 1: values and first derivatives w.r.t. x, y, z at
//       several points (one evaluate() per root); d2f/du2 and d2f/dudv for every third seed (one
//       evaluate() of a tuple: shared cache, fused evaluator).
//   scalar_case<Seed, Depth, MaxSize, true>::run(st)
//       the same, and x bound to a vector: elementwise values and derivatives, the reverse-mode
//       gradient of sum(f) w.r.t. x, and sum(f) with its gradients w.r.t. y, z in one tuple.
//   run_reductions<Base, Count, Depth, MaxSize>(st)
//       reduction-rooted expressions (nested mean / sum inside): gradients w.r.t. the vector x
//       (entrywise) and the scalars y, z against finite differences.
//   check_scalar_part<K>(), check_reduction_part<K>()
//       one test file's share, with its printed and asserted counts.
#include <cstdint>
#include <utility>
#include <vector>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>
#include <xtensor/xtensor.hpp>

#include "random_check.hpp"
#include "random_expr.hpp"

namespace symdiff_random {

namespace hana = boost::hana;

inline constexpr int points_per_expression = 4;
inline constexpr int points_per_reduction = 2;
inline constexpr std::uint64_t second_every = 3;  // second derivatives for every third seed

template <int K>
constexpr auto variable() {
    if constexpr (K == 0) return x;
    else if constexpr (K == 1) return y;
    else return z;
}

/// A result that must be a number (every symbol bound to a number, or a scalar gradient).
template <class V>
double number(const V& v, bool& ok) {
    if constexpr (detail::is_number<V>) {
        return static_cast<double>(v);
    } else {
        ok = false;
        return v.size() == 1 ? static_cast<double>(*v.begin()) : 0.0;
    }
}

/// A result that is a vector of length vec_n, or (when `scalar_allowed`) a number broadcast to one.
template <class V>
void elements(const V& v, std::vector<double>& out, bool scalar_allowed, bool& ok) {
    if constexpr (detail::is_number<V>) {
        if (!scalar_allowed) ok = false;
        out.assign(vec_n, static_cast<double>(v));
    } else {
        if (v.dimension() != 1 || v.size() != static_cast<std::size_t>(vec_n)) {
            ok = false;
            out.assign(vec_n, 0.0);
        } else {
            out.assign(v.begin(), v.end());
        }
    }
}

inline xt::xtensor<double, 1> as_xtensor(const double* X) {
    xt::xtensor<double, 1> v = xt::xtensor<double, 1>::from_shape({static_cast<std::size_t>(vec_n)});
    std::copy(X, X + vec_n, v.begin());
    return v;
}

/// One elementwise expression; with Vector, also evaluated with x bound to a vector (the cost of
/// that grows quickly with the size of the tree: keep those trees small).
template <std::uint64_t Seed, int Depth, int MaxSize, bool Vector = false>
struct scalar_case {
    static constexpr auto f = random_tree<simplified, Seed, Depth, 5, MaxSize>();
    static constexpr auto f_raw = random_tree<raw, Seed, Depth, 5, MaxSize>();  // for the reference
    // second derivatives d2f/du2 and d2f/dudv
    static constexpr int u = static_cast<int>(pick(Seed, 3, 50));
    static constexpr int v = (u + 1 + static_cast<int>(pick(Seed, 2, 52))) % 3;

    static rval ref(ref_env& env) { return ref_eval(f_raw, env); }
    static std::string name() { return ref_print(f) + "\n    built from " + ref_print(f_raw); }

    // The value and the gradient in one program (one evaluate call); single-root evaluation is
    // exercised by symvec and the reductions.
    static bool sym(const double* p, double* out) {
        bool ok = true;
        constexpr auto t = hana::make_tuple(f, derivative(f, x), derivative(f, y), derivative(f, z));
        const auto r = evaluate(t, x = p[0], y = p[1], z = p[2]);
        out[0] = number(hana::at_c<0>(r), ok);
        out[1] = number(hana::at_c<1>(r), ok);
        out[2] = number(hana::at_c<2>(r), ok);
        out[3] = number(hana::at_c<3>(r), ok);
        return ok;
    }

    static bool sym2(const double* p, double* out) {
        constexpr auto du = derivative(f, variable<u>());
        constexpr auto t = hana::make_tuple(du, derivative(du, variable<u>()), derivative(du, variable<v>()));
        const auto r = evaluate(t, x = p[0], y = p[1], z = p[2]);
        bool ok = true;
        out[0] = number(hana::at_c<0>(r), ok);
        out[1] = number(hana::at_c<1>(r), ok);
        out[2] = number(hana::at_c<2>(r), ok);
        return ok;
    }

    // x bound to a vector: f and df/dx elementwise, and the reverse-mode gradient of sum(f)
    // w.r.t. x; then sum(f) with its gradients w.r.t. the scalars y, z in one tuple.
    static bool symvec(const double* X, double yy, double zz, std::vector<double>* out) {
        constexpr auto s = sum(f);
        const xt::xtensor<double, 1> XV = as_xtensor(X);
        bool ok = true;
        elements(evaluate(f, x = XV, y = yy, z = zz), out[0], true, ok);
        elements(evaluate(derivative(f, x), x = XV, y = yy, z = zz), out[1], true, ok);
        // the gradient w.r.t. x has x's shape (unless it is an exact constant: 0 when sum(f) does
        // not depend on x, or when it does only through piecewise constant sign / step)
        constexpr auto gx = derivative(s, x);
        elements(evaluate(gx, x = XV, y = yy, z = zz), out[2], Constant<decltype(gx)>, ok);
        constexpr auto t = hana::make_tuple(s, derivative(s, y), derivative(s, z));
        const auto r = evaluate(t, x = XV, y = yy, z = zz);
        out[3].assign(1, number(hana::at_c<0>(r), ok));
        out[4].assign(1, number(hana::at_c<1>(r), ok));
        out[5].assign(1, number(hana::at_c<2>(r), ok));
        return ok;
    }

    static void run(stats& st) {
        // (`if constexpr`, so that sym2 is not even instantiated for the other seeds)
        if constexpr (Seed % second_every == 0)
            check_scalar(st, Seed, &name, &ref, &sym, &sym2, u, v, points_per_expression);
        else check_scalar(st, Seed, &name, &ref, &sym, nullptr, u, v, points_per_expression);
        if constexpr (Vector) check_vector(st, Seed, &name, &ref, &sym, &symvec, depends_on<decltype(f), decltype(x)>);
    }
};

template <std::uint64_t Seed, int Depth, int MaxSize>
struct reduction_case {
    static constexpr auto r = random_reduction<simplified, Seed, Depth, MaxSize>();
    static constexpr auto r_raw = random_reduction<raw, Seed, Depth, MaxSize>();  // for the reference

    static rval ref(ref_env& env) { return ref_eval(r_raw, env); }
    static std::string name() { return ref_print(r) + "\n    built from " + ref_print(r_raw); }

    // The scalar results in one tuple (the fused evaluator takes it when r has no runtime
    // literal), the gradient w.r.t. the vector x on its own.
    static bool symred(const double* X, double yy, double zz, std::vector<double>* out) {
        const xt::xtensor<double, 1> XV = as_xtensor(X);
        constexpr auto t = hana::make_tuple(r, derivative(r, y), derivative(r, z));
        const auto v = evaluate(t, x = XV, y = yy, z = zz);
        bool ok = true;
        out[0].assign(1, number(hana::at_c<0>(v), ok));
        constexpr auto gx = derivative(r, x);  // x's shape, unless an exact constant (see symvec)
        elements(evaluate(gx, x = XV, y = yy, z = zz), out[1], Constant<decltype(gx)>, ok);
        out[2].assign(1, number(hana::at_c<1>(v), ok));
        out[3].assign(1, number(hana::at_c<2>(v), ok));
        return ok;
    }

    static void run(stats& st) { check_reduction(st, Seed, &name, &ref, &symred, points_per_reduction); }
};

template <std::uint64_t Base, int Depth, int MaxSize, std::size_t... I>
void run_scalar_seq(stats& st, std::index_sequence<I...>) {
    (scalar_case<Base + I, Depth, MaxSize>::run(st), ...);
}
/// Seeds Base .. Base + Count - 1: trees of depth <= Depth with 5 .. MaxSize nodes.
template <std::uint64_t Base, std::size_t Count, int Depth, int MaxSize>
void run_scalar(stats& st) {
    run_scalar_seq<Base, Depth, MaxSize>(st, std::make_index_sequence<Count>{});
}

template <std::uint64_t Base, int Depth, int MaxSize, std::size_t... I>
void run_reductions_seq(stats& st, std::index_sequence<I...>) {
    (reduction_case<Base + I, Depth, MaxSize>::run(st), ...);
}
template <std::uint64_t Base, std::size_t Count, int Depth, int MaxSize>
void run_reductions(stats& st) {
    run_reductions_seq<Base, Depth, MaxSize>(st, std::make_index_sequence<Count>{});
}

// ------------------------------------------------------------------ one test file's share
// tests/random/random_part.cpp is compiled once per part (tests/CMakeLists.txt): elementwise part
// k checks scalar_per_part expressions, seeds part_seed(k) .. part_seed(k) + scalar_per_part - 1
// (depth 3, 5 to 10 nodes as generated), and one vector-bound one, seed part_seed(k) + 900 (5 to
// 7 nodes); reduction part k checks reductions_per_part reduction-rooted ones, seeds
// part_seed(k) + 500 ... With 36 and 8 parts: 36 x 15 + 8 x 2 = 556 expression trees in all.
// The counts are set by compile time: one elementwise expression costs ~0.2-0.3 s at -O2, a
// vector-bound or reduction case 1-2 s, the headers ~3 s. Add parts rather than raise the counts.
inline constexpr std::size_t scalar_per_part = 14;
inline constexpr std::size_t reductions_per_part = 2;
constexpr std::uint64_t part_seed(int part) { return 0x5eed0000ull + 1000ull * static_cast<std::uint64_t>(part); }

template <int Part>
void check_scalar_part() {
    stats st;
    run_scalar<part_seed(Part), scalar_per_part, 3, 10>(st);
    // plus one small tree (5 to 7 nodes) also evaluated with x bound to a vector
    scalar_case<part_seed(Part) + 900, 3, 7, true>::run(st);
    // 4 points x (value + 3 first derivatives) per expression, minus skips near kinks
    finish(st, "elementwise expressions", static_cast<int>(scalar_per_part) + 1,
           10 * static_cast<int>(scalar_per_part + 1));
}

template <int Part>
void check_reduction_part() {
    stats st;
    run_reductions<part_seed(Part) + 500, reductions_per_part, 3, 8>(st);
    // 2 points x (value + vec_n + 2 gradient entries) per expression, minus skips near kinks
    finish(st, "reduction-rooted expressions", static_cast<int>(reductions_per_part),
           8 * static_cast<int>(reductions_per_part));
}

}  // namespace symdiff_random
