#pragma once
// The text of a program node for messages ("x + y: cannot broadcast shapes (3) and (4)"),
// written from the lowered program at run time: no printer is compiled per expression type.
// Operations are written by their notation and precedence, as to_string does, without the
// print_as rewrites (a gradient reduction reads `sum_to(h, d, t)` here).
#include <array>
#include <cstddef>
#include <string>

#include "../print/printer.hpp"
#include "lower.hpp"

namespace symdiff::detail {

struct program_view {
    const expr_info* const* node;
    const std::array<int, 4>* operand;
};

template <class T>
int describe_precedence(const program_view& p, int k) {
    const expr_info& e = *p.node[k];
    if (e.kind == expr_kind::constant)
        return e.num < 0 ? precedence::unary : e.den != 1 ? precedence::product : precedence::atom;
    if (e.kind != expr_kind::node) return precedence::atom;
    return e.op->notation == style::infix || e.op->notation == style::prefix || e.op->notation == style::power
               ? e.op->precedence
               : precedence::atom;
}

/// Node k as text; `numbers[k]` holds the value of literal nodes.
template <class T>
std::string describe(const program_view& p, const T* numbers, int k) {
    const expr_info& e = *p.node[k];
    const auto paren = [&](int j, bool need) {
        const std::string s = describe(p, numbers, j);
        return need ? "(" + s + ")" : s;
    };
    switch (e.kind) {
        case expr_kind::symbol: return std::string(e.name);
        case expr_kind::constant:
            return e.den == 1 ? std::to_string(e.num) : std::to_string(e.num) + "/" + std::to_string(e.den);
        case expr_kind::literal: return number_to_string(static_cast<double>(numbers[k]));
        case expr_kind::node: break;
    }
    const op_info& op = *e.op;
    const int* o = p.operand[k].data();
    const int prec = op.precedence;
    switch (op.notation) {
        case style::infix: {
            const bool same = p.node[o[1]]->kind == expr_kind::node && p.node[o[1]]->op == e.op;
            const bool associative = op.name == std::string_view(" + ") || op.name == std::string_view(" * ");
            const int pr = describe_precedence<T>(p, o[1]);
            return paren(o[0], describe_precedence<T>(p, o[0]) < prec) + std::string(op.name) +
                   paren(o[1], pr < prec || (pr == prec && !(associative && same)));
        }
        case style::prefix:
            return std::string(op.name) + paren(o[0], describe_precedence<T>(p, o[0]) < precedence::power);
        case style::power:
            return paren(o[0], describe_precedence<T>(p, o[0]) <= precedence::power) + "^" +
                   (op.exponent.empty() ? paren(o[1], describe_precedence<T>(p, o[1]) < precedence::atom)
                                        : std::string(op.exponent));
        default: {
            std::string s = std::string(op.name) + "(";
            if (!op.subscripts.empty()) s += "\"" + std::string(op.subscripts) + "\", ";
            for (unsigned i = 0; i < e.arity; ++i) s += (i ? ", " : "") + describe(p, numbers, o[i]);
            if (op.has_axis) s += ", " + std::string(axis_label_prefix) + std::to_string(op.axis);
            return s + ")";
        }
    }
}

}  // namespace symdiff::detail
