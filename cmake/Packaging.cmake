# `make install` and `make package` (a .deb through CPack). Installed layout under the prefix:
#   bin/sqlflow                          finds its DuckDB through RPATH $ORIGIN/../lib/sqlflow
#   lib/sqlflow/libduckdb.so             private: no other package's libduckdb is touched
#   share/man/man1/sqlflow.1.gz          from the binary's --help (scripts/gen-man.sh)
#   share/bash-completion/completions/sqlflow, share/zsh/vendor-completions/_sqlflow,
#   share/fish/vendor_completions.d/sqlflow.fish   from `sqlflow completion SHELL`
include(GNUInstallDirs)

set(SQLFLOW_PRIVATE_LIBDIR ${CMAKE_INSTALL_LIBDIR}/sqlflow)
# The build tree keeps its absolute RPATH to third_party/duckdb; the installed binary looks
# next to itself, so the prefix can move (DESTDIR, dpkg -x into any folder).
set_target_properties(sqlflow PROPERTIES INSTALL_RPATH "$ORIGIN/../${SQLFLOW_PRIVATE_LIBDIR}")

# Man page and completion scripts, generated from the built binary (not part of `make demo`,
# which builds the sqlflow target only).
set(_share ${CMAKE_BINARY_DIR}/share)
set(SQLFLOW_EXTRA_FILES
  ${_share}/man/man1/sqlflow.1.gz
  ${_share}/bash-completion/completions/sqlflow
  ${_share}/zsh/vendor-completions/_sqlflow
  ${_share}/fish/vendor_completions.d/sqlflow.fish)
add_custom_command(
  OUTPUT ${SQLFLOW_EXTRA_FILES}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${_share}/man/man1 ${_share}/bash-completion/completions
          ${_share}/zsh/vendor-completions ${_share}/fish/vendor_completions.d
  COMMAND sh -c "'${CMAKE_SOURCE_DIR}/scripts/gen-man.sh' '$<TARGET_FILE:sqlflow>' | gzip -9n > '${_share}/man/man1/sqlflow.1.gz'"
  COMMAND sh -c "'$<TARGET_FILE:sqlflow>' completion bash > '${_share}/bash-completion/completions/sqlflow'"
  COMMAND sh -c "'$<TARGET_FILE:sqlflow>' completion zsh > '${_share}/zsh/vendor-completions/_sqlflow'"
  COMMAND sh -c "'$<TARGET_FILE:sqlflow>' completion fish > '${_share}/fish/vendor_completions.d/sqlflow.fish'"
  DEPENDS sqlflow ${CMAKE_SOURCE_DIR}/scripts/gen-man.sh
  COMMENT "Generating the man page and shell completions from the sqlflow binary"
  VERBATIM)
add_custom_target(sqlflow_extras ALL DEPENDS ${SQLFLOW_EXTRA_FILES})

install(TARGETS sqlflow RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${DUCKDB_LIB} DESTINATION ${SQLFLOW_PRIVATE_LIBDIR})
install(FILES ${_share}/man/man1/sqlflow.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${_share}/bash-completion/completions/sqlflow
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)
install(FILES ${_share}/zsh/vendor-completions/_sqlflow DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${_share}/fish/vendor_completions.d/sqlflow.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ecommerce DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples
        PATTERN output EXCLUDE PATTERN target EXCLUDE PATTERN "*.duckdb*" EXCLUDE)

# .deb: dependencies from dpkg-shlibdeps over what the binary really links (libcurl, libpq,
# libyaml-cpp, libsimdjson, libspdlog, libfmt, libpython3.11, …); DuckDB ships inside the package
# (CPack runs dpkg-shlibdeps with --ignore-missing-info, so it is not looked up).
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME sqlflow)
set(CPACK_PACKAGE_VENDOR "sqlflow")
set(CPACK_PACKAGE_CONTACT "sqlflow developers <sqlflow@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SQL data pipelines on embedded DuckDB")
set(CPACK_PACKAGE_INSTALL_DIRECTORY sqlflow)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Python UDFs import numpy/pandas only when a UDF does.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3-numpy, python3-pandas")
# gzip: the package is ~19 MB (xz: ~14 MB) for 2.7 s of CPU instead of 44 s (measured on the
# stripped libduckdb.so), which the package test pays in every `make test`.
set(CPACK_DEBIAN_COMPRESSION_TYPE gzip)
include(CPack)
