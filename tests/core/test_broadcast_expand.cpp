// detail::expand (an input broadcast into a fused region's shape, copied in runs) against the
// element-by-element definition of NumPy broadcasting written out here, on random shapes of
// rank 0 to 4 with extents 0 to 3 (every mix of equal and broadcast axes, empty arrays).
#define BOOST_TEST_MODULE core_broadcast_expand
#include <boost/test/unit_test.hpp>

#include <cstddef>
#include <random>
#include <vector>

#include <symdiff/core/broadcast.hpp>

using symdiff::shape_type;

namespace {
/// out[i...] = src[j...] with j_d = i_d where from has that axis with the same extent, else 0.
std::vector<double> broadcast_by_definition(const std::vector<double>& src, const shape_type& from,
                                            const shape_type& to) {
    std::vector<double> out;
    std::size_t total = 1;
    for (auto d : to) total *= d;
    for (std::size_t e = 0; e < total; ++e) {
        std::vector<std::size_t> i(to.size());
        for (std::size_t d = to.size(), rest = e; d-- > 0;) i[d] = rest % to[d], rest /= to[d];
        std::size_t flat = 0;
        for (std::size_t k = 0; k < from.size(); ++k) {
            const std::size_t d = to.size() - from.size() + k;
            flat = flat * from[k] + (from[k] == 1 ? 0 : i[d]);
        }
        out.push_back(src[flat]);
    }
    return out;
}
}  // namespace

BOOST_AUTO_TEST_CASE(runs_equal_the_definition) {
    std::mt19937 random(7);
    int differ = 0;
    for (int trial = 0; trial < 5000; ++trial) {
        const std::size_t rank = random() % 5;
        shape_type to(rank), from;
        for (auto& d : to) d = random() % 4;
        const std::size_t from_rank = random() % (rank + 1);
        for (std::size_t d = rank - from_rank; d < rank; ++d) from.push_back(random() % 2 ? to[d] : 1);
        std::size_t n = 1;
        for (auto d : from) n *= d;
        std::vector<double> src(n);
        for (auto& v : src) v = static_cast<double>(random() % 1000);
        const std::vector<double> expected = broadcast_by_definition(src, from, to);
        std::vector<double> got(expected.size(), -1.0);
        symdiff::detail::expand(src.data(), from, got.data(), to);
        if (got != expected) ++differ;
    }
    BOOST_TEST(differ == 0);
}

BOOST_AUTO_TEST_CASE(the_mixture_s_shapes) {
    // x (3, 1, 2) and mu (4, 2) into (3, 4, 2)
    const std::vector<double> x{1, 2, 3, 4, 5, 6}, mu{10, 20, 30, 40, 50, 60, 70, 80};
    std::vector<double> xe(24), me(24);
    symdiff::detail::expand(x.data(), {3, 1, 2}, xe.data(), {3, 4, 2});
    symdiff::detail::expand(mu.data(), {4, 2}, me.data(), {3, 4, 2});
    BOOST_TEST(xe == (std::vector<double>{1, 2, 1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4, 3, 4, 5, 6, 5, 6, 5, 6, 5, 6}));
    BOOST_TEST(me == (std::vector<double>{10, 20, 30, 40, 50, 60, 70, 80, 10, 20, 30, 40,
                                          50, 60, 70, 80, 10, 20, 30, 40, 50, 60, 70, 80}));
}
