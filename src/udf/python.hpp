// The embedded CPython 3.11 that runs a project's Python UDFs: started once, lazily (only a
// pipeline that uses PYTHON_FUNC pays for it), isolated from the environment (no PYTHONPATH, no
// user site), with the project folder first on sys.path and a built-in `sqlflow.udfs` module
// providing SQLFlow's decorators, so `from sqlflow.udfs import python_scalar_udf` works without
// any pip install. Never finalized: DuckDB may call a UDF until the process ends, and numpy does
// not survive a second initialization.
//
// The GIL: the thread that starts Python releases it at once; every caller takes it with Gil
// (DuckDB's worker threads keep a thread state each), and nobody holds it across a DuckDB call,
// since DuckDB's workers may need it to finish that call.
#pragma once

#include <Python.h>

#include <filesystem>
#include <string>

namespace sqlflow::udf {

// Starts Python if needed and puts `project_root` first on sys.path. Thread-safe. Throws a
// config Error when Python cannot start.
void ensure_python(const std::filesystem::path& project_root);
bool python_started();

// Holds the GIL for its lifetime, from any thread (a thread state is kept per thread).
class Gil {
 public:
  Gil();
  ~Gil();
  Gil(const Gil&) = delete;
  Gil& operator=(const Gil&) = delete;

 private:
  bool owned_;
};

// Releases the GIL held by this thread for its lifetime (around DuckDB calls made while a Gil
// is held further up the stack).
class GilRelease {
 public:
  GilRelease();
  ~GilRelease();
  GilRelease(const GilRelease&) = delete;
  GilRelease& operator=(const GilRelease&) = delete;

 private:
  PyThreadState* saved_;
};

// A new reference, released on destruction (with the GIL held).
class Ref {
 public:
  Ref() = default;
  explicit Ref(PyObject* p) : p_(p) {}
  Ref(const Ref&) = delete;
  Ref& operator=(const Ref&) = delete;
  Ref(Ref&& o) noexcept : p_(o.p_) { o.p_ = nullptr; }
  Ref& operator=(Ref&& o) noexcept {
    std::swap(p_, o.p_);
    return *this;
  }
  ~Ref() { Py_XDECREF(p_); }
  PyObject* get() const { return p_; }
  PyObject* release() {
    PyObject* p = p_;
    p_ = nullptr;
    return p;
  }
  explicit operator bool() const { return p_ != nullptr; }

 private:
  PyObject* p_ = nullptr;
};

// The pending Python exception as one line, "ValueError: bad price (python_udfs/tax.py:12)" —
// the innermost traceback frame inside the project — and cleared. SystemExit and
// KeyboardInterrupt are reported like any other exception: they never end the process.
std::string take_python_error(const std::filesystem::path& project_root = {});

// The value of a Python str (UTF-8), or its str() for other objects.
std::string to_utf8(PyObject* o);

}  // namespace sqlflow::udf
