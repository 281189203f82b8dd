// Saving and loading NumPy .npy files: thin wrappers over xtensor's xt::dump_npy / xt::load_npy that
// add what those lack: errors naming the file (symdiff::io_error), a check for truncated data, a
// rank check, and std::vector / scalar overloads.
//
// Scalars are stored as 0-d arrays (shape ()), as numpy.save(path, 3.0) does; NumPy's np.load gives
// a 0-d array back, and load_npy_scalar<T> accepts any array holding exactly one element.
#pragma once

#include <cerrno>
#include <cstddef>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
#include <xtensor/xnpy.hpp>
#include <xtensor/xtensor.hpp>

namespace symdiff {

/// Thrown when a file cannot be written or read back as asked. what() names the file.
struct io_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {

template <class T>
inline constexpr bool npy_element = std::is_arithmetic_v<T> && !std::is_same_v<T, bool>;

inline std::string npy_shape_string(const auto& shape) {
    std::string s = "(";
    for (std::size_t i = 0; i < shape.size(); ++i) {
        s += (i == 0 ? "" : ", ") + std::to_string(shape[i]);
    }
    return s + (shape.size() == 1 ? ",)" : ")");
}

// Rewords xtensor's two most common messages; passes the others through.
inline std::string npy_explain(const std::string& what) {
    const std::string prefix = "Cast error: formats not matching ";
    const auto vs = what.find(" vs ");
    if (what.rfind(prefix, 0) == 0 && vs != std::string::npos) {
        return "the file holds dtype " + what.substr(prefix.size(), vs - prefix.size()) +
               " but the requested element type is " + what.substr(vs + 4) + " (load with the matching type)";
    }
    if (what.rfind("this file do not have a valid npy format", 0) == 0) {
        return "not a .npy file (it does not start with the \\x93NUMPY magic)";
    }
    return what;
}

inline void npy_write(const std::string& fn, const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) {
        throw io_error(fn + ": cannot open '" + path + "' for writing: " + std::generic_category().message(errno));
    }
    out.write(content.data(), static_cast<std::streamsize>(content.size()));
    out.close();
    if (!out) {
        throw io_error(fn + ": writing '" + path + "' failed (disk full?)");
    }
}

// Opens and parses `path`, then hands xtensor's owning adaptor to `use`. Every failure becomes an
// io_error naming the file.
template <class T, class F>
auto npy_read(const std::string& fn, const std::string& path, F&& use) {
    static_assert(npy_element<T>, "load_npy<T> needs an arithmetic T other than bool");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw io_error(fn + ": cannot open '" + path + "': " + std::generic_category().message(errno));
    }
    try {
        auto a = xt::load_npy<T>(in);
        if (!in)  // xtensor does not check that the data was all there
        {
            throw io_error(fn + ": '" + path + "': truncated file: the header promises " +
                           std::to_string(a.size() * sizeof(T)) + " bytes of data for shape " +
                           npy_shape_string(a.shape()));
        }
        return use(a);
    } catch (const io_error&) {
        throw;
    } catch (const std::exception& e) {
        throw io_error(fn + ": '" + path + "': " + npy_explain(e.what()));
    }
}

}  // namespace detail

/// Saves an xtensor expression (any rank, evaluated first) with its shape and dtype.
template <class E>
void save_npy(const std::string& path, const xt::xexpression<E>& e) {
    static_assert(detail::npy_element<typename E::value_type>, "save_npy needs arithmetic elements other than bool");
    std::string content;
    try {
        content = xt::dump_npy(e);
    } catch (const std::exception& ex) {
        throw io_error("save_npy: '" + path + "': " + ex.what());
    }
    detail::npy_write("save_npy", path, content);
}

/// Saves a vector as a 1-d array of shape (n,).
template <class T>
void save_npy(const std::string& path, const std::vector<T>& v) {
    static_assert(detail::npy_element<T>, "save_npy needs arithmetic elements other than bool");
    save_npy(path, xt::adapt(v.data(), v.size(), xt::no_ownership(), std::vector<std::size_t>{v.size()}));
}

/// Saves a scalar as a 0-d array of shape ().
template <class T>
requires detail::npy_element<T>
void save_npy(const std::string& path, T value) {
    xt::xtensor<T, 0> a;
    a() = value;
    save_npy(path, a);
}

/// Loads an array of any rank. The file's dtype must match T exactly (no conversion).
template <class T>
xt::xarray<T> load_npy(const std::string& path) {
    return detail::npy_read<T>("load_npy", path, [](const auto& a) { return xt::xarray<T>(a); });
}

/// Loads an array that must have rank N.
template <class T, std::size_t N>
xt::xtensor<T, N> load_npy(const std::string& path) {
    return detail::npy_read<T>("load_npy", path, [&](const auto& a) {
        if (a.dimension() != N) {
            throw io_error("load_npy: '" + path + "' holds an array of shape " + detail::npy_shape_string(a.shape()) +
                           ", not the " + std::to_string(N) + "-d array asked for");
        }
        return xt::xtensor<T, N>(a);
    });
}

/// Loads a 1-d array into a std::vector.
template <class T>
std::vector<T> load_npy_vector(const std::string& path) {
    return detail::npy_read<T>("load_npy_vector", path, [&](const auto& a) {
        if (a.dimension() != 1) {
            throw io_error("load_npy_vector: '" + path + "' holds an array of shape " +
                           detail::npy_shape_string(a.shape()) + ", not a 1-d array");
        }
        return std::vector<T>(a.begin(), a.end());
    });
}

/// Loads a scalar: any array holding exactly one element (0-d as written by save_npy(path, value)).
template <class T>
T load_npy_scalar(const std::string& path) {
    return detail::npy_read<T>("load_npy_scalar", path, [&](const auto& a) {
        if (a.size() != 1) {
            throw io_error("load_npy_scalar: '" + path + "' holds an array of shape " +
                           detail::npy_shape_string(a.shape()) + ", not a single value");
        }
        return *a.begin();
    });
}

}  // namespace symdiff
