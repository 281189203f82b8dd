#pragma once
// Randomised derivative tests: expression trees generated at compile time from a fixed seed,
// their derivatives checked against finite differences of an independent reference evaluator.
//
//   random_expr<B, Seed, Depth>()        an elementwise expression in x, y, z (operands kept in the
//                                        functions' domains: log(1 + e^2), division by 2 + sigmoid(e)...)
//   random_expr<B, Seed, Depth, true>()  the same, but it may also contain mean(e) / sum(e) inside
//   random_tree<B, Seed, Depth, Min, Max>()  random_expr redrawn until its size is in [Min, Max] and
//                                        it contains a symbol
//   random_reduction<B, Seed, Depth, Max>()  a scalar root: sum(e), mean(e), tanh(sum(e1)) + mean(e2)...
// B is `simplified` (symdiff's builders: the expression under test) or `raw` (make_node only: the
// same tree unsimplified, which the reference evaluator computes).
//
// Per expression, the templated code is kept small: it only builds the expression, its
// derivatives and the evaluate() calls (random_cases.hpp), and hands plain numbers to the
// non-template checkers (random_check.hpp). Even so, compile time is what limits the number of
// expressions per file: building and evaluating the derivatives of one small tree costs about
// 0.2 s of compile time (with the type-list CSE; several times more with the Hana-fold one), a
// vector-bound or reduction case 1-2 s.
//
// Reference evaluator: `ref_eval` walks the expression's type and computes every node with <cmath>
// formulas written independently of symdiff's. It also records the sign of every kink argument
// (abs, relu, sign, step: a; min, max: a - b); finite differences are trusted only where that signature is
// the same at every point of the stencil (the function is then smooth there).
#include <array>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include <symdiff/symdiff.hpp>

