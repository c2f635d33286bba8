// The end-of-run summary for stderr: an aligned table, hint lines and one exit line.
#include <fmt/format.h>

#include "metrics/exporters.hpp"
#include "metrics/secrets.hpp"

namespace sqlflow::metrics {

namespace {

// Terminal columns taken by UTF-8 text: one per code point (continuation bytes don't count).
std::size_t display_width(std::string_view s) {
  std::size_t n = 0;
  for (char c : s)
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  return n;
}

struct Column {
  std::string title;
  bool right;  // numbers align right
  std::vector<std::string> cells;
};

std::string pad(const std::string& s, std::size_t width, bool right) {
  std::size_t w = display_width(s);
  std::string fill(width > w ? width - w : 0, ' ');
  return right ? fill + s : s + fill;
}

// "1 time", "3 times".
std::string times(std::uint64_t n, const char* one, const char* many) {
  return format_count(n) + " " + (n == 1 ? one : many);
}

std::string percent(double part, double whole) {
  return fmt::format("{:.0f}%", whole > 0 ? 100.0 * part / whole : 0.0);
}

}  // namespace

std::vector<std::string> performance_hints(const StepMetrics& step) {
  std::vector<std::string> hints;
  const std::string name = mask_secrets(step.name);
  const double wall_ns = static_cast<double>(step.elapsed().count());
  const double net_ns = static_cast<double>(step.network_wait_ns.value());
  // Only worth saying for steps long enough to matter, and that worked (a failed one waited for
  // whatever made it fail).
  if (step.status() == StepStatus::Ok && wall_ns >= 1e9 && net_ns >= 0.8 * wall_ns) {
    hints.push_back(fmt::format(
        "step '{}' spent {} of its time waiting on the network; larger pages or more parallel requests "
        "may help, if the API allows them",
        name, net_ns >= wall_ns ? std::string("all") : percent(net_ns, wall_ns)));
  }
  if (auto n = step.throttle_waits.value())
    hints.push_back(fmt::format(
        "step '{}' was throttled {} (a configured rate limit, or the server's 429, Retry-After or "
        "rate-limit headers); its throughput is bounded by the API quota",
        name, times(n, "time", "times")));
  if (auto n = step.retries.value())
    hints.push_back(fmt::format("step '{}' retried {}; the remote service was slow or failing", name,
                                times(n, "request", "requests")));
  if (auto n = step.breaker_trips.value())
    hints.push_back(fmt::format("step '{}' opened the circuit breaker {}; the endpoint failed repeatedly",
                                name, times(n, "time", "times")));
  if (auto n = step.rejected_rows.value())
    hints.push_back(fmt::format("step '{}' rejected {}", name, times(n, "row", "rows")));
  return hints;
}

std::string exit_line(const RunMetrics& run) {
  Totals t = run.totals();
  const bool ok = run.ok();
  std::string steps = fmt::format("{} step{}", t.steps, t.steps == 1 ? "" : "s");
  if (!ok || t.skipped) {
    std::vector<std::string> parts;
    if (t.failed) parts.push_back(fmt::format("{} failed", t.failed));
    if (t.skipped) parts.push_back(fmt::format("{} skipped", t.skipped));
    if (t.pending + t.running) parts.push_back(fmt::format("{} not run", t.pending + t.running));
    if (!parts.empty()) steps += fmt::format(" ({})", fmt::join(parts, ", "));
  }
  const char* status = ok ? "ok" : run.error().rfind("interrupted", 0) == 0 ? "interrupted" : "failed";
  return fmt::format("sqlflow: pipeline {} {} \u2014 {}, {} {}, {}", mask_secrets(run.pipeline), status,
                     steps, format_count(t.rows_out), t.rows_out == 1 ? "row" : "rows",
                     format_duration(run.elapsed()));
}

void print_summary(const RunMetrics& run, std::ostream& out) {
  const auto steps = run.steps();
  std::vector<Column> cols = {{"STEP", false, {}}, {"KIND", false, {}}, {"CONNECTOR", false, {}},
                              {"ROWS", true, {}},  {"TIME", true, {}},  {"STATUS", false, {}}};
  struct Optional {
    const char* title;
    const Counter StepMetrics::*counter;
  };
  static const Optional kOptional[] = {{"REJECTED", &StepMetrics::rejected_rows},
                                       {"RETRIES", &StepMetrics::retries},
                                       {"THROTTLED", &StepMetrics::throttle_waits},
                                       {"TRIPS", &StepMetrics::breaker_trips}};
  std::vector<const Optional*> extra;
  for (const auto& o : kOptional)
    for (const StepMetrics* s : steps)
      if ((s->*o.counter).value()) {
        extra.push_back(&o);
        break;
      }
  for (const Optional* o : extra) cols.insert(cols.end() - 2, Column{o->title, true, {}});

  for (const StepMetrics* s : steps) {
    const bool ran = s->status() != StepStatus::Pending && s->status() != StepStatus::Skipped;
    std::size_t c = 0;
    cols[c++].cells.push_back(mask_secrets(s->name));
    cols[c++].cells.push_back(to_string(s->kind));
    cols[c++].cells.push_back(s->connector.empty() ? "-" : mask_secrets(s->connector));
    cols[c++].cells.push_back(ran ? format_count(s->rows_out.value()) : "-");
    for (const Optional* o : extra) cols[c++].cells.push_back(format_count((s->*o->counter).value()));
    cols[c++].cells.push_back(ran ? format_duration(s->elapsed()) : "-");
    cols[c++].cells.push_back(to_string(s->status()));
  }

  if (!steps.empty()) {
    std::vector<std::size_t> widths;
    for (const Column& col : cols) {
      std::size_t w = display_width(col.title);
      for (const auto& cell : col.cells) w = std::max(w, display_width(cell));
      widths.push_back(w);
    }
    auto emit_row = [&](auto cell_of) {
      std::string line;
      for (std::size_t c = 0; c < cols.size(); ++c) {
        if (c) line += "  ";
        line += pad(cell_of(c), widths[c], cols[c].right);
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out << line << '\n';
    };
    emit_row([&](std::size_t c) { return cols[c].title; });
    for (std::size_t r = 0; r < steps.size(); ++r) emit_row([&](std::size_t c) { return cols[c].cells[r]; });
  }
  for (const StepMetrics* s : steps) {
    if (!s->note().empty()) out << mask_secrets(s->name) << ": " << mask_secrets(s->note()) << '\n';
    if (s->status() == StepStatus::Skipped && !s->error().empty())
      out << mask_secrets(s->name) << ": " << mask_secrets(s->error()) << '\n';
    for (const auto& w : s->warnings())
      out << "warning: step '" << mask_secrets(s->name) << "': " << mask_secrets(w) << '\n';
  }
  for (const StepMetrics* s : steps)
    if (s->status() == StepStatus::Ok || s->status() == StepStatus::Failed)
      for (const auto& hint : performance_hints(*s)) out << "hint: " << hint << '\n';
  out << exit_line(run) << '\n';
  out.flush();
}

}  // namespace sqlflow::metrics
