// Logging on spdlog: text or JSON lines on stderr, every line through the secret masker, with
// the step and connector of the calling thread (LogContext). Code logs with spdlog::info(…) etc.
// after init_logging() installed the sqlflow logger as spdlog's default.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace sqlflow::metrics {

enum class LogLevel { Trace, Debug, Info, Warn, Error, Off };
enum class LogFormat { Text, Json };

// "trace", "debug", "info", "warn" (or "warning"), "error", "off", any case. Throws a usage
// error naming the value and the accepted ones otherwise.
LogLevel parse_log_level(std::string_view text);
// "text" or "json", any case; usage error otherwise.
LogFormat parse_log_format(std::string_view text);

// Installs the sqlflow logger as spdlog's default (replacing any previous one). `quiet` (--quiet)
// keeps warnings and errors only. `out` is where lines go (nullptr = stderr); it must outlive
// logging, or until the next init_logging call.
//   text: "[2024-05-01 12:00:00.123] [info] message", or "… [info] [step] message" inside a
//         LogContext; local time.
//   json: one object per line, keys in this order: {"ts":"2024-05-01T10:00:00.123Z",
//         "level":"info","step":"load_orders"|null,"connector":"csv"|null,"msg":"…"}; UTC.
// Levels print as trace, debug, info, warn, error, critical.
void init_logging(LogLevel level, LogFormat format, bool quiet, std::ostream* out = nullptr);

// Sets the step and connector that log lines from this thread carry, for the scope's lifetime;
// scopes nest (the previous context comes back at the end). Worker threads don't inherit it:
// copy current() into the thread and open a scope there.
class LogContext {
 public:
  struct Value {
    std::string step;
    std::string connector;
  };
  explicit LogContext(std::string step, std::string connector = {});
  explicit LogContext(Value value);
  ~LogContext();
  LogContext(const LogContext&) = delete;
  LogContext& operator=(const LogContext&) = delete;

  static const Value& current();

 private:
  Value previous_;
};

}  // namespace sqlflow::metrics
