#!/usr/bin/env bash
# A first end-to-end run through the sqlflow binary.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/build/sqlflow"
cd "$root/examples/quickstart"
echo "== sqlflow --version"
"$bin" --version
echo "== top customers by revenue from data/orders.csv"
"$bin" query "SELECT customer, count(*) AS orders, sum(amount) AS revenue
              FROM read_csv('data/orders.csv') GROUP BY customer ORDER BY revenue DESC LIMIT 5"
