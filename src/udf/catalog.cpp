#include "udf/catalog.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "udf/python.hpp"
#include "udf/startup.hpp"

namespace sqlflow::udf {

namespace {

// Discovery in Python, where inspect and importlib do the work: one dict per UDF.
constexpr const char* kDiscovery = R"PY(
import importlib, inspect, os, sys, traceback, typing, datetime, decimal

def _sql_type(ann):
    if ann is inspect.Parameter.empty or ann is inspect.Signature.empty or ann is None:
        return ""
    if typing.get_origin(ann) is typing.Union:
        args = [a for a in typing.get_args(ann) if a is not type(None)]
        return _sql_type(args[0]) if len(args) == 1 else ""
    if isinstance(ann, str):
        ann = {"str": str, "int": int, "float": float, "bool": bool}.get(ann, ann)
    if ann is bool: return "BOOLEAN"
    if ann is int: return "BIGINT"
    if ann is float: return "DOUBLE"
    if ann is str: return "VARCHAR"
    if ann is datetime.datetime: return "TIMESTAMP"
    if ann is datetime.date: return "DATE"
    if ann is decimal.Decimal: return "DOUBLE"
    return ""

def _where(e, root):
    # "file:line: " of the failure inside the project: a syntax error's own place, else the
    # innermost traceback frame in a project file.
    if isinstance(e, SyntaxError) and e.filename and e.lineno:
        return "%s:%d: " % (os.path.relpath(e.filename, root), e.lineno)
    place = ""
    for frame in traceback.extract_tb(e.__traceback__):
        if frame.filename.startswith(root + os.sep):
            place = "%s:%d: " % (os.path.relpath(frame.filename, root), frame.lineno)
    return place

def discover(root):
    found, errors = [], {}
    folder = os.path.join(root, "python_udfs")
    names = sorted(f[:-3] for f in os.listdir(folder) if f.endswith(".py") and not f.startswith("_"))
    for name in names:
        modname = "python_udfs." + name
        try:
            module = importlib.import_module(modname)
        except BaseException as e:  # SystemExit too: a module must not end the process
            errors[modname] = _where(e, root) + traceback.format_exception_only(type(e), e)[-1].strip()
            continue
        for attr in sorted(vars(module)):
            f = getattr(module, attr)
            if not callable(f) or not getattr(f, "_is_sqlflow_udf", False):
                continue
            if getattr(f, "__module__", modname) != modname:
                continue  # imported from another module: listed there
            try:
                sig = inspect.signature(f)
                params = [(p.name, _sql_type(p.annotation), p.default is not inspect.Parameter.empty)
                          for p in sig.parameters.values()]
                signature = str(sig)
            except (TypeError, ValueError):
                params, signature = [], "(...)"
            returns = getattr(f, "_udf_returns", None) or _sql_type(sig.return_annotation) or "DOUBLE"
            doc = inspect.getdoc(f) or ""
            try:
                file = os.path.relpath(inspect.getsourcefile(f), root)
                line = inspect.getsourcelines(f)[1]
            except (TypeError, OSError):
                file, line = "", 0
            found.append({
                "module": modname, "function": f.__name__, "name": getattr(f, "_udf_name", f.__name__),
                "kind": getattr(f, "_udf_type", "scalar"), "params": params, "returns": str(returns).upper(),
                "vectorized": bool(getattr(f, "_udf_vectorized", False)),
                "output_schema": list((getattr(f, "_output_schema", None) or {}).items()),
                "required_columns": list(getattr(f, "_required_columns", []) or []),
                "infer": bool(getattr(f, "_infer", False)),
                "signature": signature, "doc": doc.split("\n\n")[0].strip(), "file": file, "line": line,
            })
    return found, errors

def function(modname, attr):
    return getattr(importlib.import_module(modname), attr)
)PY";

PyObject* g_support = nullptr;  // the module dict holding kDiscovery's functions (kept for good)

PyObject* support() {
  return g_support;
}

std::string str_item(PyObject* dict, const char* key) {
  return to_utf8(PyDict_GetItemString(dict, key));
}

}  // namespace

std::string startup::init_catalog() {
  PyObject* module = PyImport_AddModule("_sqlflow_udf_support");  // borrowed
  PyObject* globals = module ? PyModule_GetDict(module) : nullptr;
  if (globals && !PyDict_GetItemString(globals, "__builtins__"))
    PyDict_SetItemString(globals, "__builtins__", PyEval_GetBuiltins());
  Ref done(globals ? PyRun_String(kDiscovery, Py_file_input, globals, globals) : nullptr);
  if (!done) return "UDF discovery could not be set up: " + take_python_error();
  g_support = globals;
  return "";
}

