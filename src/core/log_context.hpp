// The step and connector a thread is working for, which every log line it emits carries
// (metrics/logging.hpp). In core so the engine's scan callbacks, run on DuckDB's threads, can
// carry the context of the query that started them.
#pragma once

#include <string>
#include <utility>

namespace sqlflow {

// Sets the step and connector that log lines from this thread carry, for the scope's lifetime;
// scopes nest (the previous context comes back at the end). Threads don't inherit it: start them
// with with_log_context(), or copy current() into the thread and open a scope there.
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

// `f` wrapped to run under the calling thread's LogContext, for a thread it starts:
//   std::thread(with_log_context([&] { … }))   — so connector threads' lines name their step.
template <class F>
auto with_log_context(F f) {
  return [context = LogContext::current(), f = std::move(f)](auto&&... args) mutable {
    LogContext scope(context);
    return f(std::forward<decltype(args)>(args)...);
  };
}

}  // namespace sqlflow
