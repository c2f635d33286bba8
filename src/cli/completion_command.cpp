// `sqlflow completion bash|zsh|fish`: shell completion scripts generated from the CLI11 tree that
// main() built, so every command and flag added later is completed without editing this file.
// Pipeline, profile and connector names change with the project, so the scripts ask the binary
// for them at completion time through the hidden `sqlflow __complete KIND`.
#include <algorithm>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "connectors/registry.hpp"
#include "core/error.hpp"
#include "pipeline/project.hpp"

namespace sqlflow::cli {

namespace {

// What a value (an option's or a positional's) is completed with.
enum class ValueKind { None, Any, File, Pipeline, Profile, Connector, Choice };

struct OptionSpec {
  std::vector<std::string> names;  // "-p", "--profile"
  std::string description;
  ValueKind kind = ValueKind::None;  // None: a flag
  std::vector<std::string> choices;
};

struct CommandSpec {
  std::string path;                                              // "pipeline run"; "" for the root
  std::vector<std::pair<std::string, std::string>> subcommands;  // name, description
  std::vector<OptionSpec> options;
  std::vector<OptionSpec> positionals;
};

// "{text,json}" inside CLI11's type name of an option checked with CLI::IsMember.
std::vector<std::string> choices_of(const CLI::Option& opt) {
  std::vector<std::string> out;
  auto type = opt.get_type_name();
  auto open = type.find('{');
  auto close = type.find('}', open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::stringstream ss(type.substr(open + 1, close - open - 1));
  for (std::string item; std::getline(ss, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

// The kind of value an option takes, from its names and the command it belongs to: --profile and
// a profiles command's NAME are profiles, a `pipeline` positional is a pipeline, a connector
// `type` positional a connector type, an IsMember check its choices; other values are files.
ValueKind kind_of(const CLI::Option& opt, const std::string& path, std::vector<std::string>& choices) {
  if (opt.get_expected_min() == 0 && !opt.get_positional()) return ValueKind::None;
  const auto& lnames = opt.get_lnames();
  auto has_long = [&](const char* n) { return std::find(lnames.begin(), lnames.end(), n) != lnames.end(); };
  if (has_long("profile")) return ValueKind::Profile;
  if (opt.get_positional()) {
    auto name = opt.get_name(true);
    if (name == "pipeline") return ValueKind::Pipeline;
    if (name == "name" && path.rfind("profiles", 0) == 0) return ValueKind::Profile;
    if (name == "type" && path.rfind("connect", 0) == 0) return ValueKind::Connector;
  }
  choices = choices_of(opt);
  if (!choices.empty()) return ValueKind::Choice;
  if (opt.get_positional()) return ValueKind::Any;
  return ValueKind::File;
}

void collect(const CLI::App& app, const std::string& path, std::vector<CommandSpec>& out) {
  CommandSpec spec;
  spec.path = path;
  auto subs = app.get_subcommands([](const CLI::App* s) { return !s->get_group().empty(); });
  for (const auto* sub : subs) spec.subcommands.emplace_back(sub->get_name(), sub->get_description());
  for (const auto* opt : app.get_options()) {
    OptionSpec o;
    o.description = opt->get_description();
    o.kind = kind_of(*opt, path, o.choices);
    if (opt->get_positional()) {
      o.names.push_back(opt->get_name(true));
      spec.positionals.push_back(o);
      continue;
    }
    for (const auto& s : opt->get_snames()) o.names.push_back("-" + s);
    for (const auto& l : opt->get_lnames()) o.names.push_back("--" + l);
    if (!o.names.empty()) spec.options.push_back(o);
  }
  out.push_back(spec);
  for (const auto* sub : subs)
    collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), out);
}

const CLI::App& root_of(const CLI::App* app) {
  while (app->get_parent() != nullptr) app = app->get_parent();
  return *app;
}

std::string join(const std::vector<std::string>& items, const std::string& sep = " ") {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : sep) + i;
  return out;
}

// A word for a value kind in the generated scripts ("choice:a b" for choices).
std::string kind_word(const OptionSpec& o) {
  switch (o.kind) {
    case ValueKind::None:
      return "";
    case ValueKind::Any:
      return "any";
    case ValueKind::File:
      return "file";
    case ValueKind::Pipeline:
      return "pipeline";
    case ValueKind::Profile:
      return "profile";
    case ValueKind::Connector:
      return "connector";
    case ValueKind::Choice:
      return "choice:" + join(o.choices);
  }
  return "";
}

// Bash: tables of subcommands, options and value kinds per command path, and one function that
// walks the words typed so far to find the command path and the positional being typed.
void print_bash(const std::vector<CommandSpec>& specs, std::ostream& out) {
  out << "# bash completion for sqlflow (generated by `sqlflow completion bash`)\n";
  out << "__sqlflow_subcommands() {\n  case \"$1\" in\n";
  for (const auto& c : specs) {
    if (c.subcommands.empty()) continue;
    std::vector<std::string> names;
    for (const auto& [n, d] : c.subcommands) names.push_back(n);
    out << "    \"" << c.path << "\") echo \"" << join(names) << "\" ;;\n";
  }
  out << "  esac\n}\n";
  out << "__sqlflow_options() {\n  case \"$1\" in\n";
  for (const auto& c : specs) {
    std::vector<std::string> names;
    for (const auto& o : c.options) names.insert(names.end(), o.names.begin(), o.names.end());
    out << "    \"" << c.path << "\") echo \"" << join(names) << "\" ;;\n";
  }
  out << "  esac\n}\n";
  out << "# The value an option takes (empty for a flag): file, any, pipeline, profile, connector, choice:A "
         "B\n";
  out << "__sqlflow_option_kind() {\n  case \"$1|$2\" in\n";
  for (const auto& c : specs)
    for (const auto& o : c.options) {
      auto k = kind_word(o);
      if (k.empty()) continue;
      std::vector<std::string> pats;
      for (const auto& n : o.names) pats.push_back("\"" + c.path + "|" + n + "\"");
      out << "    " << join(pats, "|") << ") echo \"" << k << "\" ;;\n";
    }
  out << "  esac\n}\n";
  out << "__sqlflow_positional_kind() {\n  case \"$1|$2\" in\n";
  for (const auto& c : specs)
    for (size_t i = 0; i < c.positionals.size(); ++i)
      out << "    \"" << c.path << "|" << i << "\") echo \"" << kind_word(c.positionals[i]) << "\" ;;\n";
  out << "  esac\n}\n";
  out << R"BASH(__sqlflow_values() {
  local bin=$1 kind=$2 cur=$3
  case "$kind" in
    pipeline) compgen -W "$("$bin" __complete pipelines 2>/dev/null)" -- "$cur"
              compgen -f -X '!*.sf' -- "$cur"; compgen -d -- "$cur" ;;
    profile) compgen -W "$("$bin" __complete profiles 2>/dev/null)" -- "$cur" ;;
    connector) compgen -W "$("$bin" __complete connectors 2>/dev/null)" -- "$cur" ;;
    choice:*) compgen -W "${kind#choice:}" -- "$cur" ;;
    file) compgen -f -- "$cur" ;;
  esac
}
__sqlflow_bash_complete() {
  local bin=${COMP_WORDS[0]} cur=${COMP_WORDS[COMP_CWORD]} path="" npos=0 i w kind
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=${COMP_WORDS[i]}
    if [[ $w == -* ]]; then
      if [[ $w != *=* && -n $(__sqlflow_option_kind "$path" "$w") ]]; then
        if ((i + 1 == COMP_CWORD)); then
          kind=$(__sqlflow_option_kind "$path" "$w")
          mapfile -t COMPREPLY < <(__sqlflow_values "$bin" "$kind" "$cur")
          return
        fi
        ((i++))
      fi
      continue
    fi
    if ((npos == 0)) && [[ " $(__sqlflow_subcommands "$path") " == *" $w "* ]]; then
      path=${path:+$path }$w
    else
      ((npos++))
    fi
  done
  if [[ $cur == -* ]]; then
    mapfile -t COMPREPLY < <(compgen -W "$(__sqlflow_options "$path")" -- "$cur")
    return
  fi
  local subs=""
  ((npos == 0)) && subs=$(__sqlflow_subcommands "$path")
  kind=$(__sqlflow_positional_kind "$path" "$npos")
  mapfile -t COMPREPLY < <(compgen -W "$subs" -- "$cur"; [[ -n $kind ]] && __sqlflow_values "$bin" "$kind" "$cur")
}
complete -o filenames -F __sqlflow_bash_complete sqlflow
)BASH";
}

