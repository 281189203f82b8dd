// Loading Fashion-MNIST (Zalando's 28x28 grey clothing images, 10 classes) from its IDX files.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <type_traits>
#include <vector>

#include <xtensor/xtensor.hpp>

#include "../distributed/shard.hpp"
#include "idx.hpp"

namespace symdiff {

/// One split of Fashion-MNIST: row i of `images` (28*28 pixels in [0, 1], row-major) has class `labels(i)`.
template <class T = double>
struct fashion_mnist_set {
    static constexpr std::size_t rows = 28;
    static constexpr std::size_t cols = 28;
    static constexpr std::size_t classes = 10;

    xt::xtensor<T, 2> images;             // n x 784
    xt::xtensor<std::int32_t, 1> labels;  // n, each in 0..9
};

/// Where the Debian package dataset-fashion-mnist installs the files, unless the environment variable
/// SYMDIFF_FASHION_MNIST_DIR names another directory.
inline std::string default_fashion_mnist_dir() {
    const char* env = std::getenv("SYMDIFF_FASHION_MNIST_DIR");
    return (env != nullptr && *env != '\0') ? std::string(env) : std::string("/usr/share/datasets/fashion-mnist");
}

/// The 10 class names, indexed by label.
inline const std::vector<std::string>& fashion_mnist_class_names() {
    static const std::vector<std::string> names{"T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                                "Sandal",      "Shirt",   "Sneaker",  "Bag",   "Ankle boot"};
    return names;
}

namespace detail {

// The files ship gzip-compressed; accept an unpacked copy too (gzread reads both).
inline std::string fashion_mnist_file(const std::string& dir, const std::string& stem) {
    const std::filesystem::path gz = std::filesystem::path(dir) / (stem + ".gz");
    const std::filesystem::path plain = std::filesystem::path(dir) / stem;
    std::error_code ec;
    return (!std::filesystem::exists(gz, ec) && std::filesystem::exists(plain, ec)) ? plain.string() : gz.string();
}

}  // namespace detail

/// Loads split "train" (60000 items) or "t10k" (10000 items) from `dir`; only `limit` items when limit > 0,
/// from item `first` on. Throws data_error naming the file when something is missing or inconsistent.
template <class T = double>
fashion_mnist_set<T> load_fashion_mnist(const std::string& split, const std::string& dir = default_fashion_mnist_dir(),
                                        std::size_t limit = 0, std::size_t first = 0) {
    static_assert(std::is_floating_point_v<T>,
                  "load_fashion_mnist<T> needs a floating-point T: pixels are scaled to [0, 1]");
    const std::string fn = "load_fashion_mnist";
    if (split != "train" && split != "t10k") {
        throw data_error(fn + ": unknown split '" + split + "': use \"train\" or \"t10k\"");
    }
    const std::string image_path = detail::fashion_mnist_file(dir, split + "-images-idx3-ubyte");
    const std::string label_path = detail::fashion_mnist_file(dir, split + "-labels-idx1-ubyte");

    const detail::idx_raw images = detail::read_idx(fn, image_path, detail::idx_magic_u8_images, limit, first);
    const detail::idx_raw labels = detail::read_idx(fn, label_path, detail::idx_magic_u8_labels, limit, first);

    // Compare the headers' full counts, so a mismatch is caught even when `limit` hides it.
    if (images.dims[0] != labels.dims[0]) {
        throw data_error(fn + ": '" + image_path + "' holds " + std::to_string(images.dims[0]) + " images but '" +
                         label_path + "' holds " + std::to_string(labels.dims[0]) + " labels");
    }
    if (images.dims[1] != fashion_mnist_set<T>::rows || images.dims[2] != fashion_mnist_set<T>::cols) {
        throw data_error(fn + ": '" + image_path + "' holds " + std::to_string(images.dims[1]) + " x " +
                         std::to_string(images.dims[2]) + " images, expected 28 x 28");
    }
    for (std::size_t i = 0; i < labels.bytes.size(); ++i) {
        if (labels.bytes[i] >= fashion_mnist_set<T>::classes) {
            throw data_error(fn + ": '" + label_path + "': label " + std::to_string(labels.bytes[i]) + " of item " +
                             std::to_string(i) + " is outside 0..9");
        }
    }
    return {detail::idx_to_images<T>(images), detail::idx_to_labels(labels)};
}

/// Process `rank` of `size`'s share of a split (data parallelism: each process reads only its rows):
/// the items shard_range(n, rank, size) of the first n = `limit` items (all when limit == 0).
template <class T = double>
fashion_mnist_set<T> load_fashion_mnist_shard(const std::string& split, int rank, int size,
                                              const std::string& dir = default_fashion_mnist_dir(),
                                              std::size_t limit = 0) {
    const std::string label_path = detail::fashion_mnist_file(dir, split + "-labels-idx1-ubyte");
    std::size_t n = detail::read_idx("load_fashion_mnist_shard", label_path, detail::idx_magic_u8_labels, 1).dims[0];
    if (limit > 0) n = std::min(n, limit);
    const auto [first, last] = shard_range(n, rank, size);
    if (first == last) {  // no rows here: empty arrays of the right width
        fashion_mnist_set<T> none;
        none.images = xt::xtensor<T, 2>::from_shape({0, fashion_mnist_set<T>::rows * fashion_mnist_set<T>::cols});
        none.labels = xt::xtensor<std::int32_t, 1>::from_shape({0});
        return none;
    }
    return load_fashion_mnist<T>(split, dir, last - first, first);
}

}  // namespace symdiff
