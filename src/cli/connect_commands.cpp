// `sqlflow connect list|describe TYPE|test NAME|discover NAME`: what connectors exist, which
// parameters they take, and what a profile's connector reaches.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "connectors/connector_error.hpp"
#include "connectors/registry.hpp"
#include "core/suggest.hpp"
#include "pipeline/profile.hpp"

namespace sqlflow::cli {

namespace {
void print_specs(const char* title, const std::vector<connectors::ParamSpec>& specs) {
  if (specs.empty()) return;
  std::cout << title << ":\n";
  for (const auto& s : specs) {
    std::cout << "  " << s.name << " (" << connectors::to_string(s.type) << (s.required ? ", required" : "");
    if (!s.default_value.is_null()) std::cout << ", default " << s.default_value.dump();
    std::cout << ")";
    if (!s.aliases.empty()) {
      std::cout << " [also:";
      for (const auto& a : s.aliases) std::cout << ' ' << a;
      std::cout << "]";
    }
    if (!s.doc.empty()) std::cout << "  " << s.doc;
    std::cout << '\n';
  }
}

// A profile's connector, found and checked, ready to be opened as a source.
struct OpenedConnector {
  pipeline::ConnectorConfig config;
  const connectors::ConnectorInfo* info = nullptr;
  connectors::ConnectorContext context;

  std::unique_ptr<connectors::Source> source() const {
    return info->make_source(connectors::normalize_params(info->source_params, config.params), context);
  }
};

// Errors here are the profile's, not the connection's: they end the command (exit 2).
OpenedConnector find_connector(const std::string& name, const std::string& profile_name) {
  auto project = pipeline::Project::discover(".");
  auto profile = pipeline::load_profile(project, profile_name);
  auto it = profile.connectors.find(name);
  if (it == profile.connectors.end()) {
    std::vector<std::string> names;
    for (const auto& [n, cfg] : profile.connectors) names.push_back(n);
    throw usage_error(
        "profile '" + profile_name + "' has no connector named '" + name + "'" + did_you_mean(name, names),
        "see `sqlflow profiles show " + profile_name + " --section connectors`");
  }
  if (!it->second.unset_variables.empty()) throw it->second.unset_variables.front();
  OpenedConnector c;
  c.config = it->second;
  c.info = &connectors::Registry::instance().get(it->second.type, connectors::Role::Source);
  c.context.base_dir = project.root();
  return c;
}

void print_discovery(std::ostream& out, const connectors::Discovery& d) {
  for (const auto& n : d.notes) out << n << '\n';
  for (const auto& item : d.items) {
    std::string about = item.kind;
    if (!item.detail.empty()) about += ", " + item.detail;
    if (item.rows)
      about += ", " + std::string(item.rows_estimated ? "~" : "") + std::to_string(*item.rows) + " rows";
    if (item.bytes) about += ", " + std::to_string(*item.bytes) + " bytes";
    out << "  " << item.name << " (" << about << "):";
    if (!item.error.empty()) {
      out << " error: " << item.error << '\n';
      continue;
    }
    std::string columns;
    for (const auto& c : item.columns)
      columns += (columns.empty() ? " " : ", ") + c.name + (c.type.empty() ? "" : " " + c.type);
    out << columns;
    if (!item.note.empty()) out << (columns.empty() ? " (" : "  (") << item.note << ')';
    out << '\n';
  }
}

nlohmann::ordered_json discovery_json(const std::string& name, const std::string& type,
                                      const connectors::Discovery& d) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& item : d.items) {
    nlohmann::ordered_json j = {{"kind", item.kind}, {"name", item.name}};
    if (!item.detail.empty()) j["detail"] = item.detail;
    if (!item.params.is_null()) j["params"] = item.params;
    if (item.rows) {
      j["rows"] = *item.rows;
      j["rows_estimated"] = item.rows_estimated;
    }
    if (item.bytes) j["bytes"] = *item.bytes;
    nlohmann::ordered_json columns = nlohmann::ordered_json::array();
    for (const auto& c : item.columns) {
      nlohmann::ordered_json col = {{"name", c.name}};
      col["type"] = c.type.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(c.type);
      columns.push_back(std::move(col));
    }
    j["columns"] = std::move(columns);
    if (!item.note.empty()) j["note"] = item.note;
    if (!item.error.empty()) j["error"] = item.error;
    items.push_back(std::move(j));
  }
  return {{"connector", name}, {"type", type}, {"notes", d.notes}, {"items", std::move(items)}};
}
}  // namespace