// Zsh runs the bash script through bashcompinit. Installed as site-functions/_sqlflow it is
// autoloaded on the first completion, so it also completes that first call.
void print_zsh(const std::vector<CommandSpec>& specs, std::ostream& out) {
  out << "#compdef sqlflow\n# zsh completion for sqlflow (generated by `sqlflow completion zsh`)\n";
  out << "autoload -U +X bashcompinit && bashcompinit\n";
  print_bash(specs, out);
  out << "if [[ ${funcstack[1]} == _sqlflow ]]; then\n"
         "  _bash_complete -F __sqlflow_bash_complete \"$@\"\n"
         "fi\n";
}

std::string fish_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

// Fish: one `complete` line per subcommand, option and positional, each guarded by the command
// path typed so far, with descriptions.
void print_fish(const std::vector<CommandSpec>& specs, std::ostream& out) {
  out << "# fish completion for sqlflow (generated by `sqlflow completion fish`)\n";
  out << "function __sqlflow_subcommands\n    switch \"$argv[1]\"\n";
  for (const auto& c : specs) {
    if (c.subcommands.empty()) continue;
    std::vector<std::string> names;
    for (const auto& [n, d] : c.subcommands) names.push_back(n);
    out << "        case " << fish_quote(c.path) << "\n            printf '%s\\n' " << join(names) << "\n";
  }
  out << "    end\nend\n";
  out << R"FISH(function __sqlflow_path
    set -l path ''
    for t in (commandline -opc)[2..-1]
        string match -q -- '-*' $t; and continue
        contains -- $t (__sqlflow_subcommands "$path"); or break
        set path (string trim -- "$path $t")
    end
    echo $path
end
function __sqlflow_at
    set -l p (__sqlflow_path)
    test "$p" = "$argv[1]"
end
function __sqlflow_names
    set -l bin (commandline -opc)[1]
    $bin __complete $argv 2>/dev/null
end
complete -c sqlflow -f
)FISH";
  auto values = [](const OptionSpec& o) -> std::string {
    switch (o.kind) {
      case ValueKind::None:
        return "";
      case ValueKind::Any:
        return " -r";
      case ValueKind::File:
        return " -r -F";
      case ValueKind::Pipeline:
        return " -r -a '(__sqlflow_names pipelines)'";
      case ValueKind::Profile:
        return " -r -a '(__sqlflow_names profiles)'";
      case ValueKind::Connector:
        return " -r -a '(__sqlflow_names connectors)'";
      case ValueKind::Choice:
        return " -r -a " + fish_quote(join(o.choices));
    }
    return "";
  };
  for (const auto& c : specs) {
    auto guard = "complete -c sqlflow -n " + fish_quote("__sqlflow_at " + fish_quote(c.path));
    for (const auto& [n, d] : c.subcommands) out << guard << " -a " << n << " -d " << fish_quote(d) << '\n';
    for (const auto& o : c.options) {
      out << guard;
      for (const auto& n : o.names)
        out << (n.rfind("--", 0) == 0 ? " -l " + n.substr(2) : " -s " + n.substr(1));
      out << values(o) << " -d " << fish_quote(o.description) << '\n';
    }
    if (!c.positionals.empty() && c.positionals[0].kind != ValueKind::Any) {
      auto v = values(c.positionals[0]);
      out << guard << v.substr(v.find(" -a ")) << " -d " << fish_quote(c.positionals[0].description) << '\n';
    }
  }
}

