#pragma once
// The non-template half of the randomised derivative tests (see random_expr.hpp): finite
// differences, tolerances, skip rules and counters. Each expression contributes a few function
// pointers; everything else is compiled once per translation unit.
//
// Finite differences: Richardson-extrapolated central differences (the 5-point stencil)
//   D(h) = (f(p + h) - f(p - h)) / 2h,   R = (4 D(h) - D(2h)) / 3,   error O(h^4)
// with h = 1e-3 max(1, |p|). |D(h) - D(2h)| estimates the truncation error of D(h); when it is
// large compared to the derivative the stencil is too coarse for the function and the sample is
// skipped (counted). Tolerance: 1e-6 (1 + |R|) + 0.05 |D(h) - D(2h)| + rounding 1e-12 mag / h,
// mag the largest magnitude of the function on the stencil. Values (symdiff against the reference,
// vector-bound against scalar evaluations) must agree to 1e-10 relative.
//
// A sample is skipped (and counted) when
//   - a kink argument (abs, relu, sign, step: a; min, max: a - b) changes sign on the stencil
//     (the function is not smooth there);
//   - some value on the stencil is not finite or larger than 1e6 in magnitude.
// Every test asserts that it performed at least a minimum number of checks and that the skips
// stay below a fraction of the samples, so a suite that silently checks nothing fails.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include <boost/test/unit_test.hpp>

#include "random_expr.hpp"

namespace symdiff_random {

struct stats {
    int expressions = 0;
    int points = 0;           // sample points tried
    int value_checks = 0;     // symdiff value == reference value
    int fd_checks = 0;        // first derivative == finite difference
    int second_checks = 0;    // second derivative == finite difference of the first
    int vector_checks = 0;    // vector-bound evaluation == scalar evaluations (incl. reverse mode)
    int gradient_checks = 0;  // gradient of a reduction == finite difference (entrywise)
    int skipped_kink = 0;
    int skipped_range = 0;
    int skipped_fd = 0;
    int failures = 0;

