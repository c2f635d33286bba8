#include "udf/table.hpp"

#include <algorithm>
#include <optional>
#include <vector>

#include "core/error.hpp"
#include "core/quote.hpp"
#include "engine/appender.hpp"
#include "udf/python.hpp"
#include "udf/startup.hpp"
#include "udf/values.hpp"

namespace sqlflow::udf {

namespace {

// The Python half: DataFrame in, the result's columns out as text (DuckDB casts them to the
// output_schema's types), NaN/NaT and None as NULL.
constexpr const char* kTableSupport = R"PY(
def _text(v):
    if v is None:
        return None
    try:
        if v != v:
            return None
    except Exception:
        pass
    if isinstance(v, bool):
        return "true" if v else "false"
    if hasattr(v, "isoformat"):
        return v.isoformat(sep=" ") if hasattr(v, "hour") else v.isoformat()
    return str(v)

def _inferred(series):
    kind = getattr(getattr(series, "dtype", None), "kind", "O")
    return {"i": "BIGINT", "u": "UBIGINT", "f": "DOUBLE", "b": "BOOLEAN", "M": "TIMESTAMP"}.get(kind, "VARCHAR")

def run_table(fn, names, columns, required, schema, infer):
    try:
        import pandas as pd
    except ImportError:
        pd = None
    missing = [c for c in required if c not in names]
    if missing:
        raise ValueError("the input lacks required columns %s" % missing)
    if pd is not None:
        data = pd.DataFrame({n: c for n, c in zip(names, columns)}, columns=names)
    else:
        data = [dict(zip(names, row)) for row in zip(*columns)]
    result = fn(data)
    if pd is not None and isinstance(result, pd.DataFrame):
        lacking = [c for c in (schema or {}) if c not in result.columns]
        if lacking:
            raise ValueError("the result lacks the output_schema columns %s" % lacking)
        # Every column of the result, as SQLFlow registers the whole DataFrame: the
        # output_schema's with their declared types, the others with their dtypes'.
        out = [str(c) for c in result.columns]
        types = [(schema or {}).get(c) or _inferred(result[c]) for c in out]
        return out, types, [[_text(v) for v in result[c].tolist()] for c in out]
    if isinstance(result, list):
        out = list(result[0].keys()) if result else list((schema or {}).keys())
        types = [(schema or {}).get(c, "VARCHAR") for c in out]
        return out, types, [[_text(r.get(c)) for r in result] for c in out]
    raise ValueError("a table UDF must return a pandas DataFrame (a list of dicts without pandas), got %s"
                     % type(result).__name__)
)PY";

PyObject* g_run_table = nullptr;  // kTableSupport's run_table (kept for good)

// A SQL type name from an output_schema, pasted into a CAST: letters, digits, spaces, (),.
std::string checked_type(const UdfInfo& udf, const std::string& column, const std::string& type) {
  for (char c : type)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != ' ' && c != '(' && c != ')' && c != ',' &&
        c != '_')
      throw validation_error("UDF " + udf.qualified() + ": output_schema type '" + type + "' of column '" +
                             column + "' is not a SQL type name");
  return type;
}

}  // namespace

std::string startup::init_tables() {
  PyObject* module = PyImport_AddModule("_sqlflow_udf_tables");  // borrowed
  PyObject* globals = module ? PyModule_GetDict(module) : nullptr;
  if (globals) PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
  Ref done(globals ? PyRun_String(kTableSupport, Py_file_input, globals, globals) : nullptr);
  if (!done) return "table UDF support could not be set up: " + take_python_error();
  g_run_table = PyDict_GetItemString(globals, "run_table");
  return "";
}

