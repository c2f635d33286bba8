#include "pipeline/step_selection.hpp"

#include <algorithm>

#include "core/suggest.hpp"

namespace sqlflow::pipeline {

namespace {

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(" \t");
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(" \t") - b + 1);
}

std::vector<std::string> split_commas(const std::string& list) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    if (comma == std::string::npos) comma = list.size();
    if (std::string p = trim(list.substr(start, comma - start)); !p.empty()) parts.push_back(p);
    start = comma + 1;
  }
  return parts;
}

// "load users" → "users": the step's target, what dbt users select by.
std::string target_of(const std::string& step_name) {
  const auto space = step_name.find(' ');
  return space == std::string::npos ? step_name : step_name.substr(space + 1);
}

bool all_digits(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

std::set<size_t> steps_named(const Plan& plan, const std::string& name, const char* flag) {
  std::set<size_t> found;
  if (all_digits(name)) {
    const size_t number = std::stoul(name);
    if (number >= 1 && number <= plan.steps.size()) found.insert(number - 1);
  }
  const std::string folded = fold_name(name);
  for (const auto& s : plan.steps)
    if (fold_name(s.name) == folded) found.insert(s.id);
  if (found.empty())
    for (const auto& s : plan.steps)
      if (fold_name(target_of(s.name)) == folded) found.insert(s.id);
  if (!found.empty()) return found;
  std::vector<std::string> candidates;
  for (const auto& s : plan.steps) {
    candidates.push_back(s.name);
    candidates.push_back(target_of(s.name));
  }
  std::string listed;
  for (const auto& s : plan.steps) listed += (listed.empty() ? "" : ", ") + s.name;
  throw usage_error(
      std::string(flag) + ": the pipeline has no step '" + name + "'" + did_you_mean(name, candidates),
      "its steps (as `pipeline compile` names them): " + listed);
}

// `from` and every step reachable along `edges`.
void close_over(const std::vector<std::vector<size_t>>& edges, size_t from, std::set<size_t>& out) {
  std::vector<size_t> todo{from};
  while (!todo.empty()) {
    const size_t v = todo.back();
    todo.pop_back();
    for (size_t next : edges[v])
      if (out.insert(next).second) todo.push_back(next);
  }
}

}  // namespace

std::set<size_t> match_steps(const Plan& plan, const std::string& selectors, const char* flag) {
  std::vector<std::vector<size_t>> upstream(plan.steps.size()), downstream(plan.steps.size());
  for (const auto& s : plan.steps)
    for (size_t d : s.depends_on) {
      upstream[s.id].push_back(d);
      downstream[d].push_back(s.id);
    }
  std::set<size_t> chosen;
  for (std::string sel : split_commas(selectors)) {
    const bool up = sel.front() == '+';
    const bool down = sel.size() > 1 && sel.back() == '+';
    sel = trim(sel.substr(up ? 1 : 0, sel.size() - (up ? 1 : 0) - (down ? 1 : 0)));
    if (sel.empty())
      throw usage_error(std::string(flag) + ": a '+' with no step name", "e.g. +orders or orders+");
    for (size_t id : steps_named(plan, sel, flag)) {
      chosen.insert(id);
      if (up) close_over(upstream, id, chosen);
      if (down) close_over(downstream, id, chosen);
    }
  }
  return chosen;
}

std::set<size_t> select_steps(const Plan& plan, const std::string& select, const std::string& exclude) {
  std::set<size_t> keep;
  if (trim(select).empty()) {
    for (const auto& s : plan.steps) keep.insert(s.id);
  } else {
    keep = match_steps(plan, select, "--select");
  }
  if (!trim(exclude).empty())
    for (size_t id : match_steps(plan, exclude, "--exclude")) keep.erase(id);
  if (keep.empty())
    throw usage_error("--select/--exclude leave no step to run",
                      "see the steps with `sqlflow pipeline compile`");
  return keep;
}

Plan restrict_plan(const Plan& plan, const std::set<size_t>& keep) {
  Plan out;
  out.sources = plan.sources;
  out.source_locations = plan.source_locations;
  out.warnings = plan.warnings;
  // For each step, the kept steps it stands for as a dependency: itself when kept, else the
  // kept steps it depends on through dropped ones (so A → dropped B → C still orders A before C).
  std::vector<std::set<size_t>> stands_for(plan.steps.size());
  for (const auto& s : plan.steps) {
    std::set<size_t> deps;
    for (size_t d : s.depends_on) deps.insert(stands_for[d].begin(), stands_for[d].end());
    if (!keep.count(s.id)) {
      stands_for[s.id] = std::move(deps);
      continue;
    }
    Step step = s;
    step.id = out.steps.size();
    step.depends_on.assign(deps.begin(), deps.end());
    step.level = 0;
    for (size_t d : step.depends_on) step.level = std::max(step.level, out.steps[d].level + 1);
    stands_for[s.id] = {step.id};
    out.steps.push_back(std::move(step));
  }
  return out;
}

}  // namespace sqlflow::pipeline
