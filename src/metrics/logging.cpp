#include "metrics/logging.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/spdlog.h>

#include <ctime>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <utility>

#include "core/error.hpp"
#include "core/suggest.hpp"
#include "metrics/run_metrics.hpp"
#include "metrics/secrets.hpp"
#include "metrics/terminal.hpp"

namespace sqlflow::metrics {

namespace {

// The event log_event is emitting on this thread (the sink runs synchronously in the caller).
struct PendingEvent {
  std::string_view name;
  const nlohmann::ordered_json* fields = nullptr;
};
thread_local PendingEvent t_event;

struct RunContext {
  std::mutex mutex;
  std::string run_id, pipeline;
};
RunContext& run_context() {
  static RunContext c;
  return c;
}

bool g_json = false;

nlohmann::ordered_json masked(const nlohmann::ordered_json& v) {
  if (v.is_string()) return mask_secrets(v.get<std::string>());
  if (v.is_structured()) {
    nlohmann::ordered_json out = v;
    for (auto& item : out) item = masked(item);
    return out;
  }
  return v;
}

std::string text_value(const nlohmann::ordered_json& v) {
  if (v.is_string()) {
    const std::string s = v.get<std::string>();
    return s.find_first_of(" \t\"=") == std::string::npos && !s.empty() ? s : v.dump();
  }
  return v.dump();
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

const char* level_name(spdlog::level::level_enum level) {
  switch (level) {
    case spdlog::level::trace:
      return "trace";
    case spdlog::level::debug:
      return "debug";
    case spdlog::level::info:
      return "info";
    case spdlog::level::warn:
      return "warn";
    case spdlog::level::err:
      return "error";
    case spdlog::level::critical:
      return "critical";
    default:
      return "off";
  }
}

spdlog::level::level_enum to_spdlog(LogLevel level) {
  switch (level) {
    case LogLevel::Trace:
      return spdlog::level::trace;
    case LogLevel::Debug:
      return spdlog::level::debug;
    case LogLevel::Info:
      return spdlog::level::info;
    case LogLevel::Warn:
      return spdlog::level::warn;
    case LogLevel::Error:
      return spdlog::level::err;
    case LogLevel::Off:
      return spdlog::level::off;
  }
  return spdlog::level::info;
}

std::string local_time(std::chrono::system_clock::time_point t) {
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  localtime_r(&secs, &tm);
  return fmt::format("{:%Y-%m-%d %H:%M:%S}.{:03}", tm, ms % 1000);
}

// Formats and masks each record itself (rather than through spdlog's pattern formatter) so the
// masker sees the message before JSON escaping could hide a secret's spelling.
class SqlflowSink final : public spdlog::sinks::base_sink<std::mutex> {
 public:
  SqlflowSink(LogFormat format, std::ostream& out) : format_(format), out_(out) {}

 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    std::string_view payload(msg.payload.data(), msg.payload.size());
    const LogContext::Value& ctx = LogContext::current();
    std::string line;
    const PendingEvent& ev = t_event;
    if (format_ == LogFormat::Json) {
      auto or_null = [](const std::string& s) {
        return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(mask_secrets(s));
      };
      nlohmann::ordered_json j;
      j["ts"] = format_timestamp(msg.time);
      j["level"] = level_name(msg.level);
      {
        std::lock_guard lock(run_context().mutex);
        j["run_id"] = or_null(run_context().run_id);
        j["pipeline"] = or_null(run_context().pipeline);
      }
      j["step"] = or_null(ctx.step);
      j["connector"] = or_null(ctx.connector);
      j["event"] = ev.name.empty() ? std::string_view("message") : ev.name;
      j["msg"] = mask_secrets(payload);
      if (ev.fields && ev.fields->is_object())
        for (const auto& [k, v] : ev.fields->items())
          if (!j.contains(k)) j[k] = masked(v);
      line = j.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
    } else {
      line = fmt::format("[{}] [{}] ", local_time(msg.time), level_name(msg.level));
      if (!ctx.step.empty()) line += fmt::format("[{}] ", ctx.step);
      line += payload;
      if (ev.fields && ev.fields->is_object())
        for (const auto& [k, v] : ev.fields->items()) line += fmt::format(" {}={}", k, text_value(v));
      line = mask_secrets(line);
    }
    line.push_back('\n');
    std::lock_guard term(detail::terminal_mutex());
    detail::erase_progress_locked();
    out_ << line << std::flush;
  }
  void flush_() override { out_.flush(); }

 private:
  LogFormat format_;
  std::ostream& out_;
};

}  // namespace

LogLevel parse_log_level(std::string_view text) {
  const std::string v = lower(text);
  if (v == "trace") return LogLevel::Trace;
  if (v == "debug") return LogLevel::Debug;
  if (v == "info") return LogLevel::Info;
  if (v == "warn" || v == "warning") return LogLevel::Warn;
  if (v == "error") return LogLevel::Error;
  if (v == "off") return LogLevel::Off;
  throw usage_error("unknown log level '" + std::string(text) + "'" +
                        did_you_mean(v, {"trace", "debug", "info", "warn", "error", "off"}),
                    "use one of trace, debug, info, warn, error, off");
}

LogFormat parse_log_format(std::string_view text) {
  const std::string v = lower(text);
  if (v == "text") return LogFormat::Text;
  if (v == "json") return LogFormat::Json;
  throw usage_error("unknown log format '" + std::string(text) + "'" + did_you_mean(v, {"text", "json"}),
                    "use text or json");
}

void init_logging(LogLevel level, LogFormat format, bool quiet, std::ostream* out) {
  if (quiet && level < LogLevel::Warn) level = LogLevel::Warn;
  auto sink = std::make_shared<SqlflowSink>(format, out ? *out : std::cerr);
  auto logger = std::make_shared<spdlog::logger>("sqlflow", std::move(sink));
  logger->set_level(to_spdlog(level));
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(std::move(logger));
  g_json = format == LogFormat::Json;
}

bool json_logging() {
  return g_json;
}

void set_run_context(std::string run_id, std::string pipeline) {
  std::lock_guard lock(run_context().mutex);
  run_context().run_id = std::move(run_id);
  run_context().pipeline = std::move(pipeline);
}

void log_event(LogLevel level, std::string_view event, std::string_view message,
               const nlohmann::ordered_json& fields) {
  const auto lvl = to_spdlog(level);
  if (!spdlog::default_logger_raw()->should_log(lvl)) return;
  t_event = PendingEvent{event, &fields};
  struct Reset {
    ~Reset() { t_event = {}; }
  } reset;
  spdlog::default_logger_raw()->log(lvl, "{}", message);
}

}  // namespace sqlflow::metrics
