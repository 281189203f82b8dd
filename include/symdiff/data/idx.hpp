// Reading IDX files (the MNIST / Fashion-MNIST format), gzip-compressed or plain.
//
// Format: a big-endian u32 magic 0x0000TTDD (TT = element type, 0x08 = unsigned byte; DD = number of
// dimensions), DD big-endian u32 sizes, then the payload in row-major order.
#pragma once

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include <zlib.h>
#include <xtensor/xtensor.hpp>

namespace symdiff {

/// Thrown when a data file is missing, unreadable or not what it claims to be. what() names the file.
struct data_error : std::runtime_error {
    using std::runtime_error::runtime_error;
};

namespace detail {

inline constexpr std::uint32_t idx_magic_u8_images = 0x00000803;
inline constexpr std::uint32_t idx_magic_u8_labels = 0x00000801;

// Guards against garbage headers: no real IDX item dimension is 0 or larger than this, and a
// per-item size this large would make n * item overflow-prone.
inline constexpr std::uint64_t idx_max_dim = 1u << 16;
inline constexpr std::uint64_t idx_max_item_bytes = 1u << 24;

// gzread takes an `unsigned` length; read in chunks so a big payload never overflows it, and so
// memory grows with the bytes actually present rather than with what a (possibly lying) header says.
inline constexpr std::size_t idx_chunk = std::size_t{1} << 20;

inline std::string hex32(std::uint32_t v) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", v);
    return buf;
}

struct gz_closer {
    void operator()(gzFile f) const noexcept { gzclose(f); }
};
using gz_handle = std::unique_ptr<std::remove_pointer_t<gzFile>, gz_closer>;

inline gz_handle gz_open(const std::string& fn, const std::string& path) {
    errno = 0;
    gzFile f = gzopen(path.c_str(), "rb");  // also reads plain files: gzread copies non-gzip input
    if (f == nullptr) {
        const int e = errno;
        throw data_error(fn + ": cannot open '" + path +
                         "': " + (e != 0 ? std::generic_category().message(e) : std::string("gzopen failed")) +
                         " (Fashion-MNIST is provided by the Debian package dataset-fashion-mnist: "
                         "apt-get install dataset-fashion-mnist; or point SYMDIFF_FASHION_MNIST_DIR at a copy)");
    }
    gzbuffer(f, 1u << 17);  // bigger than the 8 KiB default: fewer syscalls for 47 MB files
    return gz_handle(f);
}

// Reads up to n bytes; returns how many were read. Throws on I/O or decompression errors, but not on
// a short read (the caller knows how many it expected and says so).
inline std::size_t gz_read(gzFile f, const std::string& fn, const std::string& path, std::uint8_t* dst, std::size_t n) {
    std::size_t done = 0;
    while (done < n) {
        const auto want = static_cast<unsigned>(std::min(n - done, idx_chunk));
        const int got = gzread(f, dst + done, want);
        if (got < 0) {
            int err = 0;
            const char* msg = gzerror(f, &err);
            throw data_error(fn + ": '" + path + "': read error: " + (msg != nullptr ? msg : "unknown"));
        }
        done += static_cast<std::size_t>(got);
        if (static_cast<unsigned>(got) < want) {
            int err = 0;
            const char* msg = gzerror(f, &err);
            // Z_BUF_ERROR = the gzip stream ends early, i.e. a truncated file: reported by the caller.
            if (err != Z_OK && err != Z_BUF_ERROR) {
                throw data_error(fn + ": '" + path + "': corrupt gzip data: " + (msg != nullptr ? msg : "unknown"));
            }
            break;
        }
    }
    return done;
}

inline std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | std::uint32_t{p[3]};
}

inline std::string magic_name(std::uint32_t magic) {
    if (magic == idx_magic_u8_images) {
        return "IDX unsigned-byte images, 3 dimensions";
    }
    if (magic == idx_magic_u8_labels) {
        return "IDX unsigned-byte labels, 1 dimension";
    }
    return "not a known IDX type";
}

struct idx_raw {
    std::vector<std::uint32_t> dims;  // as in the header; dims[0] is the item count of the whole file
    std::size_t items = 0;            // items actually read (<= dims[0])
    std::size_t item_bytes = 1;       // product of dims[1..]
    std::vector<std::uint8_t> bytes;  // items * item_bytes
};

