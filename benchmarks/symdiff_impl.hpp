#ifndef SYMDIFF_BENCHMARKS_SYMDIFF_IMPL_HPP
#define SYMDIFF_BENCHMARKS_SYMDIFF_IMPL_HPP

// symdiff implementations are added here (see bench_main.cpp: SYMDIFF_BENCH_HAVE_W1 ...)

#endif  // SYMDIFF_BENCHMARKS_SYMDIFF_IMPL_HPP