namespace symdiff_random {

using namespace symdiff;
using namespace symdiff::literals;

inline constexpr auto x = symbol<"x">;
inline constexpr auto y = symbol<"y">;
inline constexpr auto z = symbol<"z">;

// ------------------------------------------------------------------ the PRNG
constexpr std::uint64_t splitmix64(std::uint64_t v) {
    v += 0x9e3779b97f4a7c15ull;
    v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ull;
    v = (v ^ (v >> 27)) * 0x94d049bb133111ebull;
    return v ^ (v >> 31);
}
/// The seed of child `k` of the node with seed `s`.
constexpr std::uint64_t child(std::uint64_t s, std::uint64_t k) { return splitmix64(s ^ splitmix64(k + 0x51ed27ull)); }
/// A number in [0, n) drawn from `s` (bits `shift` upwards).
constexpr unsigned pick(std::uint64_t s, unsigned n, unsigned shift = 0) {
    return static_cast<unsigned>((splitmix64(s) >> shift) % n);
}

// ------------------------------------------------------------------ the generator
// The generator is written once against a builder policy B and instantiated twice:
//   simplified   symdiff's public builders (add, multiply, ...), which simplify as they build:
//                the expression under test;
//   raw          make_node<Op>(...) only: the same tree exactly as generated, for the reference
//                evaluator. A builder that simplifies wrongly (x - x/2 built as 3/2 x, ...) then
//                shows as a value mismatch instead of going unnoticed.
inline constexpr literal<double> lit(double v) { return literal<double>{v}; }

struct simplified {
    template <class A>
    static constexpr auto neg(A a) {
        return symdiff::negate(a);
    }
    template <class A>
    static constexpr auto sq(A a) {
        return symdiff::square(a);
    }
    template <class A>
    static constexpr auto sqrt(A a) {
        return symdiff::sqrt(a);
    }
    template <class A>
    static constexpr auto exp(A a) {
        return symdiff::exp(a);
    }
    template <class A>
    static constexpr auto log(A a) {
        return symdiff::log(a);
    }
    template <class A>
    static constexpr auto sin(A a) {
        return symdiff::sin(a);
    }
    template <class A>
    static constexpr auto cos(A a) {
        return symdiff::cos(a);
    }
    template <class A>
    static constexpr auto tan(A a) {
        return symdiff::tan(a);
    }
    template <class A>
    static constexpr auto tanh(A a) {
        return symdiff::tanh(a);
    }
    template <class A>
    static constexpr auto sigmoid(A a) {
        return symdiff::sigmoid(a);
    }
    template <class A>
    static constexpr auto softplus(A a) {
        return symdiff::softplus(a);
    }
    template <class A>
    static constexpr auto abs(A a) {
        return symdiff::abs(a);
    }
    template <class A>
    static constexpr auto sign(A a) {
        return symdiff::sign(a);
    }
    template <class A>
    static constexpr auto relu(A a) {
        return symdiff::relu(a);
    }
    template <class A>
    static constexpr auto step(A a) {
        return symdiff::step(a);
    }
    template <class A>
    static constexpr auto sum(A a) {
        return symdiff::sum(a);
    }
    template <class A>
    static constexpr auto mean(A a) {
        return symdiff::mean(a);
    }
    template <class A, class C>
    static constexpr auto add(A a, C c) {
        return symdiff::add(a, c);
    }
    template <class A, class C>
    static constexpr auto sub(A a, C c) {
        return symdiff::subtract(a, c);
    }
    template <class A, class C>
    static constexpr auto mul(A a, C c) {
        return symdiff::multiply(a, c);
    }
    template <class A, class C>
    static constexpr auto div(A a, C c) {
        return symdiff::divide(a, c);
    }
    template <class A, class C>
    static constexpr auto pow(A a, C c) {
        return symdiff::pow(a, c);
    }
    template <class A, class C>
    static constexpr auto min(A a, C c) {
        return symdiff::min(a, c);
    }
    template <class A, class C>
    static constexpr auto max(A a, C c) {
        return symdiff::max(a, c);
    }
};

struct raw {
    template <class A>
    static constexpr auto neg(A a) {
        return make_node<negate_op>(a);
    }
    template <class A>
    static constexpr auto sq(A a) {
        return make_node<square_op>(a);
    }
    template <class A>
    static constexpr auto sqrt(A a) {
        return make_node<sqrt_op>(a);
    }
    template <class A>
    static constexpr auto exp(A a) {
        return make_node<exp_op>(a);
    }
    template <class A>
    static constexpr auto log(A a) {
        return make_node<log_op>(a);
    }
    template <class A>
    static constexpr auto sin(A a) {
        return make_node<sin_op>(a);
    }
    template <class A>
    static constexpr auto cos(A a) {
        return make_node<cos_op>(a);
    }
    template <class A>
    static constexpr auto tan(A a) {
        return make_node<tan_op>(a);
    }
    template <class A>
    static constexpr auto tanh(A a) {
        return make_node<tanh_op>(a);
    }
    template <class A>
    static constexpr auto sigmoid(A a) {
        return make_node<sigmoid_op>(a);
    }
    template <class A>
    static constexpr auto softplus(A a) {
        return make_node<softplus_op>(a);
    }
    template <class A>
    static constexpr auto abs(A a) {
        return make_node<abs_op>(a);
    }
    template <class A>
    static constexpr auto sign(A a) {
        return make_node<sign_op>(a);
    }
    template <class A>
    static constexpr auto relu(A a) {
        return make_node<relu_op>(a);
    }
    template <class A>
    static constexpr auto step(A a) {
        return make_node<step_op>(a);
    }
    template <class A>
    static constexpr auto sum(A a) {
        return make_node<sum_op>(a);
    }
    template <class A>
    static constexpr auto mean(A a) {
        return make_node<mean_op>(a);
    }
    template <class A, class C>
    static constexpr auto add(A a, C c) {
        return make_node<add_op>(a, c);
    }
    template <class A, class C>
    static constexpr auto sub(A a, C c) {
        return make_node<subtract_op>(a, c);
    }
    template <class A, class C>
    static constexpr auto mul(A a, C c) {
        return make_node<multiply_op>(a, c);
    }
    template <class A, class C>
    static constexpr auto div(A a, C c) {
        return make_node<divide_op>(a, c);
    }
    template <class A, class C>
    static constexpr auto pow(A a, C c) {
        return make_node<pow_op>(a, c);
    }
    template <class A, class C>
    static constexpr auto min(A a, C c) {
        return make_node<min_op>(a, c);
    }
    template <class A, class C>
    static constexpr auto max(A a, C c) {
        return make_node<max_op>(a, c);
    }
};

/// A leaf: a symbol (most of the time), an exact constant or a runtime literal.
template <std::uint64_t Seed>
constexpr auto random_leaf() {
    constexpr unsigned r = pick(Seed, 100);
    constexpr unsigned v = pick(Seed, 8, 20);
    if constexpr (r < 26) {
        return x;
    } else if constexpr (r < 50) {
        return y;
    } else if constexpr (r < 72) {
        return z;
    } else if constexpr (r < 88) {
        if constexpr (v == 0) return exact<0>;
        else if constexpr (v == 1) return exact<1>;
        else if constexpr (v == 2) return exact<2>;
        else if constexpr (v == 3) return exact<3>;
        else if constexpr (v == 4) return exact<-1>;
        else if constexpr (v == 5) return exact<1, 2>;
        else if constexpr (v == 6) return exact<-3, 2>;
        else return exact<2, 3>;
    } else {
        constexpr double values[8] = {0.5, -1.25, 2.0, 0.3, -0.7, 1.5, 0.125, -2.0};
        return lit(values[v]);
    }
}

/// The number of operations random_expr chooses from: unary 0..15, binary 16..23 (+ 24..26, nested
/// reductions, when enabled).
inline constexpr unsigned n_ops = 24;

/// A random expression of depth at most `Depth`, built with the policy B.
template <class B, std::uint64_t Seed, int Depth, bool Reductions = false>
constexpr auto random_expr() {
    constexpr std::uint64_t h = splitmix64(Seed);
    constexpr unsigned variant = pick(Seed, 4, 40);
    // Early leaves only near the bottom, so trees have their full depth on most paths.
    if constexpr (Depth <= 0 || (Depth == 1 && h % 100 < 20) || (Depth == 2 && h % 100 < 8)) {
        return random_leaf<child(Seed, 7)>();
    } else {
        constexpr unsigned op = static_cast<unsigned>((h >> 8) % (n_ops + (Reductions ? 3 : 0)));
        constexpr auto a = random_expr<B, child(Seed, 1), Depth - 1, Reductions>();
        if constexpr (op == 0) {
            return B::neg(a);
        } else if constexpr (op == 1) {
            return B::sq(a);
        } else if constexpr (op == 2) {
            if constexpr (variant < 2) return B::sqrt(B::add(1_c, B::sq(a)));
            else return B::sqrt(B::add(B::softplus(a), lit(0.25)));
        } else if constexpr (op == 3) {
            if constexpr (variant < 3) return B::exp(a);
            else return B::exp(B::sin(a));
        } else if constexpr (op == 4) {
            if constexpr (variant < 2) return B::log(B::add(1_c, B::sq(a)));
            else if constexpr (variant == 2) return B::log(B::add(2_c, B::sin(a)));
            else return B::log(B::sigmoid(a));
        } else if constexpr (op == 5) {
            return B::sin(a);
        } else if constexpr (op == 6) {
            return B::cos(a);
        } else if constexpr (op == 7) {
            // a bounded argument, away from the poles
            if constexpr (variant < 2) return B::tan(B::mul(exact<1, 2>, B::tanh(a)));
            else return B::tan(B::mul(lit(1.2), B::tanh(a)));
        } else if constexpr (op == 8) {
            return B::tanh(a);
        } else if constexpr (op == 9) {
            return B::sigmoid(a);
        } else if constexpr (op == 10) {
            if constexpr (variant < 3) return B::abs(a);
            else return B::sign(a);  // piecewise constant: derivative 0 away from the jump
        } else if constexpr (op == 11) {
            if constexpr (variant < 3) return B::relu(a);
            else return B::mul(B::step(a), a);
        } else if constexpr (op == 12) {
            return B::softplus(a);
        } else if constexpr (op == 13) {
            // An exact exponent: integer powers of anything, fractional ones of a positive base.
            if constexpr (variant == 0) return B::pow(a, 3_c);
            else if constexpr (variant == 1) return B::pow(B::add(1_c, B::sq(a)), exact<1, 3>);
            else if constexpr (variant == 2) return B::pow(B::add(2_c, B::sigmoid(a)), exact<-3, 2>);
            else return B::pow(B::add(1_c, B::sq(a)), exact<-1>);
        } else if constexpr (op == 14) {
            if constexpr (variant == 0) return B::mul(lit(0.75), a);
            else if constexpr (variant == 1) return B::div(a, lit(2.5));
            else if constexpr (variant == 2) return B::add(a, lit(1.5));
            else return B::mul(exact<-2, 3>, a);
        } else if constexpr (op == 15) {
            if constexpr (variant < 2) return B::pow(a, 4_c);
            else if constexpr (variant == 2) return B::sub(lit(1.5), a);
            else return B::pow(exact<3, 2>, a);  // an exact base, expression exponent
        } else {
            constexpr auto b = random_expr<B, child(Seed, 2), Depth - 1, Reductions>();
            // (variant 3 of 16, 17, 18, 23: like terms, which the builders simplify)
            if constexpr (op == 16) {
                if constexpr (variant < 3) return B::add(a, b);
                else return B::add(a, B::mul(exact<3, 2>, a));  // c1 x + c2 x = (c1 + c2) x
            } else if constexpr (op == 23) {
                if constexpr (variant < 3) return B::add(a, b);
                else return B::add(B::neg(a), B::neg(b));  // a + (-b) = a - b
            } else if constexpr (op == 17) {
                if constexpr (variant < 3) return B::sub(a, b);
                else return B::sub(B::mul(2_c, a), B::mul(a, exact<1, 2>));  // 2 x - x / 2 = 3/2 x
            } else if constexpr (op == 18) {
                if constexpr (variant < 3) return B::mul(a, b);
                else return B::mul(a, a);  // x x = x^2
            } else if constexpr (op == 19) {
                if constexpr (variant == 0) return B::div(a, B::add(2_c, B::sigmoid(b)));
                else if constexpr (variant == 1) return B::div(a, B::add(1_c, B::sq(b)));
                else if constexpr (variant == 2) return B::div(a, B::add(lit(1.5), B::cos(b)));
                else return B::div(B::add(a, b), B::add(1_c, B::sq(a)));
            } else if constexpr (op == 20) {
                return B::min(a, b);
            } else if constexpr (op == 21) {
                return B::max(a, b);
            } else if constexpr (op == 22) {
                if constexpr (variant < 2) return B::pow(B::add(1_c, B::sq(a)), b);
                else if constexpr (variant == 2) return B::pow(B::add(B::sigmoid(a), lit(0.5)), b);
                else return B::pow(B::add(2_c, B::sin(a)), B::tanh(b));
            } else if constexpr (op == 24) {
                return B::mul(B::mean(a), b);
            } else if constexpr (op == 25) {
                return B::add(a, B::div(B::sum(b), lit(4.0)));
            } else {
                return B::sub(b, B::mean(B::sq(a)));
            }
        }
    }
}

/// The number of nodes and leaves of an expression tree.
template <class E>
struct tree_size : std::integral_constant<int, 1> {};
template <class Op, class... A>
struct tree_size<node<Op, A...>> : std::integral_constant<int, 1 + (0 + ... + tree_size<A>::value)> {};
template <class E>
inline constexpr int size_of = tree_size<std::remove_cvref_t<E>>::value;

template <class E>
inline constexpr bool has_symbol =
    depends_on<E, symbol_t<"x">> || depends_on<E, symbol_t<"y">> || depends_on<E, symbol_t<"z">>;

/// The first of 32 derived seeds whose (raw) tree has MinSize .. MaxSize nodes and a symbol (the
/// symbol x, the one bound to a vector, when NeedX); the size cap bounds the compile time.
template <std::uint64_t Seed, int Depth, int MinSize, int MaxSize, bool Reductions, bool NeedX, int Attempt = 0>
constexpr std::uint64_t tree_seed() {
    constexpr std::uint64_t s = child(Seed, 1000 + Attempt);
    using E = std::remove_cvref_t<decltype(random_expr<raw, s, Depth, Reductions>())>;
    constexpr bool ok =
        size_of<E> >= MinSize && size_of<E> <= MaxSize && (NeedX ? depends_on<E, symbol_t<"x">> : has_symbol<E>);
    if constexpr (ok) {
        return s;
    } else {
        static_assert(Attempt < 31, "tree_seed: no acceptable tree in 32 attempts");
        return tree_seed<Seed, Depth, MinSize, MaxSize, Reductions, NeedX, Attempt + 1>();
    }
}

/// random_expr for the first acceptable derived seed (tree_seed), built with B.
template <class B, std::uint64_t Seed, int Depth, int MinSize, int MaxSize, bool Reductions = false, bool NeedX = false>
constexpr auto random_tree() {
    return random_expr<B, tree_seed<Seed, Depth, MinSize, MaxSize, Reductions, NeedX>(), Depth, Reductions>();
}

/// A scalar root (reduction) over an elementwise expression in the vector x (and the scalars y,
/// z) that may itself contain reductions.
template <class B, std::uint64_t Seed, int Depth, int MaxSize>
constexpr auto random_reduction() {
    constexpr auto e = random_tree<B, child(Seed, 11), Depth, 4, MaxSize, true, true>();
    constexpr unsigned r = pick(Seed, 6, 12);
    if constexpr (r == 0 || r == 1) {
        return B::sum(e);
    } else if constexpr (r == 2) {
        return B::mean(e);
    } else if constexpr (r == 3) {
        return B::add(B::tanh(B::sum(e)), B::mean(random_tree<B, child(Seed, 12), Depth - 1, 2, 6, true>()));
    } else if constexpr (r == 4) {
        return B::mul(B::log(B::add(1_c, B::sq(B::mean(e)))),
                      B::sum(B::sigmoid(random_tree<B, child(Seed, 13), Depth - 1, 2, 6, true>())));
    } else {
        return B::sum(B::mul(e, B::mean(random_tree<B, child(Seed, 14), Depth - 1, 2, 6, true>())));
    }
}

// ------------------------------------------------------------------ the reference evaluator
/// A value of the reference evaluator: n == 1 is a scalar (it broadcasts), else a vector.
struct rval {
    static constexpr int max_n = 8;
    int n = 1;
    std::array<double, max_n> v{};
    double operator[](int i) const { return n == 1 ? v[0] : v[i]; }
};

/// Symbol values plus the kink signature being recorded.
struct ref_env {
    rval x, y, z;
    std::vector<signed char>* signature = nullptr;
};

inline signed char sign_of(double v) { return v > 0 ? 1 : (v < 0 ? -1 : 0); }
inline void record(ref_env& env, const rval& kink_arg) {
    if (env.signature)
        for (int i = 0; i < kink_arg.n; ++i) env.signature->push_back(sign_of(kink_arg[i]));
}

// The operations, numbered so that the per-node template below only dispatches (keeps the
// compile cost per node type small); the arithmetic is in the non-template functions.
enum class ref_op {
    negate,
    square,
    sqrt,
    exp,
    log,
    sin,
    cos,
    tan,
    tanh,
    sigmoid,
    softplus,
    abs,
    relu,
    sign,
    step,
    sum,
    mean,
    add,
    subtract,
    multiply,
    divide,
    pow,
    min,
    max,
    unknown
};

template <class Op>
inline constexpr ref_op ref_op_of = ref_op::unknown;
template <>
inline constexpr ref_op ref_op_of<negate_op> = ref_op::negate;
template <>
inline constexpr ref_op ref_op_of<square_op> = ref_op::square;
template <>
inline constexpr ref_op ref_op_of<sqrt_op> = ref_op::sqrt;
template <>
inline constexpr ref_op ref_op_of<exp_op> = ref_op::exp;
template <>
inline constexpr ref_op ref_op_of<log_op> = ref_op::log;
template <>
inline constexpr ref_op ref_op_of<sin_op> = ref_op::sin;
template <>
inline constexpr ref_op ref_op_of<cos_op> = ref_op::cos;
template <>
inline constexpr ref_op ref_op_of<tan_op> = ref_op::tan;
template <>
inline constexpr ref_op ref_op_of<tanh_op> = ref_op::tanh;
template <>
inline constexpr ref_op ref_op_of<sigmoid_op> = ref_op::sigmoid;
template <>
inline constexpr ref_op ref_op_of<softplus_op> = ref_op::softplus;
template <>
inline constexpr ref_op ref_op_of<abs_op> = ref_op::abs;
template <>
inline constexpr ref_op ref_op_of<relu_op> = ref_op::relu;
template <>
inline constexpr ref_op ref_op_of<sign_op> = ref_op::sign;
template <>
inline constexpr ref_op ref_op_of<step_op> = ref_op::step;
template <>
inline constexpr ref_op ref_op_of<sum_op> = ref_op::sum;
template <>
inline constexpr ref_op ref_op_of<mean_op> = ref_op::mean;
template <>
inline constexpr ref_op ref_op_of<add_op> = ref_op::add;
template <>
inline constexpr ref_op ref_op_of<subtract_op> = ref_op::subtract;
template <>
inline constexpr ref_op ref_op_of<multiply_op> = ref_op::multiply;
template <>
inline constexpr ref_op ref_op_of<divide_op> = ref_op::divide;
template <>
inline constexpr ref_op ref_op_of<pow_op> = ref_op::pow;
template <>
inline constexpr ref_op ref_op_of<min_op> = ref_op::min;
template <>
inline constexpr ref_op ref_op_of<max_op> = ref_op::max;

// Written without looking at symdiff's formulas (textbook definitions, overflow-safe where needed).
inline double ref_sigmoid(double a) { return a >= 0 ? 1 / (1 + std::exp(-a)) : std::exp(a) / (1 + std::exp(a)); }
inline double ref_softplus(double a) { return a > 30 ? a + std::log1p(std::exp(-a)) : std::log1p(std::exp(a)); }

inline rval ref_unary(ref_op op, const rval& a, ref_env& env) {
    if (op == ref_op::sum || op == ref_op::mean) {
        double s = 0;
        for (int i = 0; i < a.n; ++i) s += a.v[i];
        return rval{1, {op == ref_op::mean ? s / a.n : s}};
    }
    if (op == ref_op::abs || op == ref_op::relu || op == ref_op::sign || op == ref_op::step) record(env, a);
    rval r;
    r.n = a.n;
    for (int i = 0; i < a.n; ++i) {
        const double u = a.v[i];
        double w = 0;
        switch (op) {
            case ref_op::negate: w = -u; break;
            case ref_op::square: w = u * u; break;
            case ref_op::sqrt: w = std::sqrt(u); break;
            case ref_op::exp: w = std::exp(u); break;
            case ref_op::log: w = std::log(u); break;
            case ref_op::sin: w = std::sin(u); break;
            case ref_op::cos: w = std::cos(u); break;
            case ref_op::tan: w = std::tan(u); break;
            case ref_op::tanh: w = std::tanh(u); break;
            case ref_op::sigmoid: w = ref_sigmoid(u); break;
            case ref_op::softplus: w = ref_softplus(u); break;
            case ref_op::abs: w = std::fabs(u); break;
            case ref_op::relu: w = u > 0 ? u : 0.0; break;
            case ref_op::sign: w = u > 0 ? 1.0 : (u < 0 ? -1.0 : 0.0); break;
            case ref_op::step: w = u > 0 ? 1.0 : 0.0; break;
            default: w = std::nan(""); break;
        }
        r.v[i] = w;
    }
    return r;
}

inline rval ref_binary(ref_op op, const rval& a, const rval& b, ref_env& env) {
    rval r;
    r.n = a.n > b.n ? a.n : b.n;
    if (op == ref_op::min || op == ref_op::max) {
        rval d;
        d.n = r.n;
        for (int i = 0; i < r.n; ++i) d.v[i] = a[i] - b[i];
        record(env, d);
    }
    for (int i = 0; i < r.n; ++i) {
        const double u = a[i], w = b[i];
        double q = 0;
        switch (op) {
            case ref_op::add: q = u + w; break;
            case ref_op::subtract: q = u - w; break;
            case ref_op::multiply: q = u * w; break;
            case ref_op::divide: q = u / w; break;
            case ref_op::pow: q = std::pow(u, w); break;
            case ref_op::min: q = u < w ? u : w; break;
            case ref_op::max: q = u > w ? u : w; break;
            default: q = std::nan(""); break;
        }
        r.v[i] = q;
    }
    return r;
}

template <class E>
rval ref_eval(const E& e, ref_env& env) {
    if constexpr (Constant<E>) {
        return rval{1, {E::template as<double>()}};
    } else if constexpr (Literal<E>) {
        return rval{1, {static_cast<double>(e.value)}};
    } else if constexpr (std::is_same_v<E, symbol_t<"x">>) {
        return env.x;
    } else if constexpr (std::is_same_v<E, symbol_t<"y">>) {
        return env.y;
    } else if constexpr (std::is_same_v<E, symbol_t<"z">>) {
        return env.z;
    } else {
        constexpr ref_op op = ref_op_of<typename E::op>;
        static_assert(op != ref_op::unknown, "ref_eval: an operation the reference evaluator does not know");
        if constexpr (E::arity == 1) return ref_unary(op, ref_eval(e.template arg<0>(), env), env);
        else return ref_binary(op, ref_eval(e.template arg<0>(), env), ref_eval(e.template arg<1>(), env), env);
    }
}

// ------------------------------------------------------------------ printing for failure messages
// Prefix notation, e.g. add(sin(x), mul(0.5, y)). Cheaper to compile than to_string (which costs
// ~0.1 s per expression), and it prints the tree exactly as built, raw or simplified.
inline const char* ref_op_name(ref_op op) {
    constexpr const char* names[] = {"neg",     "square",   "sqrt", "exp",  "log",  "sin",  "cos", "tan",  "tanh",
                                     "sigmoid", "softplus", "abs",  "relu", "sign", "step", "sum", "mean", "add",
                                     "sub",     "mul",      "div",  "pow",  "min",  "max",  "?"};
    return names[static_cast<int>(op)];
}

// The string work is in these non-template functions, compiled once; the per-node template only
// calls them (inlined string concatenation in every node's instantiation costs compile time).
[[gnu::noinline]] inline void print_constant(std::string& out, long long num, long long den) {
    out += std::to_string(num);
    if (den != 1) out += "/" + std::to_string(den);
}
[[gnu::noinline]] inline void print_literal(std::string& out, double v) {
    std::ostringstream os;
    os << v << "_lit";
    out += os.str();
}
[[gnu::noinline]] inline void print_text(std::string& out, const char* text) { out += text; }
[[gnu::noinline]] inline void print_open(std::string& out, ref_op op) {
    out += ref_op_name(op);
    out += '(';
}

template <class E>
void ref_print_to(const E& e, std::string& out) {
    if constexpr (Constant<E>) {
        print_constant(out, E::num, E::den);
    } else if constexpr (Literal<E>) {
        print_literal(out, static_cast<double>(e.value));
    } else if constexpr (Symbol<E>) {
        print_text(out, E::name.data);
    } else {
        print_open(out, ref_op_of<typename E::op>);
        ref_print_to(e.template arg<0>(), out);
        if constexpr (E::arity == 2) {
            print_text(out, ", ");
            ref_print_to(e.template arg<1>(), out);
        }
        print_text(out, ")");
    }
}

template <class E>
std::string ref_print(const E& e) {
    std::string out;
    ref_print_to(e, out);
    return out;
}

}  // namespace symdiff_random
