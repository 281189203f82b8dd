#pragma once
// One printer for both output formats: operations describe their notation (core/notation.hpp)
// and the printer decides on parentheses from precedences. An operation may also give
// `print_as(node)`, another expression to display in its place (gradient reductions print as
// the mean or sum a person would write).
#include <cmath>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "../core/constant.hpp"
#include "../core/notation.hpp"
#include "../core/shape.hpp"
#include "../core/symbol.hpp"

namespace symdiff::detail {

enum class format { text, latex };

/// One address per type: the key of a node type in reduction_notes.
template <class T>
inline constexpr char type_key = 0;

/// How the gradient reductions of one expression are written, once the values bound to its
/// symbols are known (eval/printing.hpp fills it): per node type.
struct reduction_notes {
    std::vector<std::pair<const void*, reduction_notation>> entries;
    const reduction_notation* find(const void* key) const {
        for (const auto& [k, r] : entries)
            if (k == key) return &r;
        return nullptr;
    }
};

template <format F>
struct printer {
    std::string out;
    const reduction_notes* notes = nullptr;  ///< with the values bound: how reductions are written

    /// The binding strength of `e` as it will be printed: an exact constant's from its sign and
    /// denominator, a node's from its notation or from what it is shown as (`print_as`), and a
    /// reduction written with the shapes (`notes`) from that notation.
    template <class E>
    int strength(const E& e) const {
        if constexpr (Constant<E>) {
            // (-1/3 in text is a quotient: x / (-1/3); in LaTeX -\frac{1}{3} binds as a minus sign)
            if constexpr (E::den != 1 && (F == format::text || E::num > 0)) return precedence::product;
            else if constexpr (E::num < 0) return precedence::unary;
            else return precedence::atom;
        } else if constexpr (Literal<E>) {
            // 2.5e-07 is a product (2.5 \cdot 10^{-7} in LaTeX): x^(2.5e-07), {(2.5 \cdot 10^{-7})}^{x};
            // a negative number binds as a minus sign does: (-2.5)^a
            if (number_to_string(static_cast<double>(e.value)).find('e') != std::string::npos)
                return precedence::product;
            return static_cast<double>(e.value) < 0 ? precedence::unary : precedence::atom;
        } else if constexpr (Symbol<E>) {
            return precedence::atom;
        } else {
            if (const reduction_notation* r = notation_of_node<E>()) {
                // (in LaTeX a quotient is a \frac, an atom)
                if (F == format::latex && r->divisor != 1 && r->factor == 1) return precedence::atom;
                return r->strength(strength(e.template arg<0>()));
            }
            if constexpr (requires { E::op::print_as(e); }) {
                if constexpr (!std::is_same_v<decltype(E::op::print_as(e)), E>) return strength(E::op::print_as(e));
            }
            return own_precedence<typename E::op>();
        }
    }

    /// Is `e` written as a \frac in LaTeX (a quotient)?
    template <class E>
    static constexpr bool latex_fraction(const E&) {
        if constexpr (F == format::latex && Node<E>) return latex_notation_of<typename E::op>() == style::fraction;
        else return false;
    }

    template <class N>
    const reduction_notation* notation_of_node() const {
        return notes ? notes->find(&type_key<N>) : nullptr;
    }

    // In LaTeX a \frac, a \sqrt or |a| is a single atom, and a juxtaposed product binds like "*".
    template <class Op>
    static constexpr int own_precedence() {
        constexpr style how = notation_of<Op>();
        if constexpr (F == format::latex && (how == style::fraction || how == style::radical || how == style::bars))
            return precedence::atom;
        else if constexpr (F == format::latex && how == style::juxtapose) return precedence::product;
        else return Op::precedence;
    }

    template <class E>
    static constexpr std::string_view op_name() {
        if constexpr (is_node<E>::value) return E::op::name;
        else return {};
    }

    template <class E>
    void print_paren(const E& e, bool paren) {
        if (paren) out += F == format::latex ? "\\left(" : "(";
        print(e);
        if (paren) out += F == format::latex ? "\\right)" : ")";
    }

    static std::string axis_label() { return F == format::latex ? "\\text{axis}=" : std::string(axis_label_prefix); }

