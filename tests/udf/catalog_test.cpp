// Discovering a project's UDFs: what the decorators and annotations become, and how a module
// that does not import is reported. One project per process: Python starts once.
#include "udf/catalog.hpp"

#include <gtest/gtest.h>

#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::udf;

namespace {

const Catalog& project_catalog() {
  static test::TempDir dir("udfcat");
  static const Catalog catalog = [] {
    test::write_file(dir / "python_udfs/__init__.py", "");
    test::write_file(dir / "python_udfs/money.py", R"PY(
from typing import Optional
from sqlflow.udfs import python_scalar_udf, python_table_udf

@python_scalar_udf
def tax(price: float, rate: float = 0.2) -> Optional[float]:
    """Adds tax.

    Second paragraph is not shown."""
    return price * (1 + rate)

@python_scalar_udf(name="cents", returns="BIGINT")
def to_cents(x):
    return int(x * 100)

@python_scalar_udf(vectorized=True)
def doubled(x: float) -> float:
    return x * 2

@python_table_udf(output_schema={"flag": "BOOLEAN"}, required_columns=["amount"])
def flagged(df):
    return df

def helper(x):
    return x
)PY");
    test::write_file(dir / "python_udfs/broken.py", "import json\n\nvalue = json.loads('{')\n");
    test::write_file(dir / "python_udfs/_private.py", "raise SystemExit(3)\n");
    return load_catalog(dir.path());
  }();
  return catalog;
}

}  // namespace

TEST(UdfCatalog, DecoratedFunctionsOnlySortedByTheirUdfName) {
  const auto names = project_catalog().qualified_names();
  EXPECT_EQ(names, (std::vector<std::string>{"python_udfs.money.cents", "python_udfs.money.doubled",
                                             "python_udfs.money.flagged", "python_udfs.money.tax"}));
}

TEST(UdfCatalog, SignatureTypesDefaultsAndDoc) {
  const UdfInfo* tax = project_catalog().find("money.tax");  // the short form SQLFlow accepts
  ASSERT_NE(tax, nullptr);
  EXPECT_EQ(tax->kind, "scalar");
  EXPECT_EQ(tax->return_type, "DOUBLE");  // Optional[float]
  ASSERT_EQ(tax->params.size(), 2u);
  EXPECT_EQ(tax->params[0].sql_type, "DOUBLE");
  EXPECT_FALSE(tax->params[0].has_default);
  EXPECT_TRUE(tax->params[1].has_default);
  EXPECT_EQ(tax->doc, "Adds tax.");
  EXPECT_EQ(tax->file, "python_udfs/money.py");
  EXPECT_EQ(tax->line, 5);
  EXPECT_EQ(tax->sql_name(), "py_udf__money__tax");
}

TEST(UdfCatalog, DecoratorOptions) {
  const auto& c = project_catalog();
  const UdfInfo* cents = c.find("python_udfs.money.cents");
  ASSERT_NE(cents, nullptr);
  EXPECT_EQ(cents->function, "to_cents");
  EXPECT_EQ(cents->return_type, "BIGINT");
  EXPECT_TRUE(c.find("money.doubled")->vectorized);
  const UdfInfo* flagged = c.find("money.flagged");
  EXPECT_EQ(flagged->kind, "table");
  ASSERT_EQ(flagged->output_schema.size(), 1u);
  EXPECT_EQ(flagged->output_schema[0].first, "flag");
  EXPECT_EQ(flagged->required_columns, std::vector<std::string>{"amount"});
  EXPECT_EQ(c.find("money.helper"), nullptr);
}

TEST(UdfCatalog, ImportErrorNamesFileAndLine) {
  const auto& errors = project_catalog().import_errors;
  ASSERT_EQ(errors.count("python_udfs.broken"), 1u);
  EXPECT_EQ(errors.at("python_udfs.broken").rfind("python_udfs/broken.py:3: json.decoder.JSONDecodeError", 0),
            0u)
      << errors.at("python_udfs.broken");
  EXPECT_EQ(errors.count("python_udfs._private"), 0u);  // underscore modules are not imported
}
