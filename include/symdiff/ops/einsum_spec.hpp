#pragma once
// The subscripts of an einsum, parsed at compile time into a value (`einsum_spec`) that is the
// operation's template argument: two strings that mean the same contraction ("ij,jk->ik" and
// "ij,jk") give the same type, so common subexpressions are shared.
//
//   grammar:   operands "->" output   |   operands            (implicit output: the letters that
//              operands = operand ("," operand)*                 appear once, in alphabetical order)
//              operand  = ["*"] letter*                       (a-z, A-Z; "*": read for the shape only)
//              spaces anywhere are ignored; NumPy's "..." (broadcast axes) is refused in words
//
// The derivative of an einsum is an einsum (Ricci calculus). For z = einsum(s_1, ..., s_n -> o)
// of a_1, ..., a_n, operand k receives
//     einsum(o, s_1, ..., s_n without s_k [, *s_k] -> s_k)(z̄, a_1, ..., a_n without a_k [, a_k])
// where the shape-only `*s_k` is there when a letter of s_k appears in no other operand and not
// in o (it was summed over a_k alone: its extent comes from a_k's shape, the values broadcast).
#include <array>
#include <cstddef>
#include <string_view>

namespace symdiff::detail {

inline constexpr std::size_t einsum_max_operands = 4;  ///< with a shape-only one (derivatives)
inline constexpr std::size_t einsum_max_value_operands = 3;
inline constexpr std::size_t einsum_max_rank = 8;

enum class einsum_error : unsigned char {
    none,
    not_a_letter,
    too_many_operands,
    rank_too_high,
    output_letter_not_in_operands,
    misplaced_shape_marker,
    no_value_operand,
    ellipsis,
};

/// A parsed subscript string. Unused entries stay zero, so equal contractions compare equal.
struct einsum_spec {
    std::size_t n = 0;  ///< operands
    std::array<std::array<char, einsum_max_rank>, einsum_max_operands> sub{};
    std::array<std::size_t, einsum_max_operands> rank{};
    std::array<bool, einsum_max_operands> shape_only{};
    std::array<char, einsum_max_rank> out{};
    std::size_t out_rank = 0;
    einsum_error error = einsum_error::none;

    constexpr bool operator==(const einsum_spec&) const = default;

