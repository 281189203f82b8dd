// fashion_mnist_run.hpp: what the two Fashion-MNIST examples share: command line, data subsets,
// accuracy and the confusion matrix.
#pragma once

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include <symdiff/data/fashion_mnist.hpp>
#include <symdiff/optim/random.hpp>
#include <xtensor/xtensor.hpp>
#include <xtensor/xview.hpp>

namespace example {

struct mnist_options {
    bool quick = false;        // --quick: a 2,000-image subset, a few epochs (the CTest run)
    double learning_rate = 0;  // --lr X (0: the example's default)
    std::size_t epochs = 0;    // --epochs N (0: the example's default)
    std::string dir = symdiff::default_fashion_mnist_dir();  // --data DIR
};

inline mnist_options parse_mnist_options(int argc, char** argv, const char* usage) {
    mnist_options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a == "--quick") o.quick = true;
        else if (a == "--lr" && i + 1 < argc) o.learning_rate = std::strtod(argv[++i], nullptr);
        else if (a == "--epochs" && i + 1 < argc) o.epochs = std::strtoul(argv[++i], nullptr, 10);
        else if (a == "--data" && i + 1 < argc) o.dir = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s\n", usage);
            std::exit(2);
        }
    }
    return o;
}

/// The first `n` rows of a set (n >= rows: all of it).
template <class T>
symdiff::fashion_mnist_set<T> head(const symdiff::fashion_mnist_set<T>& s, std::size_t n) {
    if (n >= s.labels.size()) return s;
    symdiff::fashion_mnist_set<T> out;
    out.images = xt::view(s.images, xt::range(0, n), xt::all());
    out.labels = xt::view(s.labels, xt::range(0, n));
    return out;
}

/// A standard normal draw (Box-Muller) from the portable generator.
inline double standard_normal(symdiff::splitmix64& rng) {
    const double u1 = (double(rng.next() >> 11) + 0.5) * 0x1.0p-53;
    const double u2 = double(rng.next() >> 11) * 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
}

/// The row-wise argmax of class scores.
template <class S>
std::vector<std::size_t> predictions(const S& scores) {
    const std::size_t n = scores.shape()[0], k = scores.shape()[1];
    std::vector<std::size_t> out(n);
    for (std::size_t i = 0; i < n; ++i) {
        std::size_t best = 0;
        for (std::size_t j = 1; j < k; ++j)
            if (scores(i, j) > scores(i, best)) best = j;
        out[i] = best;
    }
    return out;
}

inline double accuracy(const std::vector<std::size_t>& pred, const xt::xtensor<std::int32_t, 1>& labels) {
    std::size_t right = 0;
    for (std::size_t i = 0; i < pred.size(); ++i) right += pred[i] == static_cast<std::size_t>(labels(i));
    return pred.empty() ? 0.0 : double(right) / double(pred.size());
}

/// The confusion matrix (rows: true class, columns: predicted) as text, with the class names.
inline std::string confusion_matrix_text(const std::vector<std::size_t>& pred,
                                         const xt::xtensor<std::int32_t, 1>& labels) {
    const auto& names = symdiff::fashion_mnist_class_names();
    const std::size_t k = names.size();
    std::vector<std::vector<std::size_t>> m(k, std::vector<std::size_t>(k, 0));
    for (std::size_t i = 0; i < pred.size(); ++i) ++m[static_cast<std::size_t>(labels(i))][pred[i]];
    std::string out = "confusion matrix (rows: true class, columns: predicted class)\n";
    char buf[64];
    out += std::string(14, ' ');
    for (std::size_t j = 0; j < k; ++j) {
        std::snprintf(buf, sizeof buf, "%6zu", j);
        out += buf;
    }
    out += "   recall\n";
    for (std::size_t i = 0; i < k; ++i) {
        std::snprintf(buf, sizeof buf, "%zu %-11s ", i, names[i].c_str());
        out += buf;
        std::size_t total = 0;
        for (std::size_t j = 0; j < k; ++j) {
            std::snprintf(buf, sizeof buf, "%6zu", m[i][j]);
            out += buf;
            total += m[i][j];
        }
        std::snprintf(buf, sizeof buf, "   %.3f\n", total ? double(m[i][i]) / double(total) : 0.0);
        out += buf;
    }
    return out;
}

inline void write_text_file(const std::string& path, const std::string& text) {
    std::ofstream f(path);
    f << text;
}

}  // namespace example
