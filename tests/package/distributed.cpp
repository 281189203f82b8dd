// Uses the installed symdiff::distributed component: a compiled step whose rows are shared over
// MPI (built, not run: running needs mpirun).
#include <symdiff/distributed/mpi.hpp>
#include <symdiff/distributed/shard.hpp>
#include <symdiff/symdiff.hpp>
#include <xtensor/xtensor.hpp>

int main(int argc, char** argv) {
    using namespace symdiff;
    mpi::session mpi(argc, argv);
    const auto world = mpi::world();
    constexpr auto x = symbol<"x">;
    constexpr auto w = symbol<"w">;
    const xt::xtensor<double, 1> all{1.0, 2.0, 3.0, 4.0};
    auto step = compile(rows(x), mean(square(w * x - 1.0)), derivative(mean(square(w * x - 1.0)), w));
    step.share_rows(world);
    const auto [loss, grad] = step(x = shard(all, *world), w = 0.5);
    return loss >= 0 && grad == grad ? 0 : 1;
}
