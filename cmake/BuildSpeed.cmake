# Compile-time measures (bench/setup/ measures them): unity builds of the libraries, and
# precompiled headers shared by every library (sqlflow_pch) and by every test (sqlflow_test_pch),
# so nlohmann/json, spdlog/fmt, DuckDB's header and GoogleTest are parsed once per build, not
# once per file. Both can be switched off to find a missing #include:
#   cmake --preset default -DSQLFLOW_UNITY=OFF -DSQLFLOW_PCH=OFF
option(SQLFLOW_UNITY "Unity (jumbo) builds of the libraries" ON)
option(SQLFLOW_PCH "Precompiled headers for the libraries and the tests" ON)
set(SQLFLOW_UNITY_BATCH 8 CACHE STRING "source files per unity file")
# Libraries still compiled file by file and without the PCH, as before: two of their files define
# the same file-local name (which a unity file cannot hold), and with the PCH GCC 12 reports its
# false -Warray-bounds on `std::string(what) + "…"` in postgres/copy_binary_decode.cpp:41 (as it
# did in net/sigv4.cpp, now written with append). They were being edited elsewhere when unity
# builds came in; fix them and drop the library from this list:
#   rest:     lower() in options.cpp, pagination.cpp, source.cpp, digest_auth.cpp (core/ascii.hpp
#             has ascii_lower)
#   postgres: kEpochDays, kEpochMicros, pow10_table() in copy_binary_encode.cpp and copy_binary_decode.cpp
set(SQLFLOW_UNITY_SKIP sqlflow_connector_rest sqlflow_connector_postgres)
# Compiled file by file but with the PCH: pipeline (qi() in binder.cpp and executor.cpp,
# key_list() in ast.cpp and executor.cpp, the anonymous Token/Tok of conditions.cpp against
# lexer.hpp's Token; executor.cpp was being edited elsewhere).
set(SQLFLOW_UNITY_ONLY_SKIP sqlflow_pipeline)

# The headers the libraries include most (measured: nlohmann/json ~4.8 s and spdlog ~4.2 s of CPU
# per file at -O2). simdjson and yaml-cpp are left out: one or two files use them, and a bigger
# PCH costs every file that loads it.
set(SQLFLOW_PCH_HEADERS
  <nlohmann/json.hpp> <spdlog/spdlog.h> <fmt/format.h> <duckdb.h>
  <algorithm> <atomic> <chrono> <cstdint> <cstring> <filesystem> <functional> <map> <memory>
  <mutex> <optional> <set> <sstream> <string> <string_view> <thread> <unordered_map> <variant>
  <vector>)

# GCC 12 reports false -Warray-bounds, -Wstringop-overflow and -Wstringop-overread on
# `std::string(x) + "…"` chains (GCC PR 105651, PR 105329) in files compiled with the PCH (seen in
# postgres/copy_binary_decode.cpp, pipeline/lexer.cpp, net/sigv4.cpp, the s3rver fixture): the
# inlining differs with the PCH. GCC 13 fixed them; the ASan build still catches real
# out-of-bounds accesses at run time, and clang builds (scripts/fuzz.sh) keep the warnings.
set(SQLFLOW_PCH_FLAGS "")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  set(SQLFLOW_PCH_FLAGS -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread)
endif()

# The PCH is compiled once, in a target of its own with the same flags and definitions as the
# libraries (the compiler refuses a PCH built with other flags, silently: -Winvalid-pch tells).
function(_sqlflow_pch_owner owner)
  if(TARGET ${owner})
    return()
  endif()
  set(_src ${CMAKE_BINARY_DIR}/${owner}.cpp)
  if(NOT EXISTS ${_src})
    file(WRITE ${_src} "// precompiled-header owner (cmake/BuildSpeed.cmake)\n")
  endif()
  add_library(${owner} OBJECT ${_src})
  target_compile_definitions(${owner} PRIVATE SQLFLOW_VERSION="${PROJECT_VERSION}")
  target_link_libraries(${owner} PRIVATE ${ARGN})
  target_compile_options(${owner} PRIVATE ${SQLFLOW_PCH_FLAGS})
  target_precompile_headers(${owner} PRIVATE ${SQLFLOW_PCH_HEADERS} ${_sqlflow_extra_pch})
endfunction()

# Unity build and the shared PCH for one library (sqlflow_module) or benchmark.
function(sqlflow_speed_up target)
  if(target IN_LIST SQLFLOW_UNITY_SKIP)
    return()
  endif()
  if(SQLFLOW_UNITY AND NOT target IN_LIST SQLFLOW_UNITY_ONLY_SKIP)
    set_target_properties(${target} PROPERTIES UNITY_BUILD ON UNITY_BUILD_BATCH_SIZE ${SQLFLOW_UNITY_BATCH})
    # GCC warns about a type using an anonymous-namespace type when it is declared in an included
    # file, meant for headers; in a unity file every source is an included file.
    target_compile_options(${target} PRIVATE -Wno-subobject-linkage)
  endif()
  if(SQLFLOW_PCH)
    _sqlflow_pch_owner(sqlflow_pch ${SQLFLOW_THIRD_PARTY})
    target_compile_options(${target} PRIVATE ${SQLFLOW_PCH_FLAGS})
    target_precompile_headers(${target} REUSE_FROM sqlflow_pch)
  endif()
endfunction()

# The shared PCH of the tests: the libraries' headers plus GoogleTest. Not unity-built: test files
# repeat helper names in anonymous namespaces, and gtest registers tests per file.
function(sqlflow_test_speed_up target)
  if(SQLFLOW_PCH)
    set(_sqlflow_extra_pch <gtest/gtest.h>)
    _sqlflow_pch_owner(sqlflow_test_pch sqlflow_test_support GTest::gtest)
    target_compile_options(${target} PRIVATE ${SQLFLOW_PCH_FLAGS})
    target_precompile_headers(${target} REUSE_FROM sqlflow_test_pch)
  endif()
endfunction()
