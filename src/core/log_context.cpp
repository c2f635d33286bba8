#include "core/log_context.hpp"

namespace sqlflow {

namespace {
thread_local LogContext::Value t_context;
}  // namespace

LogContext::LogContext(std::string step, std::string connector)
    : LogContext(Value{std::move(step), std::move(connector)}) {}

LogContext::LogContext(Value value) : previous_(std::exchange(t_context, std::move(value))) {}

LogContext::~LogContext() {
  t_context = std::move(previous_);
}

const LogContext::Value& LogContext::current() {
  return t_context;
}

}  // namespace sqlflow
