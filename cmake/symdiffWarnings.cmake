# symdiff_project_target(<target> [NATIVE])
#
# Applies the settings every target that belongs to this project (tests,
# examples, benchmarks, compile-fail probes) must have:
#   * -Wall -Wextra -Wpedantic -Werror (third-party headers come in as SYSTEM
#     includes through imported targets, so their warnings do not count);
#   * SYMDIFF_SANITIZE=ON: ASan + UBSan on compile and link;
#   * SYMDIFF_TIME_TRACE=ON: -ftime-report (GCC) / -ftime-trace (Clang);
#   * NATIVE given and SYMDIFF_NATIVE=ON: -march=native (examples/benchmarks),
#     plus -Wno-(maybe-)uninitialized on GCC (see below).
# Never apply it to the INTERFACE library `symdiff` itself: these are not
# usage requirements for consumers.
include_guard(GLOBAL)

# UBSan without its `null` and `alignment` checks: at -O0 they instrument every member access and
# reference binding of the template code, and cost a third of the sanitizer build's time
# (tests/diff/test_tensor_directions.cpp: 30 s with them, 21 s without, 16 s with no sanitizer).
# What they would report still stops the tests: a null dereference and a misaligned SIMD access
# crash, and ASan names the place.
set(SYMDIFF_SANITIZER_FLAGS
    -fsanitize=address,undefined -fno-sanitize=null,alignment -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)

function(symdiff_project_target tgt)
  cmake_parse_arguments(PARSE_ARGV 1 arg "NATIVE" "" "")
  get_target_property(_type ${tgt} TYPE)
  if(_type STREQUAL "INTERFACE_LIBRARY")
    message(FATAL_ERROR "symdiff_project_target(${tgt}): not for INTERFACE libraries")
  endif()

  # -std=c++20, not gnu++20 (the library's own requirement is cxx_std_20).
  set_target_properties(${tgt} PROPERTIES CXX_EXTENSIONS OFF)

  if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${tgt} PRIVATE -Wall -Wextra -Wpedantic -Werror)
  elseif(MSVC)
    target_compile_options(${tgt} PRIVATE /W4 /WX /permissive-)
  endif()

  if(SYMDIFF_SANITIZE)
    target_compile_options(${tgt} PRIVATE ${SYMDIFF_SANITIZER_FLAGS})
    # GCC 12 with -fsanitize=address reports -Wmaybe-uninitialized inside libstdc++ headers (a
    # two-line std::regex program does). A false positive of the instrumented build only: the
    # normal build keeps the warning as an error.
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${tgt} PRIVATE -Wno-maybe-uninitialized)
    endif()
    if(NOT _type STREQUAL "OBJECT_LIBRARY")
      target_link_options(${tgt} PRIVATE ${SYMDIFF_SANITIZER_FLAGS})
    endif()
  endif()

  if(SYMDIFF_TIME_TRACE)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      target_compile_options(${tgt} PRIVATE -ftime-report)
    elseif(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
      target_compile_options(${tgt} PRIVATE -ftime-trace)
    endif()
  endif()

  if(arg_NATIVE AND SYMDIFF_NATIVE AND CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
    target_compile_options(${tgt} PRIVATE -march=native)
    if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
      # GCC 12 + xsimd (XTENSOR_USE_XSIMD) + AVX-512: -W(maybe-)uninitialized
      # fires on _mm512_undefined_*() inside immintrin.h and is reported at
      # the inlining site in OUR code, so SYSTEM includes do not silence it.
      # (The non-native test builds keep both warnings.)
      target_compile_options(${tgt} PRIVATE -Wno-maybe-uninitialized -Wno-uninitialized)
    endif()
  endif()
endfunction()