    template <class E>
    void print(const E& e) {
        if constexpr (Constant<E>) {
            if constexpr (E::den == 1) {
                out += std::to_string(E::num);
            } else if constexpr (F == format::latex) {
                if (E::num < 0) out += "-";
                out += "\\frac{" + std::to_string(E::num < 0 ? -E::num : E::num) + "}{" + std::to_string(E::den) + "}";
            } else {
                out += std::to_string(E::num) + "/" + std::to_string(E::den);
            }
        } else if constexpr (Literal<E>) {
            const std::string v = number_to_string(static_cast<double>(e.value));
            const auto exp = v.find('e');
            if (F == format::latex && !std::isfinite(static_cast<double>(e.value))) {  // inf, -inf, nan
                out += std::isnan(static_cast<double>(e.value)) ? "\\mathrm{NaN}"
                       : e.value < 0                            ? "-\\infty"
                                                                : "\\infty";
            } else if (F == format::latex && exp != std::string::npos) {                 // 1e+20: 1 \cdot 10^{20}
                const std::string power = std::to_string(std::stoi(v.substr(exp + 1)));  // (+20, -05: 20, -5)
                const std::string mantissa = v.substr(0, exp);
                out += mantissa == "1" ? "10^{" + power + "}" : mantissa + " \\cdot 10^{" + power + "}";
            } else {
                out += v;
            }
        } else if constexpr (Symbol<E>) {
            constexpr std::string_view name = E::name.view();
            if constexpr (F == format::latex && name.starts_with(axis_label_prefix))
                out += axis_label() + std::string(name.substr(axis_label_prefix.size()));
            else if constexpr (F == format::latex) out += latex_name(name);
            else out += name;
        } else {
            print_node(e);
        }
    }

    /// A symbol's name in LaTeX: before the first '_' the symbol, after it a subscript. Each part
    /// is a letter or a number as it is, a Greek letter's name as the letter (alpha: \alpha), any
    /// other name upright, so that it does not read as a product (lr: \mathrm{lr}), with TeX's
    /// special characters escaped: x_12 is x_{12}, W_hidden is W_{\mathrm{hidden}}.
    static std::string latex_name(std::string_view name) {
        const std::size_t cut = name.find('_');
        std::string s = latex_name_part(name.substr(0, cut));
        if (cut != std::string_view::npos && cut + 1 < name.size())
            s += "_{" + latex_name_part(name.substr(cut + 1)) + "}";
        return s;
    }
    static std::string latex_name_part(std::string_view part) {
        if (part.empty()) return {};
        static constexpr std::string_view greek[] = {"alpha", "beta",  "gamma",   "delta",  "epsilon", "zeta",   "eta",
                                                     "theta", "iota",  "kappa",   "lambda", "mu",      "nu",     "xi",
                                                     "pi",    "rho",   "sigma",   "tau",    "upsilon", "phi",    "chi",
                                                     "psi",   "omega", "Gamma",   "Delta",  "Theta",   "Lambda", "Xi",
                                                     "Pi",    "Sigma", "Upsilon", "Phi",    "Psi",     "Omega"};
        for (const std::string_view g : greek)
            if (part == g) return "\\" + std::string(part);
        bool digits = true;
        for (const char c : part) digits = digits && c >= '0' && c <= '9';
        std::string s;
        for (const char c : part) {
            switch (c) {
                case '_':
                case '%':
                case '&':
                case '#':
                case '$':
                case '{':
                case '}':
                    s += '\\';
                    s += c;
                    break;
                case '\\': s += "\\backslash{}"; break;
                case '^': s += "\\wedge{}"; break;
                case '~': s += "\\sim{}"; break;
                default: s += c;
            }
        }
        return part.size() == 1 || digits ? s : "\\mathrm{" + s + "}";
    }

    template <class Op>
    static constexpr style notation_of() {
        if constexpr (F == format::latex) return latex_notation_of<Op>();
        else return Op::notation;
    }

    template <class Op, class... Args>
    void print_node(const node<Op, Args...>& n) {
        if (const reduction_notation* r = notation_of_node<node<Op, Args...>>()) {
            print_reduction(n.template arg<0>(), *r);
            return;
        }
        if constexpr (requires { Op::print_as(n); }) {
            if constexpr (!std::is_same_v<decltype(Op::print_as(n)), node<Op, Args...>>) print(Op::print_as(n));
            else print_plain(n);
        } else {
            print_plain(n);
        }
    }

    // Only the notations that write a spelling ask for it: an operation drawn as a power, a
    // fraction, a root or with bars need not have one.
    template <class Op>
    static constexpr std::string_view spelling() {
        if constexpr (F == format::latex) return Op::latex;
        else return Op::name;
    }

