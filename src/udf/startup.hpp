// The Python objects UDF calls need, made once while Python starts: the starting thread holds the
// GIL and no other thread can use Python yet. Made lazily instead, by a thread that holds the GIL,
// they would deadlock: Python releases the GIL during an import, a second thread takes it and
// then waits for the first thread's initializer, which waits for the GIL.
#pragma once

#include <string>

namespace sqlflow::udf::startup {

// Each returns "" or what went wrong; called by ensure_python's start, in this order.
std::string init_values();   // values.cpp: decimal.Decimal and the datetime C API
std::string init_catalog();  // catalog.cpp: the discovery functions
std::string init_tables();   // table.cpp: the table UDF runner

}  // namespace sqlflow::udf::startup
