// Parser of the .sf pipeline language (SQLFlow syntax): text → Pipeline (ast.hpp), collecting
// every syntax error with its location, what was expected and the statement's correct syntax.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.hpp"
#include "pipeline/ast.hpp"
#include "pipeline/lexer.hpp"  // kMaxErrors

namespace sqlflow::pipeline {

struct ParseResult {
  Pipeline pipeline;
  std::vector<Error> errors;  // ErrorKind::Parse, sorted by position; empty when the text is valid
};

// Limits that keep hostile input from exhausting the stack or memory (kMaxErrors: lexer.hpp).
inline constexpr int kMaxIfNesting = 64;
inline constexpr std::uintmax_t kMaxFileBytes = 64u << 20;

// Never throws on bad input. After an error the parser skips to the next top-level ';' and
// goes on, so one run reports every independent mistake. `file` names the text in locations.
ParseResult parse(std::string_view text, const std::string& file);

// Reads and parses a file. A missing or unreadable file, a directory, a special file or one
// larger than kMaxFileBytes gives one Error naming the path (and an empty pipeline).
ParseResult parse_file(const std::filesystem::path& path);

// Reads a .sf file for parsing with the same checks as parse_file; throws Error on failure.
std::string read_pipeline_file(const std::filesystem::path& path);

// The error as a compiler prints it: "file:line:col: error: message", the source line with a
// caret under the column, and "  hint: …" when there is a hint. `text` is the parsed text the
// location refers to (without it, or with an unknown line, only the first line is printed).
std::string format_with_excerpt(const Error& error, std::string_view text);

// The correct syntax of each statement, used as hints (also handy for `--help` texts).
namespace syntax {
inline constexpr const char* kSource =
    "SOURCE name TYPE connector_type PARAMS { … };  or  SOURCE name FROM \"profile_connector\" OPTIONS { … "
    "};";
inline constexpr const char* kSourceType = "SOURCE name TYPE connector_type PARAMS { … };";
inline constexpr const char* kSourceFrom = "SOURCE name FROM \"profile_connector\" [OPTIONS { … }];";
inline constexpr const char* kLoad = "LOAD table FROM source [MODE REPLACE|APPEND|UPSERT KEY (k, …)];";
inline constexpr const char* kCreate =
    "CREATE [OR REPLACE] TABLE t [MODE REPLACE|APPEND|UPSERT KEY (k, …)|INCREMENTAL BY col "
    "[LOOKBACK n DAYS|HOURS]] AS SELECT …;";
inline constexpr const char* kExport =
    "EXPORT SELECT … TO \"uri\" TYPE connector_type [OPTIONS { … }];  or  EXPORT table TO \"uri\" TYPE "
    "connector_type [OPTIONS { … }];";
inline constexpr const char* kSet = "SET name = value;";
inline constexpr const char* kInclude = "INCLUDE \"path/file.sf\" [AS alias];";
inline constexpr const char* kIf = "IF condition THEN … [ELSE IF condition THEN …] [ELSE …] END IF;";
}  // namespace syntax

}  // namespace sqlflow::pipeline
