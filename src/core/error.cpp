#include "core/error.hpp"

namespace sqlflow {

const char* to_string(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::Usage:
      return "usage";
    case ErrorKind::Config:
      return "config";
    case ErrorKind::Parse:
      return "parse";
    case ErrorKind::Validation:
      return "validation";
    case ErrorKind::Connection:
      return "connection";
    case ErrorKind::Data:
      return "data";
    case ErrorKind::Internal:
      return "internal";
  }
  return "unknown";
}

Error::Error(ErrorKind kind, std::string message, std::string hint, bool retryable)
    : std::runtime_error(message),
      kind_(kind),
      message_(std::move(message)),
      hint_(std::move(hint)),
      retryable_(retryable) {
  refresh();
}

Error& Error::at(SourceLocation loc) {
  location_ = std::move(loc);
  refresh();
  return *this;
}

Error& Error::with_hint(std::string hint) {
  hint_ = std::move(hint);
  refresh();
  return *this;
}

std::string Error::format() const {
  return formatted_;
}

int Error::exit_code() const {
  switch (kind_) {
    case ErrorKind::Usage:
    case ErrorKind::Config:
    case ErrorKind::Parse:
    case ErrorKind::Validation:
      return 2;
    default:
      return 1;
  }
}

void Error::refresh() {
  std::string out;
  if (location_ && !location_->file.empty()) {
    out += location_->file;
    if (location_->line > 0) {
      out += ':' + std::to_string(location_->line);
      if (location_->column > 0) out += ':' + std::to_string(location_->column);
    }
    out += ": ";
  } else if (location_ && location_->line > 0) {
    out += "line " + std::to_string(location_->line) + ": ";
  }
  out += "error: " + message_;
  if (!hint_.empty()) out += " — " + hint_;
  formatted_ = std::move(out);
}

Error usage_error(std::string message, std::string hint) {
  return Error(ErrorKind::Usage, std::move(message), std::move(hint));
}
Error config_error(std::string message, std::string hint) {
  return Error(ErrorKind::Config, std::move(message), std::move(hint));
}
Error parse_error(std::string message, SourceLocation loc, std::string hint) {
  Error e(ErrorKind::Parse, std::move(message), std::move(hint));
  e.at(std::move(loc));
  return e;
}
Error validation_error(std::string message, std::string hint) {
  return Error(ErrorKind::Validation, std::move(message), std::move(hint));
}
Error connection_error(std::string message, bool retryable, std::string hint) {
  return Error(ErrorKind::Connection, std::move(message), std::move(hint), retryable);
}
Error data_error(std::string message, std::string hint) {
  return Error(ErrorKind::Data, std::move(message), std::move(hint));
}
Error internal_error(std::string message) {
  return Error(ErrorKind::Internal, std::move(message));
}

std::string subject_prefix(const std::string& what) {
  return what.empty() ? std::string() : what + ": ";
}

Error with_subject(const Error& error, std::string_view subject) {
  const std::string prefix = std::string(subject) + ": ";
  if (error.message().rfind(prefix, 0) == 0) return error;
  Error out(error.kind(), prefix + error.message(), error.hint(), error.retryable());
  if (error.location()) out.at(*error.location());
  return out;
}

}  // namespace sqlflow
