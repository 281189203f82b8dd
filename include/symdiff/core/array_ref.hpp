#pragma once
// array_ref<T>: what an operation's `compute` hook sees of an array — a dense row-major block of
// numbers and its shape. The evaluation engine owns the memory; an operation reads its operands
// and writes its result through these, without knowing where they live (a bound array, a
// workspace buffer, one block of rows).
#include <cstddef>

namespace symdiff {

template <class T>
struct array_ref {
    T* data = nullptr;                  ///< nullptr for an operand that is read for its shape only
    const std::size_t* dims = nullptr;  ///< `rank` extents
    std::size_t rank = 0;
    /// One block of rows (dims[0] of them) of an array with this many rows along axis 0, when the
    /// engine runs an operation block by block; 0 for a whole array. (An extent of 1 is then a
    /// block of one row, not an axis to broadcast.)
    std::size_t whole_rows = 0;
    /// With whole_rows: the row of the whole array that is row 0 of this block (for messages that
    /// name an entry, such as a label out of range).
    std::size_t first_row = 0;

    constexpr std::size_t extent(std::size_t i) const { return dims[i]; }
    constexpr std::size_t size() const {
        std::size_t n = 1;
        for (std::size_t i = 0; i < rank; ++i) n *= dims[i];
        return n;
    }
    constexpr T& operator[](std::size_t i) const { return data[i]; }
    /// The position of element 0 in the whole array (row-major): first_row rows of elements.
    constexpr std::size_t first_element() const { return rank > 0 && dims[0] > 0 ? first_row * (size() / dims[0]) : 0; }
};

/// An operand as compute receives it, a number `T` or an `array_ref<const T>`, seen as an array
/// (a number as one element of rank 0), for kernels that treat both alike.
template <class T>
constexpr array_ref<const T> as_array_ref(const T& number) {
    return {&number, nullptr, 0};
}
template <class T>
constexpr array_ref<const T> as_array_ref(const array_ref<const T>& a) {
    return a;
}

}  // namespace symdiff
