// The owner of the test suite's precompiled header (tests/CMakeLists.txt, SYMDIFF_TEST_PCH):
// CMake compiles symdiff.hpp once with this file's flags, and every test reuses the result.
