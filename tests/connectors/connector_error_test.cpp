// The one shape of connector errors: "<type> <source|destination> '<name>': <what>", added once.
#include "connectors/connector_error.hpp"

#include <gtest/gtest.h>

namespace sqlflow::connectors {
namespace {

TEST(ConnectorError, SubjectNamesTypeRoleAndName) {
  EXPECT_EQ(connector_subject("rest", Role::Source, "api"), "rest source 'api'");
  EXPECT_EQ(connector_subject("postgres", Role::Destination, "analytics.daily"),
            "postgres destination 'analytics.daily'");
}

TEST(ConnectorError, PrefixKeepsKindHintRetryableAndLocation) {
  Error e = connection_error("page 3: connection reset", true, "check the server");
  e.at({"p.sf", 4, 1});
  Error out = with_subject(e, "rest source 'api'");
  EXPECT_EQ(out.message(), "rest source 'api': page 3: connection reset");
  EXPECT_EQ(out.kind(), ErrorKind::Connection);
  EXPECT_TRUE(out.retryable());
  EXPECT_EQ(out.hint(), "check the server");
  ASSERT_TRUE(out.location());
  EXPECT_EQ(out.location()->line, 4);
}

TEST(ConnectorError, AddedOnceWhenAnErrorCrossesTwoBoundaries) {
  Error once = with_subject(data_error("bad row"), "csv source 'c'");
  EXPECT_EQ(with_subject(once, "csv source 'c'").message(), "csv source 'c': bad row");
  // Another subject is another boundary (an S3 source reading through a CSV reader).
  EXPECT_EQ(with_subject(once, "s3 source 'lake'").message(), "s3 source 'lake': csv source 'c': bad row");
}

TEST(ConnectorError, CallingConnectorRethrowsWithSubjectAndPassesResults) {
  EXPECT_EQ(calling_connector("memory source 'm'", [] { return 7; }), 7);
  try {
    calling_connector("memory source 'm'", []() -> int { throw validation_error("no table"); });
    FAIL() << "no exception";
  } catch (const Error& e) {
    EXPECT_EQ(e.message(), "memory source 'm': no table");
    EXPECT_EQ(e.kind(), ErrorKind::Validation);
  }
}

TEST(ConnectorError, EmptyWhatLeadsWithNothing) {
  EXPECT_EQ(subject_prefix(""), "");
  EXPECT_EQ(subject_prefix("S3 download"), "S3 download: ");
}

}  // namespace
}  // namespace sqlflow::connectors