    constexpr std::size_t value_operands() const {
        std::size_t v = 0;
        for (std::size_t k = 0; k < n; ++k) v += shape_only[k] ? 0 : 1;
        return v;
    }
    constexpr bool operand_has(std::size_t k, char c) const {
        for (std::size_t i = 0; i < rank[k]; ++i)
            if (sub[k][i] == c) return true;
        return false;
    }
    constexpr bool output_has(char c) const {
        for (std::size_t i = 0; i < out_rank; ++i)
            if (out[i] == c) return true;
        return false;
    }
    constexpr void add_operand(const std::array<char, einsum_max_rank>& s, std::size_t r, bool shape) {
        sub[n] = s;
        rank[n] = r;
        shape_only[n] = shape;
        ++n;
    }
};

constexpr bool einsum_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

constexpr einsum_spec parse_einsum(std::string_view s) {
    einsum_spec p;
    // (index loops, not string_view::find: g++ cannot constant-evaluate find under -fsanitize)
    std::size_t arrow = s.size();
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
        if (s[i] == '-' && s[i + 1] == '>') {
            arrow = i;
            break;
        }
    const std::string_view ins = s.substr(0, arrow);
    auto fail = [&p](einsum_error e) {
        p.error = e;
        return p;
    };
    // operands
    std::size_t k = 0, r = 0;
    bool shape = false, operand_open = true;
    for (std::size_t i = 0; i <= ins.size(); ++i) {
        if (i == ins.size() || ins[i] == ',') {
            if (k >= einsum_max_operands) return fail(einsum_error::too_many_operands);
            p.rank[k] = r;
            p.shape_only[k] = shape;
            ++k;
            r = 0;
            shape = false;
            operand_open = true;
            continue;
        }
        const char c = ins[i];
        if (c == ' ') continue;  // (spaces are allowed, as NumPy and PyTorch allow them)
        if (c == '.') return fail(einsum_error::ellipsis);
        if (c == '*') {
            if (!operand_open) return fail(einsum_error::misplaced_shape_marker);
            shape = true;
            operand_open = false;
            continue;
        }
        operand_open = false;
        if (!einsum_letter(c)) return fail(einsum_error::not_a_letter);
        if (r >= einsum_max_rank) return fail(einsum_error::rank_too_high);
        p.sub[k][r++] = c;
    }
    p.n = k;
    if (p.value_operands() == 0) return fail(einsum_error::no_value_operand);
    // output
    if (arrow != s.size()) {
        for (std::size_t at = arrow + 2; at < s.size(); ++at) {
            const char c = s[at];
            if (c == ' ') continue;
            if (c == '.') return fail(einsum_error::ellipsis);
            if (!einsum_letter(c)) return fail(einsum_error::not_a_letter);
            if (p.out_rank >= einsum_max_rank) return fail(einsum_error::rank_too_high);
            bool found = false;
            for (std::size_t j = 0; j < p.n; ++j) found = found || p.operand_has(j, c);
            if (!found) return fail(einsum_error::output_letter_not_in_operands);
            p.out[p.out_rank++] = c;
        }
    } else {  // NumPy's implicit output: the letters seen once, sorted
        for (char c = 'A'; c <= 'z'; ++c) {
            if (!einsum_letter(c)) continue;
            std::size_t seen = 0;
            for (std::size_t j = 0; j < p.n; ++j)
                for (std::size_t i = 0; i < p.rank[j]; ++i) seen += p.sub[j][i] == c ? 1 : 0;
            if (seen == 1) {
                if (p.out_rank >= einsum_max_rank) return fail(einsum_error::rank_too_high);
                p.out[p.out_rank++] = c;
            }
        }
    }
    return p;
}

/// The text of a spec, explicit output: "ij,jk->ik".
struct einsum_text {
    std::array<char, einsum_max_operands*(einsum_max_rank + 2) + einsum_max_rank + 3> chars{};
    std::size_t size = 0;
    constexpr bool operator==(const einsum_text&) const = default;
    constexpr std::string_view view() const { return {chars.data(), size}; }
};

constexpr einsum_text einsum_to_text(const einsum_spec& p) {
    einsum_text t;
    for (std::size_t k = 0; k < p.n; ++k) {
        if (k) t.chars[t.size++] = ',';
        if (p.shape_only[k]) t.chars[t.size++] = '*';
        for (std::size_t i = 0; i < p.rank[k]; ++i) t.chars[t.size++] = p.sub[k][i];
    }
    t.chars[t.size++] = '-';
    t.chars[t.size++] = '>';
    for (std::size_t i = 0; i < p.out_rank; ++i) t.chars[t.size++] = p.out[i];
    return t;
}

/// Where each operand of a derived einsum comes from: an operand of the original node, or the
/// adjoint.
using einsum_sources = std::array<int, einsum_max_operands>;

/// Reverse mode: the spec handed to value operand `k` (see the header comment) and its sources.
/// Operand k itself is read for its shape when one of its letters is in no other operand, and
/// when `pin` asks: for a full contraction whose adjoint does not compute it (a number, or a
/// symbol, as in c * tr(AB)), nothing else would compare operand k's extents with the others'
/// (a gradient of the wrong shape instead of the loss's shape_error).
constexpr einsum_spec einsum_pullback_spec(const einsum_spec& p, std::size_t k, bool pin = false) {
    einsum_spec q;
    q.add_operand(p.out, p.out_rank, false);
    for (std::size_t j = 0; j < p.n; ++j)
        if (j != k && !p.shape_only[j]) q.add_operand(p.sub[j], p.rank[j], false);
    bool need_shape = pin;
    for (std::size_t i = 0; i < p.rank[k]; ++i) {
        bool found = false;
        for (std::size_t j = 0; j < q.n; ++j) found = found || q.operand_has(j, p.sub[k][i]);
        need_shape = need_shape || !found;
    }
    if (need_shape) q.add_operand(p.sub[k], p.rank[k], true);
    q.out = p.sub[k];
    q.out_rank = p.rank[k];
    return q;
}

/// (`adjoint`: the index that stands for the adjoint.)
constexpr einsum_sources einsum_pullback_sources(const einsum_spec& p, std::size_t k, int adjoint, bool pin = false) {
    einsum_sources src{adjoint, adjoint, adjoint, adjoint};
    std::size_t m = 1;
    for (std::size_t j = 0; j < p.n; ++j)
        if (j != k && !p.shape_only[j]) src[m++] = static_cast<int>(j);
    if (einsum_pullback_spec(p, k, pin).n > m) src[m] = static_cast<int>(k);
    return src;
}

/// The spec without operand `k` (a number factored out of the contraction).
constexpr einsum_spec einsum_without(const einsum_spec& p, std::size_t k) {
    einsum_spec q;
    for (std::size_t j = 0; j < p.n; ++j)
        if (j != k) q.add_operand(p.sub[j], p.rank[j], p.shape_only[j]);
    q.out = p.out;
    q.out_rank = p.out_rank;
    return q;
}

/// Is the contraction the identity on its only operand ("ij->ij")?
constexpr bool einsum_is_identity(const einsum_spec& p) {
    if (p.n != 1 || p.shape_only[0] || p.rank[0] != p.out_rank) return false;
    for (std::size_t i = 0; i < p.out_rank; ++i) {
        if (p.sub[0][i] != p.out[i]) return false;
        for (std::size_t j = 0; j < i; ++j)
            if (p.out[j] == p.out[i]) return false;
    }
    return true;
}

}  // namespace symdiff::detail
