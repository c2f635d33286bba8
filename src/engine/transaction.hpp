// A transaction that commits only when asked and rolls back if it goes out of scope first
// (e.g. because an exception is unwinding), so a failed step leaves the database as it was.
#pragma once

#include "engine/connection.hpp"

namespace sqlflow::engine {

class Transaction {
 public:
  explicit Transaction(Connection& con);
  ~Transaction();
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;

  void commit();
  void rollback();

 private:
  Connection& con_;
  bool open_ = true;
};

}  // namespace sqlflow::engine
