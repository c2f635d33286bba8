// What the file connectors (csv, json, parquet) share in their parameters: the ParamSpecs they
// document alike in `connect describe`, and readers of parameter values whose errors name the connector.
#pragma once

#include <filesystem>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "connectors/connector.hpp"

namespace sqlflow::connectors::file_params {

// The parts concatenated in order, so a connector lists its own specs and shared ones as
// `connect describe` shows them.
std::vector<ParamSpec> join(std::initializer_list<std::vector<ParamSpec>> parts);

// ---- ParamSpecs -------------------------------------------------------------------------------

// union_by_name (documented by each connector: columns or keys) and filename: how a glob of
// several files becomes one table.
std::vector<ParamSpec> multi_file(std::string union_by_name_doc);
// A source's compression: auto (from the file name), none, gzip or zstd (CSV, JSON).
ParamSpec source_compression();
// batch_size, accepted for compatibility with SQLFlow (DuckDB reads in its own vectors).
ParamSpec batch_size();
// max_retries and timeout_seconds, accepted for compatibility (local reads are not retried).
std::vector<ParamSpec> retry_and_timeout();

// An export's compression: auto (from the target's name), none, gzip or zstd (CSV, JSON).
ParamSpec export_compression();
// partition_by: a hive-partitioned folder instead of one file.
ParamSpec partition_by();
// mode: overwrite or append, with what append means for this format.
ParamSpec mode(std::string doc);

// ---- `connect describe` notes the file connectors share word for word ------------------------

inline constexpr const char* kNoteGlobsSkipHidden =
    "Globs skip names starting with '.', so half-written exports are never read.";
// For formats exported to one file (CSV, JSON); Parquet also writes partitioned folders.
inline constexpr const char* kNoteAtomicFileExport =
    "Exports are written to a temporary file beside the target, flushed to disk and renamed on success; a "
    "failed or killed export, or a crash, leaves the previous file.";

// ---- Reading values (after check_params/normalize_params checked the types) -------------------

std::string ascii_lower(std::string s);
// The string value of `key`, nullopt when absent or null; another type is an Error
// "<what>: `key` must be a string".
std::optional<std::string> optional_string(const Params& p, const char* key, const std::string& what);
// As optional_string, with `fallback` when absent or null.
std::string string_or(const Params& p, const char* key, std::string fallback, const std::string& what);
// The boolean value of `key`, `fallback` when absent or not a boolean.
bool bool_or(const Params& p, const char* key, bool fallback);
// The required `path` parameter, its shape checked (a string or a non-empty list of strings); the
// files themselves are looked up only when the source is read.
nlohmann::json required_path(const Params& p, const std::string& what);

// A source's `compression` value as DuckDB's readers name it: auto, none, gzip or zstd (gz and
// zst accepted); anything else is an Error naming the given value.
std::string source_compression_value(const std::string& given, const std::string& what);
// An export's `compression` (absent: auto) as COPY names it: none, gzip or zstd; auto follows the
// target's name (x.csv.gz: gzip), none when it names no compression.
std::string export_compression_value(const Params& p, const std::filesystem::path& target,
                                     const std::string& what);

}  // namespace sqlflow::connectors::file_params
