#include "connectors/postgres/type_map.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "connectors/postgres/connection.hpp"
#include "core/error.hpp"

namespace sqlflow::connectors::postgres {

LogicalType DecodeSpec::duckdb_type() const {
  LogicalType t;
  switch (wire) {
    case Wire::Bool:
      t = LogicalType::of(DUCKDB_TYPE_BOOLEAN);
      break;
    case Wire::Int2:
      t = LogicalType::of(DUCKDB_TYPE_SMALLINT);
      break;
    case Wire::Int4:
      t = LogicalType::of(DUCKDB_TYPE_INTEGER);
      break;
    case Wire::Int8:
      t = LogicalType::of(DUCKDB_TYPE_BIGINT);
      break;
    case Wire::Float4:
      t = LogicalType::of(DUCKDB_TYPE_FLOAT);
      break;
    case Wire::Float8:
      t = LogicalType::of(DUCKDB_TYPE_DOUBLE);
      break;
    case Wire::Numeric:
      if (numeric == NumericTarget::Decimal)
        t = LogicalType::decimal(width, scale);
      else if (numeric == NumericTarget::Double)
        t = LogicalType::of(DUCKDB_TYPE_DOUBLE);
      else
        t = LogicalType::of(DUCKDB_TYPE_VARCHAR);
      break;
    case Wire::Text:
    case Wire::Jsonb:
    case Wire::Inet:
      t = LogicalType::of(DUCKDB_TYPE_VARCHAR);
      break;
    case Wire::Bytea:
      t = LogicalType::of(DUCKDB_TYPE_BLOB);
      break;
    case Wire::Date:
      t = LogicalType::of(DUCKDB_TYPE_DATE);
      break;
    case Wire::Time:
      t = LogicalType::of(DUCKDB_TYPE_TIME);
      break;
    case Wire::TimeTz:
      t = LogicalType::of(DUCKDB_TYPE_TIME_TZ);
      break;
    case Wire::Timestamp:
      t = LogicalType::of(DUCKDB_TYPE_TIMESTAMP);
      break;
    case Wire::TimestampTz:
      t = LogicalType::of(DUCKDB_TYPE_TIMESTAMP_TZ);
      break;
    case Wire::Interval:
      t = LogicalType::of(DUCKDB_TYPE_INTERVAL);
      break;
    case Wire::Uuid:
      t = LogicalType::of(DUCKDB_TYPE_UUID);
      break;
  }
  return array ? LogicalType::list(t) : t;
}

NumericMode NumericMode::parse(const std::string& text) {
  std::string s;
  for (char c : text)
    if (!std::isspace(static_cast<unsigned char>(c)))
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  NumericMode m;
  if (s == "varchar" || s == "text") {
    m.target = NumericTarget::Varchar;
    return m;
  }
  if (s == "double") {
    m.target = NumericTarget::Double;
    return m;
  }
  int p = 0, sc = 0;
  if (s.rfind("decimal(", 0) == 0 && s.back() == ')') {
    auto comma = s.find(',');
    if (comma != std::string::npos) {
      auto r1 = std::from_chars(s.data() + 8, s.data() + comma, p);
      auto r2 = std::from_chars(s.data() + comma + 1, s.data() + s.size() - 1, sc);
      if (r1.ec == std::errc() && r2.ec == std::errc() && r1.ptr == s.data() + comma &&
          r2.ptr == s.data() + s.size() - 1 && p >= 1 && p <= 38 && sc >= 0 && sc <= p) {
        m.target = NumericTarget::Decimal;
        m.width = static_cast<uint8_t>(p);
        m.scale = static_cast<uint8_t>(sc);
        return m;
      }
    }
  }
  throw validation_error("numeric_mode '" + text + "' is not one of varchar, double, decimal(P,S)",
                         "varchar keeps unconstrained numerics exactly as text; double is approximate; "
                         "decimal(P,S) with 1 ≤ P ≤ 38 fails on values that do not fit");
}

std::string NumericMode::to_string() const {
  switch (target) {
    case NumericTarget::Varchar:
      return "varchar";
    case NumericTarget::Double:
      return "double";
    case NumericTarget::Decimal:
      break;
  }
  return "decimal(" + std::to_string(width) + "," + std::to_string(scale) + ")";
}

std::optional<std::pair<int, int>> numeric_typmod(int32_t typmod) {
  if (typmod < 4) return std::nullopt;  // VARHDRSZ: below it the column is unconstrained
  int32_t t = typmod - 4;
  int precision = (t >> 16) & 0xffff;
  int scale = ((t & 0x7ff) ^ 1024) - 1024;  // PostgreSQL 15 allows negative scales (11-bit field)
  return std::make_pair(precision, scale);
}

// ---- catalog ---------------------------------------------------------------------------------

void TypeCatalog::load(const std::vector<uint32_t>& oids) {
  std::vector<uint32_t> want;
  for (uint32_t o : oids)
    if (o && !types_.count(o)) want.push_back(o);
  while (!want.empty()) {
    std::string list = "{";
    for (size_t i = 0; i < want.size(); ++i) list += (i ? "," : "") + std::to_string(want[i]);
    list += "}";
    PgResult res = conn_.query(
        "SELECT t.oid, format_type(t.oid, NULL), t.typtype, t.typbasetype, t.typtypmod, t.typelem, "
        "t.typcategory = 'A' AND t.typelem <> 0 AND t.typlen = -1 "
        "FROM pg_catalog.pg_type t WHERE t.oid = ANY($1::oid[])",
        {list});
    std::vector<uint32_t> next;
    for (int r = 0; r < PQntuples(res.get()); ++r) {
      PgTypeInfo info;
      info.oid = static_cast<uint32_t>(std::stoul(PQgetvalue(res.get(), r, 0)));
      info.name = PQgetvalue(res.get(), r, 1);
      info.typtype = PQgetvalue(res.get(), r, 2)[0];
      info.basetype = static_cast<uint32_t>(std::stoul(PQgetvalue(res.get(), r, 3)));
      info.typtypmod = std::stoi(PQgetvalue(res.get(), r, 4));
      info.elem = static_cast<uint32_t>(std::stoul(PQgetvalue(res.get(), r, 5)));
      info.is_array = PQgetvalue(res.get(), r, 6)[0] == 't';
      for (uint32_t dep : {info.basetype, info.is_array ? info.elem : 0u})
        if (dep && !types_.count(dep)) next.push_back(dep);
      types_[info.oid] = info;
    }
    for (uint32_t o : want)
      if (!types_.count(o)) types_[o] = PgTypeInfo{o, "oid " + std::to_string(o), 'p', 0, -1, 0, false};
    want.clear();
    for (uint32_t o : next)
      if (!types_.count(o) && std::find(want.begin(), want.end(), o) == want.end()) want.push_back(o);
  }
}

const PgTypeInfo& TypeCatalog::get(uint32_t type_oid) {
  if (!types_.count(type_oid)) load({type_oid});
  return types_.at(type_oid);
}

// ---- PostgreSQL → DuckDB ---------------------------------------------------------------------

std::optional<Wire> native_wire(uint32_t type_oid) {
  switch (type_oid) {
    case oid::kBool:
      return Wire::Bool;
    case oid::kInt2:
      return Wire::Int2;
    case oid::kInt4:
      return Wire::Int4;
    case oid::kInt8:
      return Wire::Int8;
    case oid::kFloat4:
      return Wire::Float4;
    case oid::kFloat8:
      return Wire::Float8;
    case oid::kNumeric:
      return Wire::Numeric;
    case oid::kText:
    case oid::kVarchar:
    case oid::kBpchar:
    case oid::kName:
    case oid::kJson:
      return Wire::Text;  // json_send is the text itself
    case oid::kJsonb:
      return Wire::Jsonb;
    case oid::kBytea:
      return Wire::Bytea;
    case oid::kDate:
      return Wire::Date;
    case oid::kTime:
      return Wire::Time;
    case oid::kTimeTz:
      return Wire::TimeTz;
    case oid::kTimestamp:
      return Wire::Timestamp;
    case oid::kTimestampTz:
      return Wire::TimestampTz;
    case oid::kInterval:
      return Wire::Interval;
    case oid::kUuid:
      return Wire::Uuid;
    default:
      return std::nullopt;
  }
}

// Follows domains down to their base type, keeping the innermost typmod that is set.

std::pair<uint32_t, int32_t> resolve_domain(TypeCatalog& types, uint32_t type_oid, int32_t typmod) {
  for (int depth = 0; depth < 32; ++depth) {
    const PgTypeInfo& info = types.get(type_oid);
    if (info.typtype != 'd' || !info.basetype) break;
    if (typmod < 0) typmod = info.typtypmod;
    type_oid = info.basetype;
  }
  return {type_oid, typmod};
}

namespace {

void plan_numeric(DecodeSpec& spec, int32_t typmod, const NumericMode& mode) {
  spec.wire = Wire::Numeric;
  if (auto pm = numeric_typmod(typmod)) {
    auto [p, s] = *pm;
    // numeric(p,s) with s > p holds only fractions (|v| < 10^(p-s)); with s < 0 it rounds to 10^-s.
    int width = s > p ? s : (s < 0 ? p - s : p);
    int scale = std::max(s, 0);
    if (width >= 1 && width <= 38) {
      spec.numeric = NumericTarget::Decimal;
      spec.width = static_cast<uint8_t>(width);
      spec.scale = static_cast<uint8_t>(scale);
      return;
    }
  }
  spec.numeric = mode.target;
  spec.width = mode.width;
  spec.scale = mode.scale;
  spec.from_numeric_mode = true;
}

}  // namespace

SourceColumnPlan plan_source_column(TypeCatalog& types, const std::string& name, uint32_t type_oid,
                                    int32_t typmod, const NumericMode& numeric_mode) {
  SourceColumnPlan plan;
  plan.decode.column = name;
  plan.pg_type = types.get(type_oid).name;
  if (type_oid == oid::kNumeric && typmod >= 0) {
    if (auto pm = numeric_typmod(typmod))
      plan.pg_type = "numeric(" + std::to_string(pm->first) + "," + std::to_string(pm->second) + ")";
  }
  auto [base, base_mod] = resolve_domain(types, type_oid, typmod);
  const PgTypeInfo& info = types.get(base);
  if (info.is_array) {
    auto [elem, elem_mod] = resolve_domain(types, info.elem, base_mod);
    plan.decode.array = true;
    if (elem == oid::kNumeric) {
      plan_numeric(plan.decode, elem_mod, numeric_mode);
    } else if (auto w = native_wire(elem)) {
      plan.decode.wire = *w;
    } else {
      plan.decode.wire = Wire::Text;
      plan.select_suffix = "::text[]";
    }
    return plan;
  }
  if (base == oid::kNumeric) {
    plan_numeric(plan.decode, base_mod, numeric_mode);
  } else if (base == oid::kOid) {
    plan.decode.wire = Wire::Int8;
    plan.select_suffix = "::int8";
  } else if (auto w = native_wire(base)) {
    plan.decode.wire = *w;
  } else {
    plan.decode.wire = Wire::Text;
    plan.select_suffix = "::text";
  }
  return plan;
}

// ---- DuckDB → PostgreSQL ---------------------------------------------------------------------

std::string pg_type_for(const LogicalType& type, const std::string& column) {
  if (char* alias = duckdb_logical_type_get_alias(type.handle())) {
    std::string a = alias;
    duckdb_free(alias);
    if (a == "JSON") return "jsonb";
  }
  switch (type.id()) {
    case DUCKDB_TYPE_BOOLEAN:
      return "boolean";
    case DUCKDB_TYPE_TINYINT:
    case DUCKDB_TYPE_UTINYINT:
    case DUCKDB_TYPE_SMALLINT:
      return "smallint";
    case DUCKDB_TYPE_USMALLINT:
    case DUCKDB_TYPE_INTEGER:
      return "integer";
    case DUCKDB_TYPE_UINTEGER:
    case DUCKDB_TYPE_BIGINT:
      return "bigint";
    case DUCKDB_TYPE_UBIGINT:
      return "numeric(20,0)";
    case DUCKDB_TYPE_HUGEINT:
    case DUCKDB_TYPE_UHUGEINT:
      return "numeric(39,0)";
    case DUCKDB_TYPE_FLOAT:
      return "real";
    case DUCKDB_TYPE_DOUBLE:
      return "double precision";
    case DUCKDB_TYPE_DECIMAL:
      return "numeric(" + std::to_string(type.decimal_width()) + "," + std::to_string(type.decimal_scale()) +
             ")";
    case DUCKDB_TYPE_VARCHAR:
    case DUCKDB_TYPE_ENUM:
      return "text";
    case DUCKDB_TYPE_BLOB:
      return "bytea";
    case DUCKDB_TYPE_DATE:
      return "date";
    case DUCKDB_TYPE_TIME:
      return "time";
    case DUCKDB_TYPE_TIME_TZ:
      return "timetz";
    case DUCKDB_TYPE_TIMESTAMP:
    case DUCKDB_TYPE_TIMESTAMP_S:
    case DUCKDB_TYPE_TIMESTAMP_MS:
    case DUCKDB_TYPE_TIMESTAMP_NS:
      return "timestamp";
    case DUCKDB_TYPE_TIMESTAMP_TZ:
      return "timestamptz";
    case DUCKDB_TYPE_INTERVAL:
      return "interval";
    case DUCKDB_TYPE_UUID:
      return "uuid";
    case DUCKDB_TYPE_LIST: {
      LogicalType child = type.list_child();
      if (child.id() == DUCKDB_TYPE_LIST || child.id() == DUCKDB_TYPE_STRUCT || child.id() == DUCKDB_TYPE_MAP)
        break;
      return pg_type_for(child, column) + "[]";
    }
    default:
      break;
  }
  throw validation_error("column \"" + column + "\" has DuckDB type " + type.to_sql() +
                             ", which has no PostgreSQL counterpart here",
                         "cast it in the EXPORT query, e.g. CAST(col AS JSON) or CAST(col AS VARCHAR)");
}

std::vector<std::string> type_mapping_notes() {
  return {
      "type mapping PostgreSQL -> DuckDB (source):",
      "  bool -> BOOLEAN; int2/int4/int8 -> SMALLINT/INTEGER/BIGINT; oid -> BIGINT",
      "  float4/float8 -> FLOAT/DOUBLE (NaN and +-Infinity kept)",
      "  numeric(p,s) with p <= 38 -> DECIMAL(p,s) exactly (numeric(p,s) with s>p -> DECIMAL(s,s); s<0 -> "
      "DECIMAL(p-s,0));",
      "    NaN/Infinity in such a column is an error naming the column",
      "  numeric without precision, or p > 38 -> by numeric_mode: decimal(P,S) (default decimal(38,9): exact",
      "    for up to 29 integer and 9 fractional digits; a value that does not fit or would be rounded, or",
      "    NaN/Infinity, fails the load naming the column, never silently changed) | varchar (exact text,",
      "    NaN/Infinity spelled as PostgreSQL does) | double (approximate, opt-in)",
      "  text/varchar/char(n)/name/json -> VARCHAR; jsonb -> VARCHAR (JSON text); bytea -> BLOB",
      "  date/time/timetz/timestamp/timestamptz/interval -> DATE/TIME/TIMETZ/TIMESTAMP/TIMESTAMPTZ/INTERVAL",
      "    (infinity, -infinity and BC dates kept; timestamps beyond DuckDB's range (year 294247) are an "
      "error)",
      "  uuid -> UUID; domains -> their base type; one-dimensional arrays -> LIST of the element type",
      "    (a multi-dimensional array value is an error naming the column: cast it to text in a query)",
      "  everything else (enum, inet, cidr, citext, money, xml, ranges, ...) -> VARCHAR via ::text",
      "type mapping DuckDB -> PostgreSQL (destination, new tables):",
      "  BOOLEAN -> boolean; TINYINT/UTINYINT/SMALLINT -> smallint; USMALLINT/INTEGER -> integer;",
      "  UINTEGER/BIGINT -> bigint; UBIGINT -> numeric(20,0); HUGEINT/UHUGEINT -> numeric(39,0)",
      "  FLOAT -> real; DOUBLE -> double precision; DECIMAL(p,s) -> numeric(p,s)",
      "  VARCHAR/ENUM -> text; JSON -> jsonb; BLOB -> bytea; DATE -> date; TIME -> time; TIMETZ -> timetz",
      "  TIMESTAMP (and _S/_MS/_NS, truncated to microseconds) -> timestamp; TIMESTAMPTZ -> timestamptz",
      "  INTERVAL -> interval; UUID -> uuid; LIST(x) -> x[]; STRUCT/MAP/UNION/nested lists: cast in the "
      "query",
      "  existing tables: VARCHAR may also go into varchar/char/citext/json/jsonb/enum/inet/cidr/uuid "
      "columns,",
      "  integers into any wider integer or numeric column, DECIMAL into numeric, FLOAT into double "
      "precision",
  };
}

}  // namespace sqlflow::connectors::postgres
