// `sqlflow profiles list|show NAME|validate [NAME]`.
#include <algorithm>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/table_printer.hpp"
#include "connectors/registry.hpp"
#include "pipeline/profile.hpp"

namespace sqlflow::cli {

namespace {

// Problems a profile can have beyond YAML shape: connector types and their params.
std::vector<Error> check_profile(const pipeline::Profile& p) {
  std::vector<Error> errors;
  for (const auto& [name, c] : p.connectors) {
    const auto* info = connectors::Registry::instance().find(c.type);
    if (!info) {
      try {
        connectors::Registry::instance().get(c.type, connectors::Role::Source);
      } catch (Error& e) {
        errors.push_back(Error(e.kind(), "connectors." + name + ": " + e.message(), e.hint()));
      }
      continue;
    }
    // Profile params may serve a source or a destination: only unknown-to-both keys are errors.
    auto as_source = connectors::check_params(*info, connectors::Role::Source, c.params);
    auto as_dest = info->make_destination
                       ? connectors::check_params(*info, connectors::Role::Destination, c.params)
                       : as_source;
    const auto& fewer = as_source.size() <= as_dest.size() ? as_source : as_dest;
    for (const auto& e : fewer)
      if (e.message().rfind("missing required", 0) != 0)  // OPTIONS in the pipeline may supply it
        errors.push_back(
            Error(e.kind(), "connectors." + name + " (" + info->type + "): " + e.message(), e.hint()));
  }
  return errors;
}

void add_profiles_commands(CLI::App& app) {
  auto* profiles = app.add_subcommand("profiles", "List, show and validate profiles");
  profiles->require_subcommand(1);

  auto format = std::make_shared<std::string>("table");
  auto* list = profiles->add_subcommand("list", "List profiles in profiles/");
  list->add_option("--format", *format, "table or json")->check(CLI::IsMember({"table", "json"}));
  list->callback([format] {
    auto project = pipeline::Project::discover(".");
    // One broken profile is listed as invalid; the others are still shown.
    struct Row {
      std::string name, engine, connectors, variables, error, error_with_hint;
    };
    std::vector<Row> rows;
    for (const auto& n : project.profile_names()) {
      try {
        auto p = pipeline::load_profile(project, n);
        rows.push_back({n,
                        p.engine.name != "duckdb" ? pipeline::describe_engine(p.engine)
                        : p.engine.persistent     ? "persistent " + p.engine.path.filename().string()
                                                  : "memory",
                        std::to_string(p.connectors.size()), std::to_string(p.variables.size()), "", ""});
      } catch (const Error& e) {
        Error brief(e.kind(), e.message());
        if (e.location()) brief.at(*e.location());
        rows.push_back({n, "invalid", "-", "-", brief.format(), e.format()});
        g_exit_code = 2;
      }
    }
    if (*format == "json") {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& r : rows) {
        nlohmann::json j = {{"name", r.name},
                            {"engine", r.engine.rfind("persistent", 0) == 0 ? "persistent" : r.engine}};
        if (r.error.empty()) {
          j["connectors"] = std::stoul(r.connectors);
          j["variables"] = std::stoul(r.variables);
        } else {
          j["error"] = r.error_with_hint;
        }
        arr.push_back(j);
      }
      std::cout << arr.dump(2) << '\n';
    } else {
      TextTable t;
      t.header = {"profile", "engine", "connectors", "variables"};
      const bool any_invalid =
          std::any_of(rows.begin(), rows.end(), [](const Row& r) { return !r.error.empty(); });
      if (any_invalid) t.header.push_back("error");
      for (const auto& r : rows) {
        t.rows.push_back({r.name, r.engine, r.connectors, r.variables});
        if (any_invalid) t.rows.back().push_back(r.error);
      }
      print_table(std::cout, t);
    }
    // The hints as well, on stderr.
    for (const auto& r : rows)
      if (!r.error_with_hint.empty()) std::cerr << r.error_with_hint << '\n';
  });

  auto show_name = std::make_shared<std::string>();
  auto section = std::make_shared<std::string>();
  auto* show = profiles->add_subcommand("show", "Show a profile (secrets masked)");
  show->add_option("name", *show_name, "profile name")->required();
  show->add_option("--section", *section, "connectors, variables or engines")
      ->check(CLI::IsMember({"connectors", "variables", "engines"}));
  show->callback([show_name, section] {
    auto p = pipeline::load_profile(pipeline::Project::discover("."), *show_name);
    for (const auto& w : p.warnings) std::cerr << "warning: " << w << '\n';
    std::cout << pipeline::describe_profile(p, *section);
  });

  auto v_name = std::make_shared<std::string>();
  auto* validate = profiles->add_subcommand("validate", "Check profiles (all when no name)");
  validate->add_option("name", *v_name, "profile name");
  validate->callback([v_name] {
    auto project = pipeline::Project::discover(".");
    std::vector<std::string> names =
        v_name->empty() ? project.profile_names() : std::vector<std::string>{*v_name};
    if (names.empty()) throw usage_error("no profiles found in " + project.profiles_dir().string());
    for (const auto& n : names) {
      try {
        auto p = pipeline::load_profile(project, n);
        for (const auto& w : p.warnings) std::cerr << "warning: " << w << '\n';
        for (const auto& [var, w] : p.unset_variable_warnings) std::cerr << "warning: " << w << '\n';
        for (const auto& [cname, c] : p.connectors)
          for (const auto& e : c.unset_variables)
            std::cerr << "warning: " << e.format() << " (connector '" << cname
                      << "'; an error where it is used)\n";
        auto errors = check_profile(p);
        for (const auto& e : errors) std::cerr << p.file.string() << ": " << e.format() << '\n';
        std::cout << (errors.empty() ? "ok      " : "INVALID ") << n << '\n';
        if (!errors.empty()) g_exit_code = 2;
      } catch (const Error& e) {
        std::cerr << e.format() << '\n';
        std::cout << "INVALID " << n << '\n';
        g_exit_code = 2;
      }
    }
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(30, add_profiles_commands);

}  // namespace sqlflow::cli
