#!/usr/bin/env bash
# `make demo`: runs the example project in examples/ecommerce through the sqlflow binary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/sqlflow"
cd "$root/examples/ecommerce"
rm -rf output
echo "== sqlflow --version"
"$bin" --version
echo
echo "== sqlflow pipeline compile sales_report"
"$bin" pipeline compile sales_report
echo
echo "== sqlflow pipeline run sales_report"
"$bin" pipeline run sales_report
echo
echo "== top customers (from output/top_customers.parquet)"
"$bin" query "SELECT * FROM 'output/top_customers.parquet' WHERE rank_in_country = 1 ORDER BY revenue DESC"
echo
echo "outputs: $(pwd)/output/monthly_category.csv and $(pwd)/output/top_customers.parquet"
