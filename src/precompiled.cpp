// The optional compiled part of symdiff (CMake target symdiff::precompiled): the engine's executor
// for float and double, compiled once here instead of in every file that evaluates an expression.
// Files that link the target get SYMDIFF_PRECOMPILED defined, which declares these instantiations
// `extern` (eval/executor.hpp). Without it symdiff stays header-only.
#include <symdiff/eval/executor.hpp>

template class symdiff::detail::executor<float>;
template class symdiff::detail::executor<double>;
