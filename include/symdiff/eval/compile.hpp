#pragma once
// compile: a program to run many times, such as a training step's loss and gradients.
//
//   auto step = compile(rows(x, y), loss, gradient_of(loss, w));   // x and y hold one row per example
//   auto [L, gw] = step(w = W, x = X, y = Y);                      // numbers, and references to arrays
//
// The lowering and the schedule are done at compile time; the plan and the workspace on the
// first call, and again when the arrays' shapes change. A call with the same shapes allocates
// nothing: array results are references into the program, valid until the next call (binding
// one of them to the next call, as in v = step(v), is refused: copy it first).
// `rows(...)` names the symbols whose arrays hold one row of data per example along their first
// axis: the program then reads them in blocks of rows that fit in cache, computing everything
// row-wise on a block and adding up the sums over rows as it goes (see docs/design.md).
#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

#include <boost/hana/at.hpp>
#include <boost/hana/tuple.hpp>

#include "../core/traits.hpp"
#include "bindings.hpp"
#include "engine.hpp"

namespace symdiff {

/// The symbols that hold one row of data per example: `compile(rows(x, y), loss)`.
template <fixed_string... Names>
constexpr detail::rows_of<Names...> rows(symbol_t<Names>...) {
    return {};
}

namespace errors {
template <fixed_string Name>
struct rows_symbol_not_in_the_expressions {
    static_assert(Name.size() == 0,
                  "compile(rows(...), ...): a symbol named in rows(...) is in none of the compiled expressions "
                  "(misspelt, or a symbol of another model?); its name is in this template's argument");
    static constexpr bool value = false;
};
}  // namespace errors

namespace detail {
/// A symbol named in rows(...) must be read by one of the expressions.
template <fixed_string Name, class... E>
constexpr void check_rows_symbol() {
    if constexpr (!(depends_on<E, symbol_t<Name>> || ...))
        static_assert(errors::rows_symbol_not_in_the_expressions<Name>::value);
}

template <class T>
struct is_rows_of : std::false_type {};
template <fixed_string... Names>
struct is_rows_of<rows_of<Names...>> : std::true_type {};

/// Bindings as the engine takes them: arrays by const reference, numbers by value.
template <class B>
using engine_binding_t =
    binding<std::remove_cvref_t<B>::name,
            std::conditional_t<std::is_arithmetic_v<std::remove_cvref_t<decltype(std::declval<B>().value)>>,
                               std::remove_cvref_t<decltype(std::declval<B>().value)>,
                               const std::remove_cvref_t<decltype(std::declval<B>().value)>&>>;
}  // namespace detail

/// A compiled program: `Rows` (a rows_of) and the root expressions.
template <class Rows, class... E>
class program {
public:
    explicit program(const E&... roots) : roots_(roots...) {}
    explicit program(const boost::hana::tuple<E...>& roots) : program(roots, std::index_sequence_for<E...>{}) {}

    program(const program& o)
        : roots_(o.roots_), threads_(o.threads_), allow_row_broadcast_(o.allow_row_broadcast_), shared_(o.shared_) {}
    // (a copy plans again on its first call)
    program& operator=(const program& o) {
        if (this == &o) return *this;
        roots_ = o.roots_;
        threads_ = o.threads_;
        allow_row_broadcast_ = o.allow_row_broadcast_;
        shared_ = o.shared_;
        engine_.reset();
        engine_type_ = nullptr;
        return *this;
    }
    program(program&&) = delete;  // the engine points into roots_