// Reads the header and `limit` items (all when limit == 0) from item `first` on of an unsigned-byte
// IDX file (the items before `first` are decompressed and dropped).
inline idx_raw read_idx(const std::string& fn, const std::string& path, std::uint32_t expected_magic, std::size_t limit,
                        std::size_t first = 0) {
    const gz_handle file = gz_open(fn, path);
    const std::size_t ndims = expected_magic & 0xFFu;

    std::vector<std::uint8_t> head(4 * (1 + ndims));
    const std::size_t got_head = gz_read(file.get(), fn, path, head.data(), head.size());
    if (got_head >= 4 && be32(head.data()) != expected_magic) {
        const std::uint32_t found = be32(head.data());
        throw data_error(fn + ": '" + path + "': wrong magic number: expected " + hex32(expected_magic) + " (" +
                         magic_name(expected_magic) + "), found " + hex32(found) + " (" + magic_name(found) + ")");
    }
    if (got_head < head.size()) {
        throw data_error(fn + ": '" + path + "': truncated file: expected " + std::to_string(head.size()) +
                         " bytes of header, found " + std::to_string(got_head));
    }

    idx_raw raw;
    for (std::size_t d = 0; d < ndims; ++d) {
        raw.dims.push_back(be32(head.data() + 4 * (d + 1)));
    }
    std::uint64_t item_bytes = 1;
    bool absurd = false;
    for (std::size_t d = 1; d < ndims; ++d) {
        absurd = absurd || raw.dims[d] == 0 || raw.dims[d] > idx_max_dim;
        item_bytes *= raw.dims[d];
    }
    if (absurd || item_bytes > idx_max_item_bytes) {
        std::string shape;
        for (auto d : raw.dims) {
            shape += (shape.empty() ? "" : " x ") + std::to_string(d);
        }
        throw data_error(fn + ": '" + path + "': absurd dimensions " + shape + " (each item dimension must be 1.." +
                         std::to_string(idx_max_dim) + ", an item at most " + std::to_string(idx_max_item_bytes) +
                         " bytes)");
    }

    raw.item_bytes = static_cast<std::size_t>(item_bytes);
    if (first > raw.dims[0]) {
        throw data_error(fn + ": '" + path + "' holds " + std::to_string(raw.dims[0]) + " items, fewer than the " +
                         std::to_string(first) + " to skip");
    }
    for (std::size_t skip = first * raw.item_bytes; skip > 0;) {  // (raw.bytes as scratch)
        const std::size_t want = std::min(skip, idx_chunk);
        raw.bytes.resize(want);
        if (gz_read(file.get(), fn, path, raw.bytes.data(), want) < want) {
            throw data_error(fn + ": '" + path + "': truncated file: it ends before item " + std::to_string(first));
        }
        skip -= want;
    }
    raw.bytes.clear();
    const std::size_t left = raw.dims[0] - first;
    raw.items = (limit == 0) ? left : std::min<std::size_t>(limit, left);
    const std::size_t expected = raw.items * raw.item_bytes;  // < 2^32 * 2^24: no overflow in 64 bits
    while (raw.bytes.size() < expected) {
        const std::size_t old = raw.bytes.size();
        const std::size_t want = std::min(expected - old, idx_chunk);
        raw.bytes.resize(old + want);
        const std::size_t got = gz_read(file.get(), fn, path, raw.bytes.data() + old, want);
        raw.bytes.resize(old + got);
        if (got < want) {
            throw data_error(fn + ": '" + path + "': truncated file: expected " + std::to_string(expected) +
                             " bytes of payload, found " + std::to_string(raw.bytes.size()));
        }
    }
    return raw;
}

template <class T>
xt::xtensor<T, 2> idx_to_images(const idx_raw& raw) {
    // An explicit shape_type: a braced list would be taken for element values.
    xt::xtensor<T, 2> out(typename xt::xtensor<T, 2>::shape_type{raw.items, raw.item_bytes});
    std::transform(raw.bytes.begin(), raw.bytes.end(), out.begin(), [](std::uint8_t p) { return T(p) / T(255); });
    return out;
}

inline xt::xtensor<std::int32_t, 1> idx_to_labels(const idx_raw& raw) {
    xt::xtensor<std::int32_t, 1> out(xt::xtensor<std::int32_t, 1>::shape_type{raw.items});
    std::copy(raw.bytes.begin(), raw.bytes.end(), out.begin());
    return out;
}

}  // namespace detail

/// Images of an IDX file with magic 0x00000803 (n x rows x cols unsigned bytes), as an n x (rows*cols)
/// array of pixels scaled to [0, 1]. Reads only the first `limit` images when limit > 0.
template <class T = double>
xt::xtensor<T, 2> read_idx_images(const std::string& path, std::size_t limit = 0) {
    static_assert(std::is_floating_point_v<T>,
                  "read_idx_images<T> needs a floating-point T: pixels are scaled to [0, 1]");
    return detail::idx_to_images<T>(detail::read_idx("read_idx_images", path, detail::idx_magic_u8_images, limit));
}

/// Labels of an IDX file with magic 0x00000801 (n unsigned bytes). Reads only the first `limit` when limit > 0.
inline xt::xtensor<std::int32_t, 1> read_idx_labels(const std::string& path, std::size_t limit = 0) {
    return detail::idx_to_labels(detail::read_idx("read_idx_labels", path, detail::idx_magic_u8_labels, limit));
}

}  // namespace symdiff
