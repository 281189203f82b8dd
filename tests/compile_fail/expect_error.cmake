# cmake -DBUILD_DIR=... -DTARGET=... -DCONFIG=... -DSOURCE=... -P expect_error.cmake
#
# Passes only if building TARGET fails AND the compiler diagnostics match every
# `// EXPECT-ERROR: <regex>` line of SOURCE. CMake regex syntax (no \d, no {n});
# no ';' in a regex. The file's own name is masked as <source> in the
# diagnostics, so a regex cannot match merely because it names the file.
foreach(v BUILD_DIR TARGET SOURCE)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "expect_error.cmake: ${v} not set")
  endif()
endforeach()

file(STRINGS "${SOURCE}" _lines REGEX "^[ \t]*//[ \t]*EXPECT-ERROR:")
set(_regexes "")
foreach(_l IN LISTS _lines)
  string(REGEX REPLACE "^[ \t]*//[ \t]*EXPECT-ERROR:[ \t]*" "" _re "${_l}")
  string(STRIP "${_re}" _re)
  if(NOT _re STREQUAL "")
    list(APPEND _regexes "${_re}")
  endif()
endforeach()
if(NOT _regexes)
  message(FATAL_ERROR "FAIL: ${SOURCE} has no `// EXPECT-ERROR: <regex>` line")
endif()

set(_cmd "${CMAKE_COMMAND}" --build "${BUILD_DIR}" --target "${TARGET}")
if(CONFIG)
  list(APPEND _cmd --config "${CONFIG}")
endif()
execute_process(COMMAND ${_cmd}
                RESULT_VARIABLE _rc
                OUTPUT_VARIABLE _out
                ERROR_VARIABLE  _out)

if(_rc EQUAL 0)
  message("${_out}")
  message(FATAL_ERROR "FAIL: ${SOURCE} compiled successfully, but it must not compile")
endif()

# Match against the diagnostics only: drop the echoed compiler command lines
# and build-tool chatter, which contain the file and target names.
set(_diag "\n${_out}\n")
string(REGEX REPLACE "\n[^\n]* -c [^\n]*" "\n" _diag "${_diag}")
string(REGEX REPLACE "\n(FAILED:|ninja:|gmake|make|\\[)[^\n]*" "\n" _diag "${_diag}")
# ... and the file's own path/name, which prefixes every diagnostic line.
get_filename_component(_src_name "${SOURCE}" NAME)
string(REPLACE "${SOURCE}" "<source>" _diag "${_diag}")
string(REPLACE "${_src_name}" "<source>" _diag "${_diag}")

set(_missing "")
foreach(_re IN LISTS _regexes)
  if(NOT _diag MATCHES "${_re}")
    list(APPEND _missing "${_re}")
  endif()
endforeach()
if(_missing)
  message("${_out}")
  message(FATAL_ERROR "FAIL: ${SOURCE} failed to compile as required, but the output does not match: ${_missing}")
endif()
message(STATUS "OK: ${TARGET} failed to compile with the expected diagnostic")
