// Saving and loading NumPy .npy files (format 1.0 written; 1.0 to 3.0 read, C or Fortran order),
// with errors naming the file (symdiff::io_error), a check for truncated data, a rank check, and
// std::vector / scalar overloads. Not xtensor's xnpy.hpp: its reader parses the dtype with
// std::regex, which cost every file that can load a checkpoint about 3 s of compile time.
//
// Scalars are stored as 0-d arrays (shape ()), as numpy.save(path, 3.0) does; NumPy's np.load gives
// a 0-d array back, and load_npy_scalar<T> accepts any array holding exactly one element.
#pragma once

#include <bit>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <istream>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

#include <xtensor/xadapt.hpp>
#include <xtensor/xarray.hpp>
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

/// Creates directory `dir` and its parents if needed; a failure is an io_error that names `fn`.
inline void create_directories(const std::string& fn, const std::string& dir) {
    try {
        std::filesystem::create_directories(dir);
    } catch (const std::filesystem::filesystem_error& e) {
        throw io_error(fn + ": cannot create the directory '" + dir + "': " + e.code().message());
    }
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

/// The .npy dtype string of T on this machine: '<f8' for double, '<i4' for std::int32_t, '|u1'
/// for std::uint8_t.
template <class T>
std::string npy_dtype() {
    const bool little = std::endian::native == std::endian::little;
    std::string d(1, sizeof(T) == 1 ? '|' : (little ? '<' : '>'));
    d += std::is_floating_point_v<T> ? 'f' : (std::is_signed_v<T> ? 'i' : 'u');
    return d + std::to_string(sizeof(T));
}

/// What an .npy header says: the dtype string, the layout and the shape.
struct npy_header {
    std::string dtype;
    bool fortran_order = false;
    std::vector<std::size_t> shape;
};

/// Parses the header's Python dictionary, `{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }`,
/// its keys in any order. Throws std::runtime_error saying what is wrong.
inline npy_header npy_parse_header(const std::string& h) {
    const auto value_of = [&](const char* key) {
        const std::size_t k = h.find(key);
        const std::size_t colon = k == std::string::npos ? k : h.find(':', k);
        if (colon == std::string::npos) throw std::runtime_error(std::string("malformed header: no ") + key + " key");
        std::size_t v = colon + 1;
        while (v < h.size() && h[v] == ' ') ++v;
        return v;
    };
    npy_header r;
    std::size_t v = value_of("'descr'");
    const char quote = v < h.size() ? h[v] : '\0';
    const std::size_t end = quote == '\'' || quote == '"' ? h.find(quote, v + 1) : std::string::npos;
    if (end == std::string::npos) throw std::runtime_error("malformed header: 'descr' is not a string");
    r.dtype = h.substr(v + 1, end - v - 1);
    v = value_of("'fortran_order'");
    if (h.compare(v, 4, "True") == 0) r.fortran_order = true;
    else if (h.compare(v, 5, "False") != 0) throw std::runtime_error("malformed header: 'fortran_order' is not a bool");
    v = value_of("'shape'");
    if (v >= h.size() || h[v] != '(') throw std::runtime_error("malformed header: 'shape' is not a tuple");
    for (++v;;) {
        while (v < h.size() && (h[v] == ' ' || h[v] == ',')) ++v;
        if (v < h.size() && h[v] == ')') break;
        std::size_t dim = 0, digits = 0;
        for (; v < h.size() && h[v] >= '0' && h[v] <= '9'; ++v, ++digits)
            dim = dim * 10 + static_cast<std::size_t>(h[v] - '0');
        if (digits == 0) throw std::runtime_error("malformed header: 'shape' holds something other than sizes");
        r.shape.push_back(dim);
    }
    return r;
}

/// Reads an .npy stream into a row-major array (a file in Fortran order is transposed into it).
template <class T>
xt::xarray<T> npy_load(std::istream& in) {
    char magic[8] = {};
    in.read(magic, 8);
    if (!in || std::string_view(magic, 6) != std::string_view("\x93NUMPY", 6))
        throw std::runtime_error("not a .npy file (it does not start with the \\x93NUMPY magic)");
    const auto major = static_cast<unsigned char>(magic[6]);
    if (major < 1 || major > 3) throw std::runtime_error("unsupported .npy format version " + std::to_string(major));
    unsigned char len[4] = {};
    in.read(reinterpret_cast<char*>(len), major == 1 ? 2 : 4);  // little-endian length of the header
    std::size_t header_len = std::size_t{len[0]} | std::size_t{len[1]} << 8;
    if (major > 1) header_len |= std::size_t{len[2]} << 16 | std::size_t{len[3]} << 24;
    std::string header(header_len, '\0');
    in.read(header.data(), static_cast<std::streamsize>(header_len));
    if (!in) throw std::runtime_error("truncated header");
    const npy_header h = npy_parse_header(header);
    const std::string want = npy_dtype<T>();
    const bool same = h.dtype == want || (sizeof(T) == 1 && h.dtype.size() == want.size() &&
                                          h.dtype.compare(1, std::string::npos, want, 1) == 0);
    if (!same)
        throw std::runtime_error("the file holds dtype " + h.dtype + " but the requested element type is " + want +
                                 " (load with the matching type)");
    // the bytes the header promises, checked against what the file holds before anything is
    // allocated (a damaged header may promise more than memory holds, or overflow the count)
    std::size_t count = 1;
    for (const std::size_t e : h.shape) {
        if (e != 0 && count > std::numeric_limits<std::size_t>::max() / sizeof(T) / e)
            throw std::runtime_error("the header's shape " + npy_shape_string(h.shape) + " is too large");
        count *= e;
    }
    // (a stream that cannot seek, a pipe, is read as it comes: the read below finds a short file)
    const std::streampos data_start = in.tellg();
    if (data_start != std::streampos(-1) && in.seekg(0, std::ios::end)) {
        const std::streamoff available = in.tellg() - data_start;
        in.seekg(data_start);
        if (!in || available < 0 || static_cast<std::uintmax_t>(available) < count * sizeof(T))
            throw std::runtime_error("truncated file: the header promises " + std::to_string(count * sizeof(T)) +
                                     " bytes of data for shape " + npy_shape_string(h.shape) + ", the file holds " +
                                     std::to_string(available < 0 ? 0 : available));
    } else {
        in.clear();
    }
    xt::xarray<T> a = xt::xarray<T>::from_shape(h.shape);
    if (!h.fortran_order || h.shape.size() < 2) {
        in.read(reinterpret_cast<char*>(a.data()), static_cast<std::streamsize>(a.size() * sizeof(T)));
    } else {  // column-major on disk: element (i0, i1, ...) at i0 + s0 (i1 + s1 (...))
        std::vector<T> column(a.size());
        in.read(reinterpret_cast<char*>(column.data()), static_cast<std::streamsize>(column.size() * sizeof(T)));
        std::vector<std::size_t> index(h.shape.size(), 0);
        for (std::size_t e = 0; e < a.size(); ++e) {
            std::size_t at = 0;
            for (std::size_t d = h.shape.size(); d-- > 0;) at = at * h.shape[d] + index[d];
            a.data()[e] = column[at];
            for (std::size_t d = h.shape.size(); d-- > 0;) {  // the next row-major index
                if (++index[d] < h.shape[d]) break;
                index[d] = 0;
            }
        }
    }
    if (!in)
        throw std::runtime_error("truncated file: the header promises " + std::to_string(a.size() * sizeof(T)) +
                                 " bytes of data for shape " + npy_shape_string(a.shape()));
    return a;
}

// Opens and reads `path`, then hands the array to `use`. Every failure becomes an io_error naming
// the file.
template <class T, class F>
auto npy_read(const std::string& fn, const std::string& path, F&& use) {
    static_assert(npy_element<T>, "load_npy<T> needs an arithmetic T other than bool");
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw io_error(fn + ": cannot open '" + path + "': " + std::generic_category().message(errno));
    }
    xt::xarray<T> a;
    try {
        a = npy_load<T>(in);
    } catch (const std::exception& e) {
        throw io_error(fn + ": '" + path + "': " + e.what());
    }
    return use(std::move(a));
}

}  // namespace detail

/// Saves an xtensor expression (any rank, evaluated first) with its shape and dtype.
template <class E>
void save_npy(const std::string& path, const xt::xexpression<E>& e) {
    using T = typename E::value_type;
    static_assert(detail::npy_element<T>, "save_npy needs arithmetic elements other than bool");
    const xt::xarray<T> a = e.derived_cast();  // row-major, contiguous
    std::string header = "{'descr': '" + detail::npy_dtype<T>() +
                         "', 'fortran_order': False, 'shape': " + detail::npy_shape_string(a.shape()) + ", }";
    // format 1.0: magic, version, 2-byte length; the data starts at a multiple of 64 bytes
    header.append(63 - (10 + header.size()) % 64, ' ');
    header += '\n';
    std::string content("\x93NUMPY\x01\x00", 8);
    content += static_cast<char>(header.size() & 0xff);
    content += static_cast<char>(header.size() >> 8);
    content += header;
    content.append(reinterpret_cast<const char*>(a.data()), a.size() * sizeof(T));
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
    return detail::npy_read<T>("load_npy", path, [](xt::xarray<T>&& a) { return std::move(a); });
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