    int checks() const { return value_checks + fd_checks + second_checks + vector_checks + gradient_checks; }
    int skips() const { return skipped_kink + skipped_range + skipped_fd; }
    std::string summary() const {
        std::ostringstream os;
        os << expressions << " expressions, " << checks() << " checks (" << value_checks << " values, " << fd_checks
           << " first derivatives, " << second_checks << " second derivatives, " << vector_checks
           << " vector-vs-scalar, " << gradient_checks << " reduction gradients); skipped " << skipped_kink
           << " near kinks, " << skipped_range << " out of range, " << skipped_fd << " FD too coarse; " << failures
           << " failures";
        return os.str();
    }
};

inline constexpr double max_magnitude = 1e6;
inline constexpr int vec_n = 5;  // length of the vector bound to x

using ref_fn = rval (*)(ref_env&);
using name_fn = std::string (*)();

/// One evaluation of the reference: the value (n == 1), its kink signature and magnitude.
struct ref_sample {
    rval value;
    std::vector<signed char> signature;
    bool ok = true;  // finite and within range
    double mag = 0;  // largest |value|
};

inline ref_sample ref_at(ref_fn f, const rval& px, const rval& py, const rval& pz) {
    ref_sample s;
    ref_env env{px, py, pz, &s.signature};
    s.value = f(env);
    for (int i = 0; i < s.value.n; ++i) {
        const double v = s.value.v[i];
        if (!std::isfinite(v) || std::fabs(v) > max_magnitude) s.ok = false;
        s.mag = std::max(s.mag, std::fabs(v));
    }
    return s;
}

inline rval scalar(double v) { return rval{1, {v}}; }

/// A point drawn from `seed`: uniform in [-2.5, 2.5], sometimes exactly 0 or 1.
inline double random_coordinate(std::uint64_t seed) {
    const std::uint64_t h = splitmix64(seed);
    if (h % 16 == 0) return 0.0;
    if (h % 16 == 1) return 1.0;
    return -2.5 + 5.0 * static_cast<double>(h >> 11) * 0x1.0p-53;
}

inline double fd_step(double p) { return 1e-3 * std::max(1.0, std::fabs(p)); }

/// The outcome of comparing a symbolic derivative with finite differences.
enum class fd_result { pass, skip_kink, skip_range, skip_fd };

struct fd_estimate {
    double value = 0, error = 0, mag = 0;
    fd_result status = fd_result::pass;
};

/// Richardson central difference along one coordinate. `g(offset, value&, mag&)` evaluates at
/// p + offset e_k; it returns skip_kink when the kink signature differs from the centre's,
/// skip_range when the value is not finite or too large.
template <class G>
fd_estimate richardson(double h, G&& g) {
    fd_estimate est;
    double v[4];
    const double offsets[4] = {-2 * h, -h, h, 2 * h};
    for (int i = 0; i < 4; ++i) {
        const fd_result r = g(offsets[i], v[i], est.mag);
        if (r != fd_result::pass) {
            est.status = r;
            return est;
        }
    }
    const double d1 = (v[2] - v[1]) / (2 * h);
    const double d2 = (v[3] - v[0]) / (4 * h);
    est.value = (4 * d1 - d2) / 3;
    est.error = std::fabs(d1 - d2);
    if (!std::isfinite(est.value) || est.error > 1e-2 * (1 + std::fabs(est.value))) est.status = fd_result::skip_fd;
    return est;
}

inline bool close_fd(double got, const fd_estimate& fd, double h) {
    const double tol = 1e-6 * (1 + std::fabs(fd.value)) + 0.05 * fd.error + 1e-12 * fd.mag / h;
    return std::isfinite(got) && std::fabs(got - fd.value) <= tol;
}

inline bool close_exact(double got, double want, double scale) {
    return std::isfinite(got) && std::fabs(got - want) <= 1e-10 * (1 + std::fabs(want) + scale);
}

inline void count_skip(stats& st, fd_result r) {
    if (r == fd_result::skip_kink) ++st.skipped_kink;
    else if (r == fd_result::skip_range) ++st.skipped_range;
    else if (r == fd_result::skip_fd) ++st.skipped_fd;
}

inline const char* var_name(int k) { return k == 0 ? "x" : (k == 1 ? "y" : "z"); }

inline void report(stats& st, std::uint64_t seed, name_fn name, const std::string& what) {
    ++st.failures;
    BOOST_ERROR("seed " << seed << ": " << what << "\n    f = " << name());
}

// ------------------------------------------------------------------ scalar checks
/// f(p) and its three first derivatives, from symdiff; false if a result was not a number.
using sym_fn = bool (*)(const double* p, double* out);
/// df/du and two second derivatives d2f/du2, d2f/dudv (the variables are chosen per expression).
using sym2_fn = bool (*)(const double* p, double* out);

/// Values and first derivatives at `n_points` points; second derivatives too when `sym2` is given
/// (u, v: the variables of d2f/du2 and d2f/dudv).
inline void check_scalar(stats& st, std::uint64_t seed, name_fn name, ref_fn ref, sym_fn sym, sym2_fn sym2, int u,
                         int v, int n_points) {
    ++st.expressions;
    for (int k = 0; k < n_points; ++k) {
        double p[3];
        for (int c = 0; c < 3; ++c) p[c] = random_coordinate(child(seed, 100 + 3 * k + c));
        ++st.points;
        const ref_sample centre = ref_at(ref, scalar(p[0]), scalar(p[1]), scalar(p[2]));
        if (!centre.ok) {
            ++st.skipped_range;
            continue;
        }
        double out[4];
        if (!sym(p, out)) {
            report(st, seed, name, "scalar bindings gave an array result");
            continue;
        }
        const auto where = [&] {
            std::ostringstream os;
            os.precision(17);
            os << " at (x, y, z) = (" << p[0] << ", " << p[1] << ", " << p[2] << ")";
            return os.str();
        };
        if (close_exact(out[0], centre.value.v[0], centre.mag)) {
            ++st.value_checks;
        } else {
            std::ostringstream os;
            os.precision(17);
            os << "value " << out[0] << " != reference " << centre.value.v[0] << where();
            report(st, seed, name, os.str());
        }
        // f at p + off e_c, through the reference (or, for second derivatives, symdiff's df/du)
        const auto stencil = [&](int c, bool first_derivative) {
            return [&, c, first_derivative](double off, double& val, double& mag) {
                double q[3] = {p[0], p[1], p[2]};
                q[c] += off;
                const ref_sample s = ref_at(ref, scalar(q[0]), scalar(q[1]), scalar(q[2]));
                if (s.signature != centre.signature) return fd_result::skip_kink;
                if (!s.ok) return fd_result::skip_range;
                if (first_derivative) {
                    double o[3];
                    if (!sym2(q, o)) return fd_result::skip_range;  // reported at the centre
                    if (!std::isfinite(o[0]) || std::fabs(o[0]) > max_magnitude) return fd_result::skip_range;
                    val = o[0];
                    mag = std::max(mag, std::fabs(o[0]));
                } else {
                    val = s.value.v[0];
                    mag = std::max(mag, s.mag);
                }
                return fd_result::pass;
            };
        };
        for (int c = 0; c < 3; ++c) {
            const double h = fd_step(p[c]);
            fd_estimate fd = richardson(h, stencil(c, false));
            fd.mag = std::max(fd.mag, centre.mag);
            if (fd.status != fd_result::pass) {
                count_skip(st, fd.status);
                continue;
            }
            if (close_fd(out[1 + c], fd, h)) {
                ++st.fd_checks;
            } else {
                std::ostringstream os;
                os.precision(17);
                os << "d/d" << var_name(c) << " = " << out[1 + c] << " but finite differences give " << fd.value
                   << " (+- " << fd.error << ")" << where();
                report(st, seed, name, os.str());
            }
        }
        if (!sym2) continue;
        double o2[3];
        if (!sym2(p, o2)) {
            report(st, seed, name, "second derivatives: scalar bindings gave an array result");
            continue;
        }
        if (!close_exact(o2[0], out[1 + u], 0)) {
            std::ostringstream os;
            os.precision(17);
            os << "d/d" << var_name(u) << " evaluated alone " << o2[0] << " != " << out[1 + u] << where();
            report(st, seed, name, os.str());
        }
        const int dirs[2] = {u, v};
        for (int j = 0; j < 2; ++j) {
            const int c = dirs[j];
            const double h = fd_step(p[c]);
            fd_estimate fd = richardson(h, stencil(c, true));
            if (fd.status != fd_result::pass) {
                count_skip(st, fd.status);
                continue;
            }
            if (close_fd(o2[1 + j], fd, h)) {
                ++st.second_checks;
            } else {
                std::ostringstream os;
                os.precision(17);
                os << "d2/d" << var_name(u) << "d" << var_name(c) << " = " << o2[1 + j]
                   << " but finite differences of d/d" << var_name(u) << " give " << fd.value << " (+- " << fd.error
                   << ")" << where();
                report(st, seed, name, os.str());
            }
        }
    }
}

// ------------------------------------------------------------------ vector-bound evaluation
/// With x bound to a vector X (length vec_n) and y, z scalars: out[0] = f, out[1] = df/dx
/// (elementwise, vec_n numbers each; scalars broadcast), out[2] = the reverse-mode gradient of
/// sum(f) w.r.t. x; out[3..5] = {sum(f)}, {d sum(f)/dy}, {d sum(f)/dz}. False: a wrong shape.
using symvec_fn = bool (*)(const double* X, double y, double z, std::vector<double>* out);

inline void check_vector(stats& st, std::uint64_t seed, name_fn name, ref_fn ref, sym_fn sym, symvec_fn symvec,
                         bool depends_on_x) {
    double X[vec_n];
    for (int i = 0; i < vec_n; ++i) X[i] = random_coordinate(child(seed, 500 + i));
    const double yy = random_coordinate(child(seed, 520)), zz = random_coordinate(child(seed, 521));
    // every point within range, else the comparison is meaningless
    for (int i = 0; i < vec_n; ++i)
        if (!ref_at(ref, scalar(X[i]), scalar(yy), scalar(zz)).ok) {
            ++st.skipped_range;
            return;
        }
    std::vector<double> out[6];
    if (!symvec(X, yy, zz, out)) {
        report(st, seed, name, "vector-bound evaluation: a result has the wrong shape");
        return;
    }
    const auto fail = [&](const std::string& what, double got, double want, int i) {
        std::ostringstream os;
        os.precision(17);
        os << "x bound to a vector: " << what << " = " << got << " but the scalar evaluations give " << want;
        if (i >= 0) os << " at (" << X[i] << ", " << yy << ", " << zz << ")";
        report(st, seed, name, os.str());
    };
    double sums[3] = {0, 0, 0}, abs_sums[3] = {0, 0, 0};  // f, df/dy, df/dz over the elements
    for (int i = 0; i < vec_n; ++i) {
        const double p[3] = {X[i], yy, zz};
        double s[4];
        if (!sym(p, s)) return;  // reported by check_scalar
        const std::string at = "[" + std::to_string(i) + "]";
        if (close_exact(out[0][i], s[0], 0)) ++st.vector_checks;
        else fail("f" + at, out[0][i], s[0], i);
        if (close_exact(out[1][i], s[1], 0)) ++st.vector_checks;
        else fail("df/dx" + at, out[1][i], s[1], i);
        if (close_exact(out[2][i], s[1], 0)) ++st.vector_checks;
        else fail("reverse mode d sum(f) / dx" + at, out[2][i], s[1], i);
        const double parts[3] = {s[0], s[2], s[3]};
        for (int c = 0; c < 3; ++c) {
            sums[c] += parts[c];
            abs_sums[c] += std::fabs(parts[c]);
        }
    }
    const char* what[3] = {"sum(f)", "d sum(f) / dy", "d sum(f) / dz"};
    for (int c = 0; c < 3; ++c) {
        // sum(f) sums vec_n elements when f depends on x; otherwise f is a scalar and sum(f) = f
        const double want = depends_on_x ? sums[c] : sums[c] / vec_n;
        if (close_exact(out[3 + c][0], want, abs_sums[c])) ++st.vector_checks;
        else fail(what[c], out[3 + c][0], want, -1);
    }
}

// ------------------------------------------------------------------ reductions
/// R and its gradients for x = X (vector), y, z: out[0] = {R}, out[1] = dR/dx (vec_n entries),
/// out[2] = {dR/dy}, out[3] = {dR/dz}.
using symred_fn = bool (*)(const double* X, double y, double z, std::vector<double>* out);

inline void check_reduction(stats& st, std::uint64_t seed, name_fn name, ref_fn ref, symred_fn symred, int n_points) {
    ++st.expressions;
    for (int k = 0; k < n_points; ++k) {
        ++st.points;
        rval X;
        X.n = vec_n;
        for (int i = 0; i < vec_n; ++i) X.v[i] = random_coordinate(child(seed, 700 + 10 * k + i));
        const double yy = random_coordinate(child(seed, 790 + 2 * k)), zz = random_coordinate(child(seed, 791 + 2 * k));
        const ref_sample centre = ref_at(ref, X, scalar(yy), scalar(zz));
        if (!centre.ok) {
            ++st.skipped_range;
            continue;
        }
        std::vector<double> out[4];
        if (!symred(X.v.data(), yy, zz, out)) {
            report(st, seed, name, "gradient of a reduction: a result has the wrong shape");
            continue;
        }
        if (close_exact(out[0][0], centre.value.v[0], centre.mag)) {
            ++st.value_checks;
        } else {
            std::ostringstream os;
            os.precision(17);
            os << "reduction value " << out[0][0] << " != reference " << centre.value.v[0];
            report(st, seed, name, os.str());
        }
        // coordinates: x[0..vec_n), then y, z
        for (int c = 0; c < vec_n + 2; ++c) {
            const double base = c < vec_n ? X.v[c] : (c == vec_n ? yy : zz);
            const double h = fd_step(base);
            fd_estimate fd = richardson(h, [&](double off, double& val, double& mag) {
                rval q = X;
                double qy = yy, qz = zz;
                if (c < vec_n) q.v[c] += off;
                else if (c == vec_n) qy += off;
                else qz += off;
                const ref_sample s = ref_at(ref, q, scalar(qy), scalar(qz));
                if (s.signature != centre.signature) return fd_result::skip_kink;
                if (!s.ok) return fd_result::skip_range;
                val = s.value.v[0];
                mag = std::max(mag, s.mag);
                return fd_result::pass;
            });
            fd.mag = std::max(fd.mag, centre.mag);
            if (fd.status != fd_result::pass) {
                count_skip(st, fd.status);
                continue;
            }
            const double got = c < vec_n ? out[1][c] : out[c - vec_n + 2][0];
            if (close_fd(got, fd, h)) {
                ++st.gradient_checks;
            } else {
                std::ostringstream os;
                os.precision(17);
                os << "gradient d/d"
                   << (c < vec_n ? "x[" + std::to_string(c) + "]" : std::string(var_name(c - vec_n + 1))) << " = "
                   << got << " but finite differences give " << fd.value << " (+- " << fd.error << ") at x = (";
                for (int i = 0; i < vec_n; ++i) os << (i ? ", " : "") << X.v[i];
                os << "), y = " << yy << ", z = " << zz;
                report(st, seed, name, os.str());
            }
        }
    }
}

/// Prints the counters and asserts that enough was checked.
inline void finish(const stats& st, const char* what, int expressions, int min_checks) {
    BOOST_TEST_MESSAGE(what << ": " << st.summary());
    BOOST_TEST(st.expressions == expressions);
    BOOST_TEST(st.checks() >= min_checks);
    // skips are legitimate (kinks, huge values) but must stay a minority of the attempts
    BOOST_TEST(st.skips() * 4 <= st.checks());
    BOOST_TEST(st.failures == 0);
}

}  // namespace symdiff_random