namespace {
void add_connect_commands(CLI::App& app) {
  auto* connect = app.add_subcommand("connect", "Inspect connectors");
  connect->require_subcommand(1);

  auto* list = connect->add_subcommand("list", "List connector types");
  list->callback([] {
    for (const auto* c : connectors::Registry::instance().all()) {
      std::string roles = std::string(c->make_source ? "source" : "") +
                          (c->make_source && c->make_destination ? "+" : "") +
                          (c->make_destination ? "destination" : "");
      std::cout << c->type << "\t" << roles << "\t" << c->description << '\n';
    }
  });

  auto type = std::make_shared<std::string>();
  auto* describe = connect->add_subcommand("describe", "Show a connector type's parameters");
  describe->add_option("type", *type, "connector type, e.g. csv")->required();
  describe->callback([type] {
    const auto* info = connectors::Registry::instance().find(*type);
    if (!info)
      connectors::Registry::instance().get(*type, connectors::Role::Source);  // throws with suggestions
    std::cout << info->type << ": " << info->description << '\n';
    if (!info->aliases.empty()) {
      std::cout << "aliases:";
      for (const auto& a : info->aliases) std::cout << ' ' << a;
      std::cout << '\n';
    }
    print_specs("source parameters (SOURCE … PARAMS)", info->source_params);
    print_specs("destination options (EXPORT … OPTIONS)", info->destination_params);
    for (const auto& n : info->notes) std::cout << n << '\n';
  });

  struct ProfileConnector {
    std::string name;
    std::string profile = "dev";
    std::string format = "text";
  };
  auto t = std::make_shared<ProfileConnector>();
  auto* test = connect->add_subcommand(
      "test", "Open a profile connector and report latency, version and (PostgreSQL) privileges");
  test->add_option("name", t->name, "connector name under connectors: in the profile")->required();
  test->add_option("-p,--profile", t->profile, "profile")->default_val("dev");
  test->callback([t] {
    const auto started = std::chrono::steady_clock::now();
    OpenedConnector c = find_connector(t->name, t->profile);
    try {
      connectors::ConnectionReport report;
      if (const auto* inspector = connectors::Registry::instance().inspector(c.info->type);
          inspector && inspector->test)
        report = inspector->test(c.config.params, c.context);
      else
        report.summary = c.source()->test_connection();
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      std::cout << "ok  " << t->name << " (" << c.info->type << "): " << report.summary << " — "
                << static_cast<int>(ms + 0.5) << " ms\n";
      for (const auto& line : report.details) std::cout << "  " << line << '\n';
      if (!report.problem.empty()) {
        std::cout << "FAILED  " << t->name << " (" << c.info->type << "): " << report.problem << '\n';
        g_exit_code = 1;
      }
    } catch (const Error& e) {
      std::cout << "FAILED  " << t->name << " (" << c.info->type << "): " << e.message() << '\n';
      if (!e.hint().empty()) std::cout << "  hint: " << e.hint() << '\n';
      g_exit_code = 1;
    }
  });

  auto d = std::make_shared<ProfileConnector>();
  auto* discover = connect->add_subcommand(
      "discover",
      "List what a profile connector can read: PostgreSQL schemas and tables (estimated rows), the files "
      "a path or glob matches, a REST endpoint's columns, a spreadsheet's sheets");
  discover->add_option("name", d->name, "connector name under connectors: in the profile")->required();
  discover->add_option("-p,--profile", d->profile, "profile")->default_val("dev");
  discover->add_option("--format", d->format, "text or json")->check(CLI::IsMember({"text", "json"}));
  discover->callback([d] {
    OpenedConnector c = find_connector(d->name, d->profile);
    const std::string subject =
        connectors::connector_subject(c.info->type, connectors::Role::Source, d->name);
    connectors::Discovery found = connectors::calling_connector(subject, [&] {
      if (const auto* inspector = connectors::Registry::instance().inspector(c.info->type);
          inspector && inspector->discover)
        return inspector->discover(c.config.params, c.context);
      return c.source()->discover_contents();
    });
    for (auto& item : found.items)
      if (item.name.empty()) item.name = d->name;
    if (d->format == "json")
      std::cout << discovery_json(d->name, c.info->type, found)
                       .dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)
                << '\n';
    else
      print_discovery(std::cout, found);
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(40, add_connect_commands);

}  // namespace sqlflow::cli
