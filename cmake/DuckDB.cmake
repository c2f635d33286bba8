# Finds the DuckDB library and header that scripts/bootstrap.sh unpacked into third_party/duckdb
# and refuses to configure when they are missing or do not match scripts/duckdb.lock, so a bad
# download fails here with a clear message instead of crashing at run time.
set(DUCKDB_ROOT ${CMAKE_SOURCE_DIR}/third_party/duckdb)
set(DUCKDB_LIB ${DUCKDB_ROOT}/lib/libduckdb.so)
set(DUCKDB_HEADER ${DUCKDB_ROOT}/include/duckdb.h)

if(NOT EXISTS ${DUCKDB_LIB} OR NOT EXISTS ${DUCKDB_HEADER})
  message(FATAL_ERROR "DuckDB is missing from third_party/duckdb — run scripts/bootstrap.sh (or make build)")
endif()

file(STRINGS ${CMAKE_SOURCE_DIR}/scripts/duckdb.lock _lock_lines)
foreach(_line IN LISTS _lock_lines)
  if(_line MATCHES "^(lib_sha256|header_sha256)=(.*)$")
    set(_expected_${CMAKE_MATCH_1} ${CMAKE_MATCH_2})
  endif()
endforeach()
file(SHA256 ${DUCKDB_LIB} _lib_sha)
file(SHA256 ${DUCKDB_HEADER} _header_sha)
if(NOT _lib_sha STREQUAL _expected_lib_sha256)
  message(FATAL_ERROR "third_party/duckdb/lib/libduckdb.so is corrupt or of the wrong version "
                      "(sha256 ${_lib_sha}, expected ${_expected_lib_sha256}) — delete third_party/duckdb and run scripts/bootstrap.sh")
endif()
if(NOT _header_sha STREQUAL _expected_header_sha256)
  message(FATAL_ERROR "third_party/duckdb/include/duckdb.h does not match scripts/duckdb.lock — delete third_party/duckdb and run scripts/bootstrap.sh")
endif()

add_library(duckdb::duckdb SHARED IMPORTED GLOBAL)
set_target_properties(duckdb::duckdb PROPERTIES
  IMPORTED_LOCATION ${DUCKDB_LIB}
  IMPORTED_NO_SONAME ON
  INTERFACE_INCLUDE_DIRECTORIES ${DUCKDB_ROOT}/include)
