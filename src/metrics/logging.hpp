// Logging on spdlog: text or JSON lines on stderr, every line through the secret masker, with
// the step and connector of the calling thread (LogContext). Code logs with spdlog::info(…) etc.
// after init_logging() installed the sqlflow logger as spdlog's default.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <ostream>
#include <string>
#include <string_view>

#include "core/log_context.hpp"

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
//         "level":"info","run_id":"…"|null,"pipeline":"…"|null,"step":"load_orders"|null,
//         "connector":"csv"|null,"event":"step_end","msg":"…", then the event's fields}; UTC.
//         Plain spdlog calls have the event "message".
// Levels print as trace, debug, info, warn, error, critical.
void init_logging(LogLevel level, LogFormat format, bool quiet, std::ostream* out = nullptr);

// Whether the installed logger writes JSON lines: the CLI then writes nothing else to the
// terminal (summaries and errors become events).
bool json_logging();

// The run every line carries from now on (empty strings: none).
void set_run_context(std::string run_id, std::string pipeline);

// A structured event: `event` names it ("step_end"), `fields` (an object) carries its data, shown
// as key=value after the message in the text format. String fields are masked like messages.
void log_event(LogLevel level, std::string_view event, std::string_view message,
               const nlohmann::ordered_json& fields);

// The step and connector of the calling thread, which every line carries (core/log_context.hpp).
using ::sqlflow::LogContext;
using ::sqlflow::with_log_context;

}  // namespace sqlflow::metrics
