#include "pipeline/udf_calls.hpp"

#include <algorithm>

#include "core/quote.hpp"
#include "core/suggest.hpp"
#include "pipeline/planner.hpp"
#include "udf/python_func.hpp"

namespace sqlflow::pipeline {

namespace {

std::string* sql_of(Statement& s) {
  if (auto* c = std::get_if<CreateTableStmt>(&s.node)) return &c->query;
  if (auto* e = std::get_if<ExportStmt>(&s.node)) return &e->query;
  if (auto* q = std::get_if<SqlStmt>(&s.node)) return &q->sql;
  return nullptr;
}

// Where the SQL of `s` starts in its file.
SourceLocation sql_start(const Statement& s) {
  if (const auto* c = std::get_if<CreateTableStmt>(&s.node)) return c->query_location;
  if (const auto* e = std::get_if<ExportStmt>(&s.node)) return e->query_location;
  return s.location;
}

struct Rewriter {
  const udf::Catalog& catalog;
  Statement& statement;
  std::vector<Error>& errors;
  const std::string original;  // the statement's SQL before rewriting: offsets point into it
  SourceLocation start;        // where `original` starts in the file
  size_t at = 0;               // offset in `original` of the call being rewritten

  // The file position of offset `at` in the SQL.
  SourceLocation where() const {
    SourceLocation loc = start;
    const size_t nl = original.rfind('\n', at == 0 ? 0 : at - 1);
    if (nl == std::string::npos || nl >= at) {
      loc.column = start.column + static_cast<int>(at);
    } else {
      loc.line +=
          static_cast<int>(std::count(original.begin(), original.begin() + static_cast<long>(at), '\n'));
      loc.column = static_cast<int>(at - nl);
    }
    return loc;
  }

  void problem(const std::string& what, const std::string& hint = {}) {
    errors.push_back(validation_error(what, hint).at(where()));
  }

  // Why `name` names no UDF: its module failed to import, or a did-you-mean.
  void unknown(const std::string& name) {
    const std::string full = name.rfind("python_udfs.", 0) == 0 ? name : "python_udfs." + name;
    const std::string module = full.substr(0, full.rfind('.'));
    if (auto it = catalog.import_errors.find(module); it != catalog.import_errors.end())
      return problem("PYTHON_FUNC(\"" + name + "\"): module " + module + " failed to import: " + it->second,
                     "fix the module; `sqlflow udf validate` imports every UDF module");
    problem("PYTHON_FUNC(\"" + name + "\"): no such UDF" + did_you_mean(full, catalog.qualified_names()),
            catalog.udfs.empty() ? "define it in python_udfs/<module>.py with @python_scalar_udf"
                                 : "`sqlflow udf list` shows the project's UDFs");
  }

  // `sql` is the text at offset `base` of the original.
  std::string rewrite(const std::string& sql, size_t base = 0) {
    std::string out;
    size_t last = 0;
    for (const auto& call : udf::find_python_calls(sql)) {
      at = base + call.begin;
      out += sql.substr(last, call.begin - last);
      last = call.end;
      const udf::UdfInfo* u = catalog.find(call.name);
      if (!u) {
        unknown(call.name);
        out += sql.substr(call.begin, call.end - call.begin);
        continue;
      }
      if (call.table != (u->kind == "table")) {
        problem("PYTHON_FUNC(\"" + call.name + "\") is a " + u->kind + " UDF, used " +
                    (call.table ? "as a table (after FROM or JOIN)" : "as a value"),
                u->kind == "table"
                    ? "call it in a FROM clause: SELECT * FROM PYTHON_FUNC(\"" + call.name + "\", t)"
                    : "call it in a select list: SELECT PYTHON_FUNC(\"" + call.name + "\", x)");
        out += sql.substr(call.begin, call.end - call.begin);
        continue;
      }
      if (call.table) {
        if (call.args.empty() || call.args.find(',') != std::string::npos) {
          problem("PYTHON_FUNC(\"" + call.name + "\", …) as a table takes exactly one table to read",
                  "e.g. SELECT * FROM PYTHON_FUNC(\"" + call.name + "\", raw_sales)");
          out += sql.substr(call.begin, call.end - call.begin);
          continue;
        }
        TableUdfCall t;
        t.placeholder = "__sqlflow_udf_" + std::to_string(statement.location.line) + "_" +
                        std::to_string(statement.table_udfs.size());
        t.udf = u->qualified();
        t.input = call.args;
        out += quote_identifier(t.placeholder);
        statement.table_udfs.push_back(std::move(t));
        continue;
      }
      out += u->sql_name() + "(" + rewrite(call.args, base + call.args_begin) + ")";
    }
    return out + sql.substr(last);
  }
};

}  // namespace

std::vector<SourceLocation> python_call_sites(std::vector<Statement>& statements) {
  std::vector<SourceLocation> out;
  for (auto& s : statements)
    if (const std::string* sql = sql_of(s); sql && udf::mentions_python_func(*sql)) out.push_back(s.location);
  return out;
}

std::shared_ptr<const udf::Catalog> resolve_python_calls(std::vector<Statement>& statements,
                                                         const std::filesystem::path& project_root,
                                                         std::vector<Error>& errors) {
  bool used = false;
  for (auto& s : statements)
    if (const std::string* sql = sql_of(s)) used = used || udf::mentions_python_func(*sql);
  if (!used) return nullptr;
  auto catalog = std::make_shared<udf::Catalog>();
  try {
    *catalog = udf::load_catalog(project_root);
  } catch (const Error& e) {
    errors.push_back(e);
    return nullptr;
  }
  for (auto& s : statements) {
    std::string* sql = sql_of(s);
    if (!sql || !udf::mentions_python_func(*sql)) continue;
    Rewriter r{*catalog, s, errors, *sql, sql_start(s)};
    *sql = r.rewrite(*sql);
  }
  return catalog;
}

}  // namespace sqlflow::pipeline