// `sqlflow __complete pipelines|profiles|connectors|commands`: the names the scripts offer,
// one a line; nothing (and exit 0) outside a project or on any error.
void print_names(const std::string& what) {
  try {
    std::vector<std::string> names;
    if (what == "pipelines") names = pipeline::Project::discover(".").pipeline_names();
    if (what == "profiles") names = pipeline::Project::discover(".").profile_names();
    if (what == "connectors")
      for (const auto* c : connectors::Registry::instance().all()) names.push_back(c->type);
    for (const auto& n : names) std::cout << n << '\n';
  } catch (const std::exception&) {
  }
}

void add_completion_command(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script (bash, zsh or fish)");
  cmd->footer(
      "\nbash: source <(sqlflow completion bash)\n"
      "zsh:  source <(sqlflow completion zsh)\n"
      "fish: sqlflow completion fish | source");
  cmd->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  cmd->callback([cmd, shell] {
    std::vector<CommandSpec> specs;
    collect(root_of(cmd), "", specs);
    if (*shell == "bash") print_bash(specs, std::cout);
    if (*shell == "zsh") print_zsh(specs, std::cout);
    if (*shell == "fish") print_fish(specs, std::cout);
  });

  // Hidden (no group): the scripts' source of names, and of command paths for the man page.
  auto what = std::make_shared<std::string>();
  auto* names = app.add_subcommand("__complete", "");
  names->group("");
  names->add_option("what", *what)->required();
  names->callback([names, what] {
    if (*what != "commands") return print_names(*what);
    std::vector<CommandSpec> specs;
    collect(root_of(names), "", specs);
    for (const auto& c : specs)
      if (!c.path.empty()) std::cout << c.path << '\n';
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(95, add_completion_command);

}  // namespace sqlflow::cli
