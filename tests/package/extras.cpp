// A consumer of the installed extras component: writes a gzip-compressed IDX label file with
// zlib and reads it back with symdiff's reader (find_package(symdiff COMPONENTS extras)).
#include <symdiff/data/idx.hpp>

#include <zlib.h>
#include <cstdio>

int main() {
    const char* path = "consumer_labels.idx.gz";
    const unsigned char file[] = {0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9};  // magic 0x801, 3 labels: 7 0 9
    gzFile f = gzopen(path, "wb");
    if (!f || gzwrite(f, file, sizeof file) != static_cast<int>(sizeof file) || gzclose(f) != Z_OK) return 2;
    const auto labels = symdiff::read_idx_labels(path);
    std::remove(path);
    return labels.size() == 3 && labels(0) == 7 && labels(1) == 0 && labels(2) == 9 ? 0 : 1;
}
