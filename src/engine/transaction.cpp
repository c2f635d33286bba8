#include "engine/transaction.hpp"

namespace sqlflow::engine {

Transaction::Transaction(Connection& con) : con_(con) {
  con_.execute("BEGIN TRANSACTION");
}

Transaction::~Transaction() {
  if (!open_) return;
  try {
    con_.execute("ROLLBACK");
  } catch (...) {
    // The connection may already have aborted the transaction; nothing more to undo.
  }
}

void Transaction::commit() {
  open_ = false;
  con_.execute("COMMIT");
}

void Transaction::rollback() {
  open_ = false;
  con_.execute("ROLLBACK");
}

}  // namespace sqlflow::engine
