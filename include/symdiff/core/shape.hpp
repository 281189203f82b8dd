#pragma once
// Shapes at evaluation time, NumPy broadcasting, and the exception for incompatible shapes.
#include <algorithm>
#include <array>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <sstream>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <vector>

namespace symdiff {

/// Thrown when operands have incompatible shapes; the message names the operation and the shapes.
struct shape_error : std::invalid_argument {
    using std::invalid_argument::invalid_argument;
};

using shape_type = std::vector<std::size_t>;

/// `(3, 2)`; a scalar is `()`.
inline std::string shape_to_string(const shape_type& s) {
    std::ostringstream os;
    os << '(';
    for (std::size_t i = 0; i < s.size(); ++i) os << (i ? ", " : "") << s[i];
    os << ')';
    return os.str();
}

namespace detail {

/// A number as messages and printed formulas write it: the shortest text that reads back as the
/// same value (2, 0.5, -1e-09, 1e+20, inf); never a cast to an integer.
inline std::string number_to_string(double v) {
    std::array<char, 64> buf{};
    auto r = std::to_chars(buf.data(), buf.data() + buf.size(), v);
    return std::string(buf.data(), r.ptr);
}

/// An index or a label read from an array of T, refused (shape_error, `what()` first: built only
/// then) when it lies beyond 2^digits (2^24 for float): T does not hold every integer there, so
/// converting the bound integers to T may have moved it to its neighbour (16777217 becomes
/// 16777216 in float).
template <class T, class What>
void require_exact_integer(T v, What&& what) {
    constexpr T limit = static_cast<T>(std::uint64_t{1} << std::numeric_limits<T>::digits);
    if (v >= limit || v <= -limit)
        throw shape_error(
            what() + " is not below " + number_to_string(static_cast<double>(limit)) + " in magnitude, where " +
            (sizeof(T) == 4 ? "float" : "this number type") +
            " does not hold every integer (the value may have been rounded): evaluate with double arrays");
}

template <class V>
constexpr shape_type shape_of(const V& v) {
    if constexpr (std::is_arithmetic_v<V>) {
        return {};
    } else {
        return shape_type(v.shape().begin(), v.shape().end());
    }
}

constexpr std::size_t count_of(const shape_type& s) {
    std::size_t n = 1;
    for (auto d : s)
        if (__builtin_mul_overflow(n, d, &n))
            throw shape_error("an array of shape " + shape_to_string(s) + " has more elements than memory can address");
    return n;
}

/// NumPy broadcasting of two shapes; `ok` is false when a dimension pair is neither equal nor 1.
inline shape_type broadcast_shapes(const shape_type& a, const shape_type& b, bool& ok) {
    ok = true;
    shape_type r(std::max(a.size(), b.size()));
    for (std::size_t i = 0; i < r.size(); ++i) {
        const std::size_t da = i < a.size() ? a[a.size() - 1 - i] : 1;
        const std::size_t db = i < b.size() ? b[b.size() - 1 - i] : 1;
        if (da != db && da != 1 && db != 1) ok = false;
        r[r.size() - 1 - i] = da == 1 ? db : da;
    }
    return r;
}

/// Does `from` broadcast to exactly `to`?
inline bool broadcasts_to(const shape_type& from, const shape_type& to) {
    bool ok = true;
    const auto r = broadcast_shapes(from, to, ok);
    return ok && r == to;
}

/// Throws shape_error unless `from` broadcasts to exactly `to`.
inline void require_broadcastable_to(const shape_type& from, const shape_type& to, const std::string& what) {
    if (!broadcasts_to(from, to))
        throw shape_error(what + ": shape " + shape_to_string(from) + " does not broadcast to " + shape_to_string(to));
}

}  // namespace detail
}  // namespace symdiff