    template <class Op, class... Args>
    void print_plain(const node<Op, Args...>& n) {
        constexpr int p = Op::precedence;
        constexpr style how = notation_of<Op>();
        if constexpr (how == style::infix) {
            using R = std::remove_cvref_t<decltype(n.template arg<1>())>;
            print_paren(n.template arg<0>(), strength(n.template arg<0>()) < p);
            out += spelling<Op>();
            // a - (b - c), a / (b * c) need parentheses; a + (b + c) and a * (b * c) do not.
            constexpr bool associative = Op::name == std::string_view(" + ") || Op::name == std::string_view(" * ");
            constexpr bool same_family = op_name<R>() == Op::name;
            const int right = strength(n.template arg<1>());
            print_paren(n.template arg<1>(), right < p || (right == p && !(associative && same_family)));
        } else if constexpr (how == style::prefix) {
            out += spelling<Op>();
            print_paren(n.template arg<0>(), strength(n.template arg<0>()) < precedence::power);
        } else if constexpr (how == style::power) {
            if constexpr (F == format::latex) out += "{";
            // (in LaTeX a fraction is an atom, but (a/b)^2 still reads better with parentheses)
            print_paren(n.template arg<0>(),
                        strength(n.template arg<0>()) <= precedence::power || latex_fraction(n.template arg<0>()));
            out += F == format::latex ? "}^{" : "^";
            if constexpr (requires { Op::exponent; }) {
                out += Op::exponent;
            } else {
                print_paren(n.template arg<1>(), F == format::text && strength(n.template arg<1>()) < precedence::atom);
            }
            if constexpr (F == format::latex) out += "}";
        } else if constexpr (how == style::fraction) {
            out += "\\frac{";
            print(n.template arg<0>());
            out += "}{";
            print(n.template arg<1>());
            out += "}";
        } else if constexpr (how == style::radical) {
            out += "\\sqrt{";
            print(n.template arg<0>());
            out += "}";
        } else if constexpr (how == style::bars) {
            out += "\\left|";
            print(n.template arg<0>());
            out += "\\right|";
        } else if constexpr (how == style::postfix) {
            print_paren(n.template arg<0>(), strength(n.template arg<0>()) < precedence::atom);
            out += spelling<Op>();
        } else if constexpr (how == style::juxtapose) {
            print_paren(n.template arg<0>(), strength(n.template arg<0>()) < precedence::power);
            out += " ";
            print_paren(n.template arg<1>(), strength(n.template arg<1>()) < precedence::power);
        } else {
            out += spelling<Op>();
            if constexpr (F == format::latex && requires { Op::subscripts; }) latex_subscripts(Op::subscripts);
            out += F == format::latex ? "\\left(" : "(";
            if constexpr (F == format::text && requires { Op::subscripts; })
                out += "\"" + std::string(Op::subscripts) + "\", ";
            print_operands(n, std::index_sequence_for<Args...>{});
            out += F == format::latex ? "\\right)" : ")";
        }
    }

    // factor * sum(h, axes) / divisor (reduction_notation)
    template <class H>
    void print_reduction(const H& h, const reduction_notation& r) {
        constexpr bool latex = F == format::latex;
        if (latex && r.divisor != 1) out += "\\frac{";
        if (std::is_same_v<H, one_t> && r.axes.empty() && r.factor != 1) {
            out += std::to_string(r.factor);  // a sum of ones: a count
        } else {
            if (r.factor != 1) out += std::to_string(r.factor) + (latex ? " \\cdot " : " * ");
            if (r.axes.empty()) {
                const bool scaled = r.factor != 1 || (!latex && r.divisor != 1);
                print_paren(h, scaled && strength(h) < precedence::product);
            } else {
                // spelled as the sum and mean operations are (\sum, \operatorname{mean} in LaTeX)
                if (latex) out += r.mean ? "\\operatorname{mean}\\left(" : "\\sum\\left(";
                else out += r.mean ? "mean(" : "sum(";
                print(h);
                if (!r.all) {
                    out += ", " + axis_label();
                    if (r.axes.size() > 1) out += latex ? "\\left(" : "(";
                    for (std::size_t i = 0; i < r.axes.size(); ++i) out += (i ? ", " : "") + std::to_string(r.axes[i]);
                    if (r.axes.size() > 1) out += latex ? "\\right)" : ")";
                }
                out += latex ? "\\right)" : ")";
            }
        }
        if (r.divisor != 1) out += latex ? "}{" + std::to_string(r.divisor) + "}" : " / " + std::to_string(r.divisor);
    }

    // An operation's `subscripts` ("ij,jk->ik"): a subscript of its name, -> as an arrow.
    void latex_subscripts(std::string_view s) {
        out += "_{";
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s.substr(i, 2) == "->") out += " \\to ", ++i;
            else if (s[i] == '*') out += "\\ast ";
            else out += s[i];
        }
        out += "}";
    }

    // (not a lambda: its closure type would be named after the whole expression)
    template <class N, std::size_t... I>
    void print_operands(const N& n, std::index_sequence<I...>) {
        ((out += I == 0 ? "" : ", ", print(n.template arg<I>())), ...);
    }
};

}  // namespace symdiff::detail