namespace {

// A table UDF's result as its Python side hands it over: per column its name, its declared type
// and its values as text (nullopt: NULL).
struct TextResult {
  std::vector<std::string> names, types;
  std::vector<std::vector<std::optional<std::string>>> columns;
};

// The input's columns as Python lists: read without the GIL, converted batch by batch with it.
// Called with the GIL held.
std::vector<Ref> python_columns(engine::Result& input, const std::vector<std::string>& names,
                                const std::vector<LogicalType>& types, const UdfInfo& udf,
                                const std::filesystem::path& project_root) {
  std::vector<Ref> lists;
  for (size_t c = 0; c < names.size(); ++c) lists.emplace_back(PyList_New(0));
  for (;;) {
    std::optional<DataChunk> chunk;
    {
      GilRelease unlocked;
      chunk = input.next();
    }
    if (!chunk) break;
    for (size_t c = 0; c < names.size(); ++c)
      for (size_t row = 0; row < chunk->size(); ++row) {
        Ref value(to_python(chunk->column(c), types[c], row));
        if (!value || PyList_Append(lists[c].get(), value.get()) != 0)
          throw data_error("UDF " + udf.qualified() + ": cannot pass column '" + names[c] +
                           "' to Python: " + take_python_error(project_root));
      }
  }
  return lists;
}

// Runs the UDF through kTableSupport's run_table on the input columns. Called with the GIL held.
TextResult call_table_udf(const UdfInfo& udf, const std::vector<std::string>& names,
                          const std::vector<Ref>& lists, const std::filesystem::path& project_root) {
  Ref py_names(PyList_New(0)), py_columns(PyList_New(0)), required(PyList_New(0)), schema(PyDict_New());
  for (size_t c = 0; c < names.size(); ++c) {
    Ref n(PyUnicode_FromString(names[c].c_str()));
    PyList_Append(py_names.get(), n.get());
    PyList_Append(py_columns.get(), lists[c].get());
  }
  for (const auto& r : udf.required_columns) {
    Ref n(PyUnicode_FromString(r.c_str()));
    PyList_Append(required.get(), n.get());
  }
  for (const auto& [col, type] : udf.output_schema) {
    Ref t(PyUnicode_FromString(type.c_str()));
    PyDict_SetItemString(schema.get(), col.c_str(), t.get());
  }
  Ref fn(udf_function(udf));
  Ref result(PyObject_CallFunction(g_run_table, "OOOOOO", fn.get(), py_names.get(), py_columns.get(),
                                   required.get(), schema.get(), udf.infer ? Py_True : Py_False));
  if (!result) throw data_error("UDF " + udf.qualified() + ": " + take_python_error(project_root));
  TextResult out;
  PyObject* rn = PyTuple_GetItem(result.get(), 0);
  PyObject* rt = PyTuple_GetItem(result.get(), 1);
  PyObject* rc = PyTuple_GetItem(result.get(), 2);
  for (Py_ssize_t c = 0; c < PyList_Size(rn); ++c) {
    out.names.push_back(to_utf8(PyList_GetItem(rn, c)));
    out.types.push_back(to_utf8(PyList_GetItem(rt, c)));
    PyObject* values = PyList_GetItem(rc, c);
    std::vector<std::optional<std::string>> column;
    column.reserve(static_cast<size_t>(PyList_Size(values)));
    for (Py_ssize_t r = 0; r < PyList_Size(values); ++r) {
      PyObject* v = PyList_GetItem(values, r);
      column.push_back(v == Py_None ? std::nullopt : std::optional(to_utf8(v)));
    }
    out.columns.push_back(std::move(column));
  }
  return out;
}

// Appends the result's values, as VARCHAR, to the table `raw`.
void append_text(engine::Connection& con, const std::string& raw, const TextResult& result) {
  engine::Appender appender(con, raw);
  std::vector<LogicalType> varchar(result.names.size(), LogicalType::of(DUCKDB_TYPE_VARCHAR));
  const size_t rows = result.columns[0].size();
  for (size_t first = 0; first < rows; first += DataChunk::capacity()) {
    DataChunk chunk(varchar);
    const size_t n = std::min(DataChunk::capacity(), rows - first);
    for (size_t c = 0; c < result.names.size(); ++c) {
      Vector v = chunk.column(c);
      duckdb_vector_ensure_validity_writable(v.handle());
      for (size_t r = 0; r < n; ++r) {
        const auto& cell = first + r < result.columns[c].size() ? result.columns[c][first + r] : std::nullopt;
        if (cell)
          v.set_string(r, *cell);
        else
          v.set_null(r);
      }
    }
    chunk.set_size(n);
    appender.append(chunk);
  }
  appender.close();
}

}  // namespace

void run_table_udf(engine::Connection& con, const UdfInfo& udf, const std::string& input_relation,
                   const std::string& result_table, const std::filesystem::path& project_root) {
  engine::Result input = con.query("SELECT * FROM " + input_relation);
  std::vector<std::string> names;
  std::vector<LogicalType> types;
  for (size_t c = 0; c < input.column_count(); ++c) {
    names.push_back(input.column_name(c));
    types.push_back(input.column_type(c));
  }
  TextResult result;
  {
    Gil gil;
    const std::vector<Ref> lists = python_columns(input, names, types, udf, project_root);
    result = call_table_udf(udf, names, lists, project_root);
  }
  if (result.names.empty()) throw data_error("UDF " + udf.qualified() + " returned no columns");
  // The result as text, then cast to its declared types in one statement.
  const std::string raw = result_table + "__text";
  std::string text_cols, casts;
  for (size_t c = 0; c < result.names.size(); ++c) {
    text_cols += (c ? ", " : "") + quote_identifier(result.names[c]) + " VARCHAR";
    casts += (c ? ", " : "") + std::string("CAST(") + quote_identifier(result.names[c]) + " AS " +
             checked_type(udf, result.names[c], result.types[c]) + ") AS " +
             quote_identifier(result.names[c]);
  }
  con.execute("CREATE OR REPLACE TEMP TABLE " + quote_identifier(raw) + " (" + text_cols + ")");
  append_text(con, raw, result);
  try {
    con.execute("CREATE OR REPLACE TEMP TABLE " + quote_identifier(result_table) + " AS SELECT " + casts +
                " FROM " + quote_identifier(raw));
  } catch (const Error& e) {
    throw data_error("UDF " + udf.qualified() +
                     ": its result does not fit its output_schema: " + e.message());
  }
  con.execute("DROP TABLE " + quote_identifier(raw));
}

void declare_table_udf_result(engine::Connection& con, const UdfInfo& udf, const std::string& input_relation,
                              const std::string& result_table) {
  std::vector<std::pair<std::string, std::string>> columns;
  for (const auto& c : con.prepare("SELECT * FROM " + input_relation).result_schema())
    columns.emplace_back(c.name, c.type.to_sql());
  for (const auto& [name, type] : udf.output_schema) {
    auto it = std::find_if(columns.begin(), columns.end(), [&](const auto& c) { return c.first == name; });
    if (it != columns.end())
      it->second = checked_type(udf, name, type);
    else
      columns.emplace_back(name, checked_type(udf, name, type));
  }
  std::string cols;
  for (const auto& [name, type] : columns)
    cols += (cols.empty() ? "" : ", ") + quote_identifier(name) + " " + type;
  con.execute("CREATE OR REPLACE TEMP TABLE " + quote_identifier(result_table) + " (" + cols + ")");
}

}  // namespace sqlflow::udf
