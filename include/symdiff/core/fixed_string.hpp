#pragma once
// A string usable as a template argument: symbols carry their name in their type, so
// `symbol<"x">` and `symbol<"y">` are different types and derivatives can be taken at compile time.
#include <algorithm>
#include <cstddef>
#include <string_view>

namespace symdiff {

template <std::size_t N>
struct fixed_string {
    char data[N]{};
    constexpr fixed_string(const char (&s)[N]) { std::copy_n(s, N, data); }
    /// From text computed at compile time (N - 1 characters of it).
    constexpr explicit fixed_string(std::string_view s) { std::copy_n(s.data(), N - 1, data); }
    constexpr std::string_view view() const { return {data, N - 1}; }
    constexpr std::size_t size() const { return N - 1; }
    template <std::size_t M>
    constexpr bool operator==(const fixed_string<M>& o) const {
        return view() == o.view();
    }
};

}  // namespace symdiff
