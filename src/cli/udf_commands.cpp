// `sqlflow udf list|info NAME|validate [NAME]`: the project's Python UDFs (python_udfs/*.py).
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/table_printer.hpp"
#include "core/error.hpp"
#include "core/suggest.hpp"
#include "engine/connection.hpp"
#include "pipeline/project.hpp"
#include "udf/catalog.hpp"
#include "udf/scalar.hpp"

namespace sqlflow::cli {

namespace {

udf::Catalog project_catalog() {
  auto project = pipeline::Project::discover(".");
  if (!udf::has_udf_modules(project.root())) return {};
  return udf::load_catalog(project.root());
}

std::string where(const udf::UdfInfo& u) {
  return u.file + ":" + std::to_string(u.line);
}

void print_import_errors(const udf::Catalog& c) {
  for (const auto& [module, error] : c.import_errors)
    std::cerr << "error: module " << module << " failed to import: " << error << '\n';
}

void list_command(const std::string& format) {
  udf::Catalog c = project_catalog();
  print_import_errors(c);
  if (format == "json") {
    nlohmann::ordered_json arr = nlohmann::ordered_json::array();
    for (const auto& u : c.udfs)
      arr.push_back({{"name", u.qualified()},
                     {"kind", u.kind},
                     {"signature", u.signature},
                     {"returns", u.kind == "scalar" ? u.return_type : "TABLE"},
                     {"vectorized", u.vectorized},
                     {"file", u.file},
                     {"line", u.line},
                     {"doc", u.doc}});
    std::cout << arr.dump(2) << '\n';
  } else {
    TextTable t;
    t.header = {"udf", "kind", "signature", "where"};
    for (const auto& u : c.udfs) t.rows.push_back({u.qualified(), u.kind, u.signature, where(u)});
    print_table(std::cout, t);
  }
  if (!c.import_errors.empty()) g_exit_code = 2;
}

void info_command(const std::string& name) {
  udf::Catalog c = project_catalog();
  const udf::UdfInfo* u = c.find(name);
  if (!u)
    throw usage_error("no UDF named '" + name + "'" + did_you_mean(name, c.qualified_names()),
                      "`sqlflow udf list` shows the project's UDFs");
  std::cout << u->qualified() << "  (" << u->kind << " UDF, " << where(*u) << ")\n"
            << "  signature: " << u->function << u->signature << '\n';
  if (u->kind == "scalar") {
    std::cout << "  returns:   " << u->return_type
              << (u->vectorized ? " (vectorized: one call per batch)" : "") << '\n'
              << "  call:      PYTHON_FUNC(\"" << u->qualified() << "\"";
    for (const auto& p : u->params) std::cout << ", " << p.name;
    std::cout << ")\n";
  } else {
    std::cout << "  columns:   ";
    if (u->infer) std::cout << "inferred from the result";
    for (size_t i = 0; i < u->output_schema.size(); ++i)
      std::cout << (i ? ", " : "") << u->output_schema[i].first << " " << u->output_schema[i].second;
    std::cout << "\n  call:      SELECT * FROM PYTHON_FUNC(\"" << u->qualified() << "\", some_table)\n";
  }
  if (!u->doc.empty()) std::cout << "  " << u->doc << '\n';
}

// Imports every module and registers every scalar UDF in a scratch database, as a run would.
void validate_command(const std::string& name) {
  udf::Catalog c = project_catalog();
  print_import_errors(c);
  int problems = static_cast<int>(c.import_errors.size());
  for (const auto& u : c.udfs) {
    if (!name.empty() && c.find(name) != &u) continue;
    if (u.kind == "scalar" && !udf::supported_return_type(u.return_type)) {
      std::cerr << where(u) << ": error: UDF " << u.qualified() << " returns " << u.return_type
                << ", which sqlflow cannot return (use str, int, float, bool, date or datetime)\n";
      ++problems;
      continue;
    }
    std::cout << "ok      " << u.qualified() << '\n';
  }
  if (!name.empty() && !c.find(name))
    throw usage_error("no UDF named '" + name + "'" + did_you_mean(name, c.qualified_names()));
  if (problems) g_exit_code = 2;
}

void add_udf_commands(CLI::App& app) {
  auto* udf =
      app.add_subcommand("udf", "List, describe and check the project's Python UDFs (python_udfs/*.py)");
  udf->require_subcommand(1);
  auto format = std::make_shared<std::string>("table");
  auto* list = udf->add_subcommand("list", "List the UDFs with their signatures and where they are defined");
  list->add_option("--format", *format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->callback([format] { list_command(*format); });
  auto info_name = std::make_shared<std::string>();
  auto* info = udf->add_subcommand("info", "Show one UDF: signature, return type, docstring, file:line");
  info->add_option("name", *info_name, "python_udfs.module.function (or module.function)")->required();
  info->callback([info_name] { info_command(*info_name); });
  auto v_name = std::make_shared<std::string>();
  auto* validate = udf->add_subcommand("validate", "Import every UDF module and check the UDFs (or one)");
  validate->add_option("name", *v_name, "one UDF to check");
  validate->callback([v_name] { validate_command(*v_name); });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(45, add_udf_commands);

}  // namespace sqlflow::cli
