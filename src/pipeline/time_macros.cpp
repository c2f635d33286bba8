#include "pipeline/time_macros.hpp"

#include <regex>

#include "core/quote.hpp"

namespace sqlflow::pipeline {

std::string bind_time_macros(const std::string& sql, const std::string& start_ts, const std::string& end_ts) {
  static const std::regex start_dt(R"(@start_dt\b)"), end_dt(R"(@end_dt\b)"), start_date(R"(@start_date\b)"),
      end_date(R"(@end_date\b)");
  auto lit = [](const std::string& v) { return "CAST(" + quote_literal(v) + " AS TIMESTAMP)"; };
  std::string out = std::regex_replace(sql, start_dt, lit(start_ts));
  out = std::regex_replace(out, end_dt, lit(end_ts));
  out = std::regex_replace(out, start_date, lit(start_ts) + "::DATE");
  return std::regex_replace(out, end_date, lit(end_ts) + "::DATE");
}

}  // namespace sqlflow::pipeline
