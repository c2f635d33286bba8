// Embedding follows the CPython 3.11 documentation: "Initialization, Finalization, and Threads"
// (isolated PyConfig) and "Embedding Python in Another Application".
#include "udf/python.hpp"

#include <mutex>
#include <set>

#include "core/error.hpp"
#include "udf/startup.hpp"

namespace sqlflow::udf {

namespace {

// SQLFlow's decorators (the contract of giaosudau/sqlflow's sqlflow/udfs/decorators.py), written
// for the binary: they mark the function in place, and import nothing a project may lack.
constexpr const char* kDecorators = R"PY(
"""SQLFlow's UDF decorators, built into the sqlflow binary."""
import inspect as _inspect

def python_scalar_udf(func=None, *, name=None, vectorized=False, returns=None):
    """Marks a function as a scalar UDF: one value per row (or, vectorized, one list or numpy
    array per argument for a whole batch of rows). The SQL return type comes from the return
    annotation or `returns=` ("DOUBLE", "VARCHAR", …)."""
    def mark(f):
        f._is_sqlflow_udf = True
        f._udf_type = "scalar"
        f._udf_name = name or f.__name__
        f._udf_vectorized = bool(vectorized)
        f._udf_returns = returns
        return f
    return mark if func is None else mark(func)

def python_table_udf(func=None, *, name=None, required_columns=None, output_schema=None, infer=False):
    """Marks a function as a table UDF: a DataFrame in (first, positional), a DataFrame out,
    with the columns of `output_schema` ({name: SQL type}) or, with infer=True, of its dtypes."""
    def mark(f):
        if output_schema is None and not infer:
            raise ValueError("table UDF %s needs output_schema={column: type} or infer=True" % f.__name__)
        params = list(_inspect.signature(f).parameters.values())
        if not params or params[0].kind not in (_inspect.Parameter.POSITIONAL_ONLY,
                                                _inspect.Parameter.POSITIONAL_OR_KEYWORD):
            raise ValueError("table UDF %s must take the DataFrame as its first, positional parameter" % f.__name__)
        for p in params[1:]:
            if p.kind in (_inspect.Parameter.POSITIONAL_ONLY, _inspect.Parameter.VAR_POSITIONAL):
                raise ValueError("table UDF %s: parameter %s must be a keyword parameter" % (f.__name__, p.name))
        f._is_sqlflow_udf = True
        f._udf_type = "table"
        f._udf_name = name or f.__name__
        f._output_schema = dict(output_schema) if output_schema else None
        f._required_columns = list(required_columns or [])
        f._infer = bool(infer)
        return f
    return mark if func is None else mark(func)
)PY";

std::once_flag g_started;
bool g_ok = false;
std::string g_start_error;
PyInterpreterState* g_interp = nullptr;
std::mutex g_paths_mutex;
std::set<std::string> g_paths;

thread_local PyThreadState* t_state = nullptr;
thread_local int t_depth = 0;

void start() {
  PyConfig config;
  PyConfig_InitIsolatedConfig(&config);
  config.install_signal_handlers = 0;  // SIGINT stays sqlflow's (core/interrupt.hpp)
  config.write_bytecode = 0;           // no __pycache__ in the user's project
  PyStatus status = Py_InitializeFromConfig(&config);
  PyConfig_Clear(&config);
  if (PyStatus_Exception(status)) {
    g_start_error = status.err_msg ? status.err_msg : "Py_InitializeFromConfig failed";
    return;
  }
  // Isolated mode leaves out Debian's dist-packages (numpy, pandas); add them back.
  const char* setup = R"PY(
import sys, types, site
for p in site.getsitepackages() + ["/usr/lib/python3/dist-packages"]:
    if p not in sys.path:
        sys.path.append(p)
_sqlflow = types.ModuleType("sqlflow")
_sqlflow.__path__ = []
_udfs = types.ModuleType("sqlflow.udfs")
_udfs.__path__ = []
sys.modules["sqlflow"] = _sqlflow
sys.modules["sqlflow.udfs"] = _udfs
sys.modules["sqlflow.udfs.decorators"] = _udfs
_sqlflow.udfs = _udfs
)PY";
  if (PyRun_SimpleString(setup) != 0) {
    g_start_error = "the sqlflow module could not be set up in Python";
    return;
  }
  PyObject* udfs = PyImport_AddModule("sqlflow.udfs");  // borrowed
  PyObject* globals = udfs ? PyModule_GetDict(udfs) : nullptr;
  Ref done(globals ? PyRun_String(kDecorators, Py_file_input, globals, globals) : nullptr);
  if (!done) {
    g_start_error = "the sqlflow.udfs decorators could not be defined: " + take_python_error();
    return;
  }
  for (auto init : {startup::init_values, startup::init_catalog, startup::init_tables}) {
    g_start_error = init();
    if (!g_start_error.empty()) return;
  }
  g_interp = PyInterpreterState_Get();
  t_state = PyEval_SaveThread();  // this thread keeps its state, without the GIL
  g_ok = true;
}

}  // namespace

