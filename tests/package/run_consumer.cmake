# cmake -DBUILD_DIR=... -DPREFIX=... -DCONSUMER_SOURCE_DIR=... -DCONSUMER_BINARY_DIR=...
#       [-DCONFIG=...] [-DGENERATOR=...] [-DCXX_COMPILER=...] -P run_consumer.cmake
#
# 1. installs the configured symdiff build tree into PREFIX,
# 2. configures tests/package against it (CMAKE_PREFIX_PATH=PREFIX only),
# 3. builds it and runs the consumers (the core, and the extras component).
foreach(v BUILD_DIR PREFIX CONSUMER_SOURCE_DIR CONSUMER_BINARY_DIR)
  if(NOT DEFINED ${v})
    message(FATAL_ERROR "run_consumer.cmake: ${v} not set")
  endif()
endforeach()
if(NOT CONFIG)
  set(CONFIG Release)
endif()

function(run step)
  list(JOIN ARGN " " cmdline)
  message(STATUS "package_consumer: ${step}: ${cmdline}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package_consumer: ${step} failed (${rc})")
  endif()
endfunction()

file(REMOVE_RECURSE "${PREFIX}" "${CONSUMER_BINARY_DIR}")

run(install "${CMAKE_COMMAND}" --install "${BUILD_DIR}" --prefix "${PREFIX}" --config "${CONFIG}")

set(cfg "${CMAKE_COMMAND}" -S "${CONSUMER_SOURCE_DIR}" -B "${CONSUMER_BINARY_DIR}"
        "-DCMAKE_PREFIX_PATH=${PREFIX}" "-DCMAKE_BUILD_TYPE=${CONFIG}"
        -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON)
if(GENERATOR)
  list(APPEND cfg -G "${GENERATOR}")
endif()
if(CXX_COMPILER)
  list(APPEND cfg "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
run(configure ${cfg})
run(build "${CMAKE_COMMAND}" --build "${CONSUMER_BINARY_DIR}" --config "${CONFIG}")

foreach(name consumer consumer_extras)
  set(exe "${CONSUMER_BINARY_DIR}/${name}")
  if(NOT EXISTS "${exe}" AND EXISTS "${CONSUMER_BINARY_DIR}/${CONFIG}/${name}")
    set(exe "${CONSUMER_BINARY_DIR}/${CONFIG}/${name}")   # multi-config generators
  endif()
  execute_process(COMMAND "${exe}" WORKING_DIRECTORY "${CONSUMER_BINARY_DIR}" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package_consumer: ${name} failed (${rc})")
  endif()
endforeach()
message(STATUS "package_consumer: OK")
