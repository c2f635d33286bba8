// `sqlflow connect list|describe TYPE`: what connectors exist and which parameters they take.
#include <chrono>
#include <iostream>

#include "cli/commands.hpp"
#include "connectors/registry.hpp"
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
  };
  // The profile's connector `c.name` as a source, its connector info beside it.
  auto open_source = [](const ProfileConnector& c, const connectors::ConnectorInfo** info_out) {
    auto project = pipeline::Project::discover(".");
    auto profile = pipeline::load_profile(project, c.profile);
    auto it = profile.connectors.find(c.name);
    if (it == profile.connectors.end())
      throw usage_error("profile '" + c.profile + "' has no connector named '" + c.name + "'",
                        "see `sqlflow profiles show " + c.profile + " --section connectors`");
    if (!it->second.unset_variables.empty()) throw it->second.unset_variables.front();
    const auto& info = connectors::Registry::instance().get(it->second.type, connectors::Role::Source);
    *info_out = &info;
    connectors::ConnectorContext ctx;
    ctx.base_dir = project.root();
    return info.make_source(connectors::normalize_params(info.source_params, it->second.params), ctx);
  };

  auto t = std::make_shared<ProfileConnector>();
  auto* test = connect->add_subcommand("test", "Open a profile connector and report latency and version");
  test->add_option("name", t->name, "connector name under connectors: in the profile")->required();
  test->add_option("-p,--profile", t->profile, "profile")->default_val("dev");
  test->callback([t, open_source] {
    const connectors::ConnectorInfo* info = nullptr;
    const auto started = std::chrono::steady_clock::now();
    try {
      auto source = open_source(*t, &info);
      std::string what = source->test_connection();
      double ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
      std::cout << "ok  " << t->name << " (" << info->type << "): " << what << " — "
                << static_cast<int>(ms + 0.5) << " ms\n";
    } catch (const Error& e) {
      if (!info) throw;  // the profile, not the connection, is wrong
      std::cout << "FAILED  " << t->name << " (" << info->type << "): " << e.message() << '\n';
      if (!e.hint().empty()) std::cout << "  hint: " << e.hint() << '\n';
      g_exit_code = 1;
    }
  });

  auto d = std::make_shared<ProfileConnector>();
  auto* discover = connect->add_subcommand(
      "discover",
      "List what a profile connector can read (e.g. a spreadsheet's sheets and their header rows)");
  discover->add_option("name", d->name, "connector name under connectors: in the profile")->required();
  discover->add_option("-p,--profile", d->profile, "profile")->default_val("dev");
  discover->callback([d, open_source] {
    const connectors::ConnectorInfo* info = nullptr;
    auto source = open_source(*d, &info);
    for (const auto& line : source->discover_lines()) std::cout << line << '\n';
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(40, add_connect_commands);

}  // namespace sqlflow::cli
