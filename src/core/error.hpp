// The one exception type of sqlflow: every failure carries a kind, whether a retry may
// help, where in the user's input it happened, and a hint on how to fix it.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace sqlflow {

enum class ErrorKind { Usage, Config, Parse, Validation, Connection, Data, Internal };

const char* to_string(ErrorKind kind);

// A position in a user's file (1-based line and column; 0 means unknown).
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, std::string message, std::string hint = {}, bool retryable = false);

  ErrorKind kind() const { return kind_; }
  bool retryable() const { return retryable_; }
  const std::string& message() const { return message_; }
  const std::string& hint() const { return hint_; }
  const std::optional<SourceLocation>& location() const { return location_; }

  Error& at(SourceLocation loc);
  Error& with_hint(std::string hint);

  // "path:line:col: error: what — hint" (parts omitted when unknown).
  std::string format() const;
  const char* what() const noexcept override { return formatted_.c_str(); }
  // Exit code for the CLI: 2 for usage/config/parse/validation, 1 otherwise.
  int exit_code() const;

 private:
  void refresh();

  ErrorKind kind_;
  std::string message_;
  std::string hint_;
  bool retryable_;
  std::optional<SourceLocation> location_;
  std::string formatted_;
};

// Convenience constructors, so call sites read as what went wrong.
Error usage_error(std::string message, std::string hint = {});
Error config_error(std::string message, std::string hint = {});
Error parse_error(std::string message, SourceLocation loc, std::string hint = {});
Error validation_error(std::string message, std::string hint = {});
Error connection_error(std::string message, bool retryable, std::string hint = {});
Error data_error(std::string message, std::string hint = {});
Error internal_error(std::string message);

// "<what>: ", or "" for an empty `what`: the lead of messages about `what` (connectors pass an
// empty one, as the framework puts their subject before their errors).
std::string subject_prefix(const std::string& what);

// `error` with "<subject>: " before its message (unchanged when it already starts so); kind, hint,
// retryable flag and location are kept. E.g. the subject "rest source 'api'" (connector_error.hpp).
Error with_subject(const Error& error, std::string_view subject);

}  // namespace sqlflow