    /// Runs the program: `step(w = W, x = X)`. Returns a std::tuple of numbers and const
    /// references to arrays (owned by the program, valid until the next call).
    template <Binding... Bs>
    auto operator()(Bs&&... bs) {
        detail::check_bindings<std::remove_cvref_t<Bs>...>();
        using engine_t = engine_for<detail::engine_binding_t<Bs>...>;
        const boost::hana::tuple<detail::engine_binding_t<Bs>...> bindings{detail::engine_binding_t<Bs>{bs.value}...};
        // (a new kind of bindings gets its own engine; the previous one lives through this run, as an
        // array it returned may be bound now)
        std::shared_ptr<void> previous;
        if (engine_type_ != type_key<engine_t>()) {
            previous = std::move(engine_);
            engine_ = std::make_shared<engine_t>(refs());
            engine_type_ = type_key<engine_t>();
            static_cast<engine_t*>(engine_.get())->threads(threads_);
            static_cast<engine_t*>(engine_.get())->allow_row_broadcast(allow_row_broadcast_);
            static_cast<engine_t*>(engine_.get())->share_rows(shared_.get());
        }
        engine_t& e = *static_cast<engine_t*>(engine_.get());
        e.run(bindings);
        return results(e, std::index_sequence_for<E...>{});
    }

    /// Runs the blocks of rows on `n` threads (default 1). The results are the same for every n:
    /// the blocks are split into a fixed number of groups whose sums are added in order.
    program& threads(std::size_t n) {
        threads_ = n == 0 ? 1 : n;
        engine_.reset();
        engine_type_ = nullptr;
        return *this;
    }
    std::size_t threads() const { return threads_; }

    /// Two arrays with one row per example that broadcast against each other — (n, 1) against (n)
    /// gives (n, n) — are refused with a shape_error naming the operation and both shapes, unless
    /// allowed here.
    program& allow_row_broadcast(bool allow) {
        allow_row_broadcast_ = allow;
        engine_.reset();
        engine_type_ = nullptr;
        return *this;
    }

    /// Shares the rows across the processes of `c` (data parallelism, docs/distributed.md): each
    /// process binds its own rows of the `rows(...)` symbols and every process gets the values over
    /// all the rows, as one process holding all of them would (to rounding). Every process must
    /// call the program the same number of times. Null: this process holds all the rows.
    program& share_rows(std::shared_ptr<collective> c) {
        shared_ = std::move(c);
        engine_.reset();
        engine_type_ = nullptr;
        return *this;
    }
    const std::shared_ptr<collective>& shared() const { return shared_; }

private:
    template <class... Bs>
    using engine_for = detail::engine<detail::program_of<E...>, detail::value_type_of<Bs...>, Rows, Bs...>;
    template <class T>
    static const void* type_key() {
        static const char key = 0;
        return &key;
    }
    template <std::size_t... R>
    program(const boost::hana::tuple<E...>& roots, std::index_sequence<R...>)
        : roots_(boost::hana::at_c<R>(roots)...) {}
    template <class Engine, std::size_t... R>
    static auto results(Engine& e, std::index_sequence<R...>) {
        return std::tuple<decltype(e.template result<R>())...>(e.template result<R>()...);
    }
    template <std::size_t... R>
    std::tuple<const E&...> refs(std::index_sequence<R...>) const {
        return std::tuple<const E&...>(std::get<R>(roots_)...);
    }
    std::tuple<const E&...> refs() const { return refs(std::index_sequence_for<E...>{}); }

    std::tuple<E...> roots_;
    std::shared_ptr<void> engine_;
    const void* engine_type_ = nullptr;
    std::size_t threads_ = 1;
    bool allow_row_broadcast_ = false;
    std::shared_ptr<collective> shared_;
};

/// Compiles the expressions `roots` into one program (shared subexpressions computed once).
template <Expression... E>
auto compile(const E&... roots) {
    return program<detail::no_rows, E...>(roots...);
}
/// The same, with the symbols that hold rows of data: `compile(rows(x, y), loss, dw)`.
template <fixed_string... Names, Expression... E>
auto compile(detail::rows_of<Names...>, const E&... roots) {
    (detail::check_rows_symbol<Names, E...>(), ...);
    return program<detail::rows_of<Names...>, E...>(roots...);
}
/// The expressions of a hana::tuple.
template <class... E>
auto compile(const boost::hana::tuple<E...>& roots) {
    return program<detail::no_rows, E...>(roots);
}
template <fixed_string... Names, class... E>
auto compile(detail::rows_of<Names...>, const boost::hana::tuple<E...>& roots) {
    (detail::check_rows_symbol<Names, E...>(), ...);
    return program<detail::rows_of<Names...>, E...>(roots);
}

}  // namespace symdiff
