#include "core/logical_type.hpp"

#include "core/error.hpp"
#include "core/quote.hpp"

namespace sqlflow {

LogicalType::LogicalType(duckdb_logical_type handle)
    : handle_(new duckdb_logical_type(handle), [](duckdb_logical_type* h) {
        duckdb_destroy_logical_type(h);
        delete h;
      }) {
  if (!handle) throw internal_error("DuckDB returned an invalid logical type");
}

LogicalType LogicalType::adopt(duckdb_logical_type handle) {
  return LogicalType(handle);
}
LogicalType LogicalType::of(duckdb_type id) {
  return LogicalType(duckdb_create_logical_type(id));
}
LogicalType LogicalType::decimal(uint8_t width, uint8_t scale) {
  if (width < 1 || width > 38 || scale > width)
    throw validation_error("invalid DECIMAL(" + std::to_string(width) + "," + std::to_string(scale) + ")");
  return LogicalType(duckdb_create_decimal_type(width, scale));
}
LogicalType LogicalType::json() {
  duckdb_logical_type t = duckdb_create_logical_type(DUCKDB_TYPE_VARCHAR);
  duckdb_logical_type_set_alias(t, "JSON");
  return LogicalType(t);
}
std::string LogicalType::alias() const {
  char* a = handle() ? duckdb_logical_type_get_alias(handle()) : nullptr;
  std::string out = a ? a : "";
  if (a) duckdb_free(a);
  return out;
}
LogicalType LogicalType::list(const LogicalType& child) {
  return LogicalType(duckdb_create_list_type(child.handle()));
}
LogicalType LogicalType::structure(const std::vector<std::pair<std::string, LogicalType>>& members) {
  std::vector<duckdb_logical_type> types;
  std::vector<const char*> names;
  for (const auto& [name, type] : members) {
    types.push_back(type.handle());
    names.push_back(name.c_str());
  }
  return LogicalType(duckdb_create_struct_type(types.data(), names.data(), members.size()));
}

duckdb_type LogicalType::id() const {
  return handle_ ? duckdb_get_type_id(*handle_) : DUCKDB_TYPE_INVALID;
}
uint8_t LogicalType::decimal_width() const {
  return duckdb_decimal_width(handle());
}
uint8_t LogicalType::decimal_scale() const {
  return duckdb_decimal_scale(handle());
}
LogicalType LogicalType::list_child() const {
  return LogicalType(duckdb_list_type_child_type(handle()));
}
size_t LogicalType::struct_size() const {
  return duckdb_struct_type_child_count(handle());
}
std::string LogicalType::struct_name(size_t i) const {
  char* name = duckdb_struct_type_child_name(handle(), i);
  std::string out = name ? name : "";
  duckdb_free(name);
  return out;
}
LogicalType LogicalType::struct_child(size_t i) const {
  return LogicalType(duckdb_struct_type_child_type(handle(), i));
}

std::string LogicalType::to_sql() const {
  switch (id()) {
    case DUCKDB_TYPE_BOOLEAN:
      return "BOOLEAN";
    case DUCKDB_TYPE_TINYINT:
      return "TINYINT";
    case DUCKDB_TYPE_SMALLINT:
      return "SMALLINT";
    case DUCKDB_TYPE_INTEGER:
      return "INTEGER";
    case DUCKDB_TYPE_BIGINT:
      return "BIGINT";
    case DUCKDB_TYPE_UTINYINT:
      return "UTINYINT";
    case DUCKDB_TYPE_USMALLINT:
      return "USMALLINT";
    case DUCKDB_TYPE_UINTEGER:
      return "UINTEGER";
    case DUCKDB_TYPE_UBIGINT:
      return "UBIGINT";
    case DUCKDB_TYPE_HUGEINT:
      return "HUGEINT";
    case DUCKDB_TYPE_UHUGEINT:
      return "UHUGEINT";
    case DUCKDB_TYPE_FLOAT:
      return "FLOAT";
    case DUCKDB_TYPE_DOUBLE:
      return "DOUBLE";
    case DUCKDB_TYPE_VARCHAR:
      return alias() == "JSON" ? "JSON" : "VARCHAR";
    case DUCKDB_TYPE_BLOB:
      return "BLOB";
    case DUCKDB_TYPE_DATE:
      return "DATE";
    case DUCKDB_TYPE_TIME:
      return "TIME";
    case DUCKDB_TYPE_TIME_TZ:
      return "TIMETZ";
    case DUCKDB_TYPE_TIMESTAMP:
      return "TIMESTAMP";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "TIMESTAMPTZ";
    case DUCKDB_TYPE_TIMESTAMP_S:
      return "TIMESTAMP_S";
    case DUCKDB_TYPE_TIMESTAMP_MS:
      return "TIMESTAMP_MS";
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "TIMESTAMP_NS";
    case DUCKDB_TYPE_INTERVAL:
      return "INTERVAL";
    case DUCKDB_TYPE_UUID:
      return "UUID";
    case DUCKDB_TYPE_SQLNULL:
      return "NULL";
    case DUCKDB_TYPE_DECIMAL:
      return "DECIMAL(" + std::to_string(decimal_width()) + "," + std::to_string(decimal_scale()) + ")";
    case DUCKDB_TYPE_LIST:
      return list_child().to_sql() + "[]";
    case DUCKDB_TYPE_STRUCT: {
      std::string out = "STRUCT(";
      for (size_t i = 0; i < struct_size(); ++i) {
        if (i) out += ", ";
        out += quote_identifier(struct_name(i)) + " " + struct_child(i).to_sql();
      }
      return out + ")";
    }
    default: {
      char* alias = duckdb_logical_type_get_alias(handle());
      std::string out = alias ? alias : "type#" + std::to_string(static_cast<int>(id()));
      duckdb_free(alias);
      return out;
    }
  }
}

std::vector<LogicalType> types_of(const Schema& schema) {
  std::vector<LogicalType> out;
  out.reserve(schema.size());
  for (const auto& c : schema) out.push_back(c.type);
  return out;
}

bool is_integer_type(duckdb_type id) {
  switch (id) {
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_SMALLINT:
    case DUCKDB_TYPE_INTEGER:
    case DUCKDB_TYPE_BIGINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_UBIGINT:
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return true;
    default:
      return false;
  }
}

bool is_numeric_type(duckdb_type id) {
  return is_integer_type(id) || id == DUCKDB_TYPE_DECIMAL || id == DUCKDB_TYPE_FLOAT ||
         id == DUCKDB_TYPE_DOUBLE;
}

}  // namespace sqlflow
