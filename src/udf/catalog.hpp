// A project's Python UDFs: every function in python_udfs/*.py marked with @python_scalar_udf
// or @python_table_udf, found by importing those modules (as SQLFlow's UDF manager does), with
// what SQL needs to call them (argument and return types) and what `sqlflow udf` shows
// (signature, docstring, file:line).
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

struct _object;  // PyObject, without Python.h in every file that includes this one

namespace sqlflow::udf {

struct UdfParam {
  std::string name;
  std::string sql_type;  // from the annotation; empty: any type (the value arrives as DuckDB has it)
  bool has_default = false;
};

struct UdfInfo {
  std::string module;    // "python_udfs.text_utils"
  std::string function;  // the Python function's name
  std::string name;      // its UDF name (decorator name=, else the function's name)
  std::string kind;      // "scalar" or "table"
  std::vector<UdfParam> params;
  std::string return_type;  // scalar: SQL type from the annotation or returns= (DOUBLE when neither)
  bool vectorized = false;  // scalar: called once per batch with lists / numpy arrays
  std::vector<std::pair<std::string, std::string>> output_schema;  // table: column → SQL type
  std::vector<std::string> required_columns;                       // table
  bool infer = false;                                              // table: columns from the result
  std::string signature;                                           // "(text: str) -> str"
  std::string doc;                                                 // first paragraph of the docstring
  std::string file;                                                // relative to the project
  int line = 0;

  std::string qualified() const { return module + "." + name; }  // what PYTHON_FUNC names
  // The DuckDB function a scalar UDF is registered as: module and name, so two modules' `fn`
  // never collide.
  std::string sql_name() const;
};

struct Catalog {
  std::vector<UdfInfo> udfs;
  std::map<std::string, std::string> import_errors;  // module → last line of its traceback

  // The UDF PYTHON_FUNC's first argument names: "python_udfs.mod.fn", or "mod.fn" (SQLFlow
  // accepts both); nullptr when none.
  const UdfInfo* find(const std::string& name) const;
  std::vector<std::string> qualified_names() const;
};

// Whether the project has UDF modules to load (python_udfs/*.py).
bool has_udf_modules(const std::filesystem::path& project_root);

// Imports python_udfs/*.py (starting Python if needed). A module that fails to import is listed
// in import_errors, not thrown.
Catalog load_catalog(const std::filesystem::path& project_root);

// The Python function object of a UDF (a new reference; the GIL must be held).
::_object* udf_function(const UdfInfo& udf);

}  // namespace sqlflow::udf
