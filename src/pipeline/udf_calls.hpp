// PYTHON_FUNC calls in a pipeline's SQL, resolved against the project's Python UDFs
// (python_udfs/*.py): a scalar call becomes a call of the function the UDF is registered as
// (udf::UdfInfo::sql_name), a table call a temporary table the executor fills before the
// statement runs (Statement::table_udfs). A name no UDF has (with a did-you-mean), a module that
// fails to import (with its traceback's last line) or a scalar/table mix-up is an error at the
// statement.
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "pipeline/ast.hpp"
#include "udf/catalog.hpp"

namespace sqlflow::pipeline {

// Rewrites the statements' SQL in place. Returns the project's UDF catalog when a statement
// calls PYTHON_FUNC (Python is started then, and only then), else nullptr.
// Where statements call PYTHON_FUNC (before resolve_python_calls rewrites them).
std::vector<SourceLocation> python_call_sites(std::vector<Statement>& statements);

std::shared_ptr<const udf::Catalog> resolve_python_calls(std::vector<Statement>& statements,
                                                         const std::filesystem::path& project_root,
                                                         std::vector<Error>& errors);

}  // namespace sqlflow::pipeline