void ensure_python(const std::filesystem::path& project_root) {
  std::call_once(g_started, start);
  if (!g_ok) throw config_error("cannot start the embedded Python: " + g_start_error);
  const std::string root = std::filesystem::absolute(project_root).lexically_normal().string();
  std::lock_guard lock(g_paths_mutex);
  if (!g_paths.insert(root).second) return;
  Gil gil;
  PyObject* path = PySys_GetObject("path");  // borrowed
  Ref entry(PyUnicode_FromString(root.c_str()));
  if (path && entry) PyList_Insert(path, 0, entry.get());
}

bool python_started() {
  return g_ok;
}

Gil::Gil() : owned_(t_depth == 0) {
  if (owned_) {
    if (!t_state) t_state = PyThreadState_New(g_interp);
    PyEval_RestoreThread(t_state);
  }
  ++t_depth;
}

Gil::~Gil() {
  --t_depth;
  if (owned_) t_state = PyEval_SaveThread();
}

GilRelease::GilRelease() : saved_(PyEval_SaveThread()) {}

GilRelease::~GilRelease() {
  PyEval_RestoreThread(saved_);
}

std::string to_utf8(PyObject* o) {
  if (!o) return {};
  Ref text(PyUnicode_Check(o) ? (Py_INCREF(o), o) : PyObject_Str(o));
  if (!text) {
    PyErr_Clear();
    return "<unprintable>";
  }
  Py_ssize_t n = 0;
  const char* s = PyUnicode_AsUTF8AndSize(text.get(), &n);
  if (!s) {
    PyErr_Clear();
    return "<unprintable>";
  }
  return std::string(s, static_cast<size_t>(n));
}

std::string take_python_error(const std::filesystem::path& project_root) {
  PyObject *type = nullptr, *value = nullptr, *tb = nullptr;
  PyErr_Fetch(&type, &value, &tb);
  if (!type) return "unknown Python error";
  PyErr_NormalizeException(&type, &value, &tb);
  Ref t(type), v(value), trace(tb);
  std::string name = "Exception";
  if (Ref n{PyObject_GetAttrString(type, "__name__")}) name = to_utf8(n.get());
  std::string message = to_utf8(value);
  std::string out = name + (message.empty() ? "" : ": " + message);
  // The innermost frame in the project's own files (else the innermost one): where to look.
  const std::string root = project_root.empty() ? std::string() : project_root.string();
  std::string where;
  for (Ref cur(tb ? (Py_INCREF(tb), tb) : nullptr); cur && cur.get() != Py_None;) {
    Ref frame(PyObject_GetAttrString(cur.get(), "tb_frame"));
    Ref code(frame ? PyObject_GetAttrString(frame.get(), "f_code") : nullptr);
    Ref file(code ? PyObject_GetAttrString(code.get(), "co_filename") : nullptr);
    Ref line(PyObject_GetAttrString(cur.get(), "tb_lineno"));
    if (file && line) {
      std::string f = to_utf8(file.get());
      if (root.empty() || f.rfind(root, 0) == 0 || where.empty()) {
        if (!root.empty() && f.rfind(root, 0) == 0)
          f = std::filesystem::path(f).lexically_relative(root).string();
        where = f + ":" + std::to_string(PyLong_AsLong(line.get()));
      }
    }
    cur = Ref(PyObject_GetAttrString(cur.get(), "tb_next"));
  }
  PyErr_Clear();
  return where.empty() ? out : out + " (" + where + ")";
}

}  // namespace sqlflow::udf