std::string UdfInfo::sql_name() const {
  std::string m = module;
  if (m.rfind("python_udfs.", 0) == 0) m = m.substr(12);
  std::string out = "py_udf__" + m + "__" + name;
  for (auto& c : out)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return out;
}

const UdfInfo* Catalog::find(const std::string& name) const {
  const std::string full = name.rfind("python_udfs.", 0) == 0 ? name : "python_udfs." + name;
  for (const auto& u : udfs)
    if (u.qualified() == full) return &u;
  return nullptr;
}

std::vector<std::string> Catalog::qualified_names() const {
  std::vector<std::string> out;
  for (const auto& u : udfs) out.push_back(u.qualified());
  return out;
}

bool has_udf_modules(const std::filesystem::path& project_root) {
  std::error_code ec;
  const auto dir = project_root / "python_udfs";
  if (!std::filesystem::is_directory(dir, ec)) return false;
  for (const auto& e : std::filesystem::directory_iterator(dir, ec))
    if (e.path().extension() == ".py" && e.path().filename().string()[0] != '_') return true;
  return false;
}

Catalog load_catalog(const std::filesystem::path& project_root) {
  Catalog catalog;
  if (!has_udf_modules(project_root)) return catalog;
  ensure_python(project_root);
  Gil gil;
  PyObject* discover = PyDict_GetItemString(support(), "discover");  // borrowed
  const std::string root = std::filesystem::absolute(project_root).lexically_normal().string();
  Ref result(PyObject_CallFunction(discover, "s", root.c_str()));
  if (!result) throw config_error("cannot list the UDFs of python_udfs/: " + take_python_error(project_root));
  PyObject* found = PyTuple_GetItem(result.get(), 0);
  PyObject* errors = PyTuple_GetItem(result.get(), 1);
  PyObject *key, *value;
  Py_ssize_t pos = 0;
  while (PyDict_Next(errors, &pos, &key, &value)) catalog.import_errors[to_utf8(key)] = to_utf8(value);
  for (Py_ssize_t i = 0; i < PyList_Size(found); ++i) {
    PyObject* d = PyList_GetItem(found, i);
    UdfInfo u;
    u.module = str_item(d, "module");
    u.function = str_item(d, "function");
    u.name = str_item(d, "name");
    u.kind = str_item(d, "kind");
    u.return_type = str_item(d, "returns");
    u.vectorized = PyObject_IsTrue(PyDict_GetItemString(d, "vectorized")) == 1;
    u.infer = PyObject_IsTrue(PyDict_GetItemString(d, "infer")) == 1;
    u.signature = str_item(d, "signature");
    u.doc = str_item(d, "doc");
    u.file = str_item(d, "file");
    u.line = static_cast<int>(PyLong_AsLong(PyDict_GetItemString(d, "line")));
    PyObject* params = PyDict_GetItemString(d, "params");
    for (Py_ssize_t k = 0; k < PyList_Size(params); ++k) {
      PyObject* p = PyList_GetItem(params, k);
      u.params.push_back({to_utf8(PyTuple_GetItem(p, 0)), to_utf8(PyTuple_GetItem(p, 1)),
                          PyObject_IsTrue(PyTuple_GetItem(p, 2)) == 1});
    }
    PyObject* schema = PyDict_GetItemString(d, "output_schema");
    for (Py_ssize_t k = 0; k < PyList_Size(schema); ++k) {
      PyObject* p = PyList_GetItem(schema, k);
      u.output_schema.emplace_back(to_utf8(PyTuple_GetItem(p, 0)), to_utf8(PyTuple_GetItem(p, 1)));
    }
    PyObject* required = PyDict_GetItemString(d, "required_columns");
    for (Py_ssize_t k = 0; k < PyList_Size(required); ++k)
      u.required_columns.push_back(to_utf8(PyList_GetItem(required, k)));
    catalog.udfs.push_back(std::move(u));
  }
  // By the name users write (a renamed function sorts by its UDF name, not its Python name).
  std::sort(catalog.udfs.begin(), catalog.udfs.end(),
            [](const UdfInfo& a, const UdfInfo& b) { return a.qualified() < b.qualified(); });
  return catalog;
}

::_object* udf_function(const UdfInfo& udf) {
  PyObject* get = PyDict_GetItemString(support(), "function");  // borrowed
  PyObject* f = PyObject_CallFunction(get, "ss", udf.module.c_str(), udf.function.c_str());
  if (!f) throw internal_error("UDF " + udf.qualified() + " cannot be found again: " + take_python_error());
  return f;
}

}  // namespace sqlflow::udf
