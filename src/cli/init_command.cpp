// `sqlflow init NAME [--minimal]`: a new project with a working example over bundled data.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "core/error.hpp"

namespace sqlflow::cli {

namespace {

namespace fs = std::filesystem;

const char* kDevProfile = R"(# Development profile: an in-memory engine, nothing kept between runs.
engines:
  duckdb:
    mode: memory
variables:
  data_dir: data
  output_dir: output
connectors: {}
)";

const char* kProdProfile =
    R"(# Production profile: a persistent engine file, so tables and incremental watermarks are kept.
engines:
  duckdb:
    mode: persistent
    path: target/prod.duckdb
    memory_limit: 2GB
variables:
  data_dir: data
  output_dir: output
connectors: {}
)";

const char* kExample = R"(-- example.sf: load two CSV files, join them and export a summary.
-- Run it with:  sqlflow pipeline run example
SOURCE customers TYPE CSV PARAMS {"path": "${data_dir|data}/customers.csv", "has_header": true};
SOURCE orders TYPE CSV PARAMS {"path": "${data_dir|data}/orders.csv", "has_header": true};

LOAD customers_table FROM customers;
LOAD orders_table FROM orders;

CREATE TABLE customer_revenue AS
SELECT c.customer_id, c.name, c.country,
       count(o.order_id) AS orders,
       coalesce(sum(o.amount), 0) AS revenue,
       rank() OVER (ORDER BY coalesce(sum(o.amount), 0) DESC) AS revenue_rank
FROM customers_table c
LEFT JOIN orders_table o USING (customer_id)
GROUP BY ALL
ORDER BY revenue_rank, c.customer_id;

EXPORT SELECT * FROM customer_revenue
TO "${output_dir|output}/customer_revenue.csv"
TYPE CSV OPTIONS {"header": true};
)";

const char* kMinimal = R"(-- example.sf: a minimal pipeline.
CREATE TABLE hello AS SELECT 'hello from sqlflow' AS greeting;
EXPORT SELECT * FROM hello TO "${output_dir|output}/hello.csv" TYPE CSV OPTIONS {"header": true};
)";

const char* kCustomers = R"(customer_id,name,country
1,Ada Lovelace,UK
2,Grace Hopper,US
3,Edsger Dijkstra,NL
4,Barbara Liskov,US
5,Donald Knuth,US
)";

const char* kOrders = R"(order_id,customer_id,amount,ordered_at
100,1,120.50,2024-01-03
101,2,75.00,2024-01-04
102,1,33.25,2024-01-09
103,3,210.00,2024-02-01
104,4,18.90,2024-02-11
105,2,99.99,2024-02-12
)";

void write(const fs::path& path, const std::string& text) {
  fs::create_directories(path.parent_path());
  std::ofstream f(path);
  if (!f) throw usage_error("cannot write " + path.string());
  f << text;
}

void add_init_command(CLI::App& app) {
  struct Options {
    std::string name;
    bool minimal = false;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("init", "Create a new project with an example pipeline");
  cmd->add_option("name", o->name, "project folder to create")->required();
  cmd->add_flag("--minimal", o->minimal, "only the folders, profiles and a tiny pipeline (no sample data)");
  cmd->callback([o] {
    fs::path root = o->name;
    if (fs::exists(root) && !fs::is_empty(root))
      throw usage_error("'" + o->name + "' already exists and is not empty",
                        "choose another name or remove it");
    for (const char* d : {"pipelines", "profiles", "data", "output", "target"})
      fs::create_directories(root / d);
    write(root / "profiles/dev.yml", kDevProfile);
    write(root / "profiles/prod.yml", kProdProfile);
    write(root / "pipelines/example.sf", o->minimal ? kMinimal : kExample);
    if (!o->minimal) {
      write(root / "data/customers.csv", kCustomers);
      write(root / "data/orders.csv", kOrders);
    }
    write(root / ".gitignore", "output/\ntarget/\n.env\n");
    write(root / "README.md",
          "# " + root.filename().string() +
              "\n\nA sqlflow project.\n\n```sh\nsqlflow pipeline run example            # dev profile, in "
              "memory\n"
              "sqlflow pipeline run example --profile prod  # persistent engine in target/\n"
              "sqlflow pipeline validate                  # check every pipeline\n```\n\n"
              "- `pipelines/`: .sf pipelines\n- `profiles/`: engine settings, variables, connectors\n"
              "- `data/`: input files\n- `output/`: exported files\n");
    std::cout << "created project " << root.string() << "\n  cd " << root.string()
              << " && sqlflow pipeline run example\n";
  });
}

}  // namespace
SQLFLOW_REGISTER_COMMAND(10, add_init_command);

}  // namespace sqlflow::cli
