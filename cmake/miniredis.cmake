# Helpers so that a library or a test is one line beside its source.
#   mr_library(NAME SOURCES a.cc b.cc DEPS other_lib)   -> static library mr_NAME, includes from src/
#   mr_test(NAME DEPS lib...)                            -> NAME.cc + gtest_main, registered with ctest
#   mr_fuzzer(NAME DEPS lib...)                          -> NAME.cc as a libFuzzer target (MR_FUZZ=ON)
include(GoogleTest)

set(MR_WARNINGS -Wall -Wextra -Wno-unused-parameter -Wno-missing-field-initializers)
if(MR_WERROR)
  list(APPEND MR_WARNINGS -Werror)
endif()

function(mr_apply_common target)
  target_compile_options(${target} PRIVATE ${MR_WARNINGS})
  target_include_directories(${target} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  if(MR_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer)
    target_link_options(${target} PUBLIC -fsanitize=address,undefined)
  endif()
endfunction()

function(mr_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(mr_${name} STATIC ${ARG_SOURCES})
  mr_apply_common(mr_${name})
  target_link_libraries(mr_${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

#   mr_test(NAME WHOLE DEPS ...) registers the binary as one ctest test instead of one per case:
#   for tests whose cases share an expensive fixture (a PostgreSQL cluster per process).
function(mr_test name)
  cmake_parse_arguments(ARG "WHOLE" "" "DEPS;SOURCES" ${ARGN})
  add_executable(${name} ${name}.cc ${ARG_SOURCES})
  mr_apply_common(${name})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
  if(ARG_WHOLE)
    add_test(NAME ${name} COMMAND ${name})
    set_tests_properties(${name} PROPERTIES TIMEOUT 300)
  else()
    gtest_discover_tests(${name} DISCOVERY_TIMEOUT 30 PROPERTIES TIMEOUT 120)
  endif()
endfunction()

# `cmake --build <dir> --target fuzzers` builds only the fuzz targets (not the whole tree).
if(MR_FUZZ AND NOT TARGET fuzzers)
  add_custom_target(fuzzers)
endif()

function(mr_fuzzer name)
  cmake_parse_arguments(ARG "" "" "DEPS" ${ARGN})
  if(NOT MR_FUZZ)
    return()
  endif()
  add_executable(${name} ${name}.cc)
  mr_apply_common(${name})
  target_compile_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_options(${name} PRIVATE -fsanitize=fuzzer,address,undefined)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/fuzz)
  add_dependencies(fuzzers ${name})
endfunction()
