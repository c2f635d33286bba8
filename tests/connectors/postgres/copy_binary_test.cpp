// The binary COPY decoder and encoder on their own: hostile streams (tests/connectors/postgres/
// hostile/, made by its generate.py) are rejected with data errors, every truncation of a valid
// stream is too, byte flips never crash, and numerics convert exactly both ways.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>

#include "connectors/postgres/copy_binary_decode.hpp"
#include "connectors/postgres/copy_binary_encode.hpp"
#include "connectors/postgres/wire.hpp"
#include "core/error.hpp"
#include "support/test_support.hpp"

using namespace sqlflow;
using namespace sqlflow::connectors::postgres;
namespace fs = std::filesystem;

namespace {

std::vector<DecodeSpec> hostile_layout() {
  auto spec = [](Wire w, const char* name) {
    DecodeSpec s;
    s.wire = w;
    s.column = name;
    return s;
  };
  std::vector<DecodeSpec> f = {spec(Wire::Int4, "i"), spec(Wire::Text, "t"),       spec(Wire::Numeric, "n"),
                               spec(Wire::Int4, "a"), spec(Wire::Timestamp, "ts"), spec(Wire::Jsonb, "j"),
                               spec(Wire::Uuid, "u"), spec(Wire::Time, "tm")};
  f[2].numeric = NumericTarget::Decimal;
  f[2].width = 10;
  f[2].scale = 2;
  f[3].array = true;
  return f;
}

// Decodes a whole stream fed in pieces of `piece` bytes; returns the rows.
size_t decode_all(const std::string& data, size_t piece = 7) {
  auto layout = hostile_layout();
  std::vector<LogicalType> types;
  for (const auto& f : layout) types.push_back(f.duckdb_type());
  DataChunk chunk(types);
  CopyBinaryStream stream(layout);
  size_t pos = 0;
  PullPiece pull = [&](std::string_view& out) {
    if (pos >= data.size()) return false;
    out = std::string_view(data).substr(pos, piece);
    pos += out.size();
    return true;
  };
  size_t total = 0;
  while (true) {
    chunk.reset();
    std::vector<Vector> targets;
    for (size_t i = 0; i < layout.size(); ++i) targets.push_back(chunk.column(i));
    size_t n = stream.read(targets, DataChunk::capacity(), pull);
    total += n;
    if (stream.finished()) return total;
    if (n == 0) return total;
  }
}

std::string hostile_dir() {
  return test::source_dir() + "/tests/connectors/postgres/hostile";
}

TEST(CopyBinaryDecode, ValidStreamDecodesInAnyPieceSize) {
  const std::string valid = test::read_file(hostile_dir() + "/valid.bin");
  for (size_t piece : {1, 2, 3, 7, 19, 64, 4096}) EXPECT_EQ(decode_all(valid, piece), 2u) << piece;
}

TEST(CopyBinaryDecode, EveryHostileStreamIsADataError) {
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(hostile_dir())) {
    if (entry.path().extension() != ".bin" || entry.path().filename() == "valid.bin") continue;
    ++files;
    const std::string data = test::read_file(entry.path());
    for (size_t piece : {1, 5, 4096}) {
      try {
        decode_all(data, piece);
        ADD_FAILURE() << entry.path().filename() << " decoded without an error";
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), ErrorKind::Data) << entry.path().filename() << ": " << e.what();
      }
    }
  }
  EXPECT_GE(files, 40u);
}

TEST(CopyBinaryDecode, EveryTruncationIsRejected) {
  const std::string valid = test::read_file(hostile_dir() + "/valid.bin");
  for (size_t len = 0; len < valid.size(); ++len) {
    EXPECT_THROW(decode_all(valid.substr(0, len), 3), Error) << "prefix of " << len << " bytes";
  }
}

TEST(CopyBinaryDecode, FlippedBytesNeverCrash) {
  const std::string valid = test::read_file(hostile_dir() + "/valid.bin");
  std::mt19937 rng(7);
  size_t errors = 0;
  for (int round = 0; round < 3000; ++round) {
    std::string data = valid;
    for (int k = 0; k < 1 + round % 4; ++k) data[rng() % data.size()] = static_cast<char>(rng());
    try {
      decode_all(data, 1 + rng() % 50);
    } catch (const Error&) {
      ++errors;
    }
  }
  EXPECT_GT(errors, 1000u);  // most corruptions are caught, none crash (ASan checks the reads)
}

TEST(CopyBinaryDecode, Utf8Validation) {
  EXPECT_TRUE(valid_utf8("", 0));
  const std::string good = "plain ascii long enough for the fast path é 😀 中文";
  EXPECT_TRUE(valid_utf8(good.data(), good.size()));
  for (std::string bad : {"\x80", "\xc3", "\xc0\x80", "\xe0\x80\x80", "\xed\xbf\xbf", "\xf8\x88\x80\x80\x80",
                          "\xf4\x90\x80\x80", "abcdefgh\xff"})
    EXPECT_FALSE(valid_utf8(bad.data(), bad.size())) << bad;
}

std::string numeric_roundtrip(int128 unscaled, int scale) {
  std::string out;
  put_numeric(out, unscaled, scale);
  return numeric_to_text(out.data() + 4, out.size() - 4, "n");  // skip the length word
}

std::string numeric_text_roundtrip(const std::string& text) {
  std::string out;
  if (!put_numeric_text(out, text)) return "<not a number>";
  return numeric_to_text(out.data() + 4, out.size() - 4, "n");
}

TEST(CopyBinaryNumeric, EncodesExactly) {
  EXPECT_EQ(numeric_roundtrip(0, 0), "0");
  EXPECT_EQ(numeric_roundtrip(0, 3), "0.000");
  EXPECT_EQ(numeric_roundtrip(1234, 2), "12.34");
  EXPECT_EQ(numeric_roundtrip(-5, 3), "-0.005");
  EXPECT_EQ(numeric_roundtrip(100000000, 0), "100000000");
  int128 max38 = 1;
  for (int i = 0; i < 38; ++i) max38 *= 10;
  max38 -= 1;
  EXPECT_EQ(numeric_roundtrip(max38, 18), "99999999999999999999.999999999999999999");
  EXPECT_EQ(numeric_roundtrip(-max38, 38), "-0.99999999999999999999999999999999999999");
  EXPECT_EQ(numeric_roundtrip(-max38, 0), "-99999999999999999999999999999999999999");
  EXPECT_EQ(numeric_roundtrip(1, 37), "0.0000000000000000000000000000000000001");
}

TEST(CopyBinaryNumeric, ParsesText) {
  EXPECT_EQ(numeric_text_roundtrip("12.3400"), "12.3400");
  EXPECT_EQ(numeric_text_roundtrip("-0.000123"), "-0.000123");
  EXPECT_EQ(numeric_text_roundtrip("1e5"), "100000");
  EXPECT_EQ(numeric_text_roundtrip("1.5e-3"), "0.0015");
  EXPECT_EQ(numeric_text_roundtrip("-0.00"), "0.00");
  EXPECT_EQ(numeric_text_roundtrip("123456789012345678901234567890.123456789012345678901234567890"),
            "123456789012345678901234567890.123456789012345678901234567890");
  EXPECT_EQ(numeric_text_roundtrip("NaN"), "NaN");
  EXPECT_EQ(numeric_text_roundtrip("-Infinity"), "-Infinity");
  EXPECT_EQ(numeric_text_roundtrip("12abc"), "<not a number>");
  EXPECT_EQ(numeric_text_roundtrip(""), "<not a number>");
}

TEST(CopyBinaryNumeric, DecodesIntoDecimalOrFailsLoudly) {
  DecodeSpec spec;
  spec.wire = Wire::Numeric;
  spec.width = 38;
  spec.scale = 18;
  spec.column = "n";
  DataChunk chunk({spec.duckdb_type()});
  auto decode = [&](const std::string& text) {
    std::string bytes;
    put_numeric_text(bytes, text);
    decode_value(spec, bytes.data() + 4, bytes.size() - 4, chunk.column(0), 0);
    chunk.set_size(1);
    return chunk.column(0).to_string(0, spec.duckdb_type());
  };
  EXPECT_EQ(decode("-12345678901234567890.123456789012345678"), "-12345678901234567890.123456789012345678");
  EXPECT_EQ(decode("0.000000000000000001"), "0.000000000000000001");
  EXPECT_EQ(decode("7"), "7.000000000000000000");
  EXPECT_THROW(decode("0.0000000000000000001"), Error);  // 19 fractional digits
  EXPECT_THROW(decode("123456789012345678901"), Error);  // 21 integer digits
  EXPECT_THROW(decode("NaN"), Error);
}

TEST(CopyBinaryEncode, EncoderOutputDecodesBack) {
  // DuckDB values → binary COPY → decoder: the same values.
  std::vector<LogicalType> types = {LogicalType::of(DUCKDB_TYPE_BIGINT), LogicalType::of(DUCKDB_TYPE_VARCHAR),
                                    LogicalType::decimal(12, 3),
                                    LogicalType::list(LogicalType::of(DUCKDB_TYPE_INTEGER))};
  DataChunk in(types);
  for (size_t r = 0; r < 3; ++r) {
    in.column(0).set<int64_t>(r, static_cast<int64_t>(r) * 1000000000000LL - 5);
    in.column(1).set_string(r, std::string(r, 'x') + "é");
    in.column(2).set_decimal(r, static_cast<int128>(r) * 123456 - 1, 12);
  }
  in.column(3).list_reserve(3);
  in.column(3).list_child().set<int32_t>(0, 1);
  in.column(3).list_child().set<int32_t>(1, 2);
  in.column(3).list_child().set_null(2);
  in.column(3).list_set_size(3);
  in.column(3).set_list_entry(0, 0, 0);
  in.column(3).set_list_entry(1, 0, 3);
  in.column(3).set_null(2);
  in.column(1).set_null(1);
  in.set_size(3);
  EncodeTarget a{"a", "bigint", Wire::Int8}, b{"b", "text", Wire::Text}, c{"c", "numeric", Wire::Numeric},
      d{"d", "integer[]", Wire::Int4, true, 23};
  CopyBinaryEncoder encoder(types, {a, b, c, d});
  std::string stream;
  CopyBinaryEncoder::put_header(stream);
  encoder.encode(in, stream);
  CopyBinaryEncoder::put_trailer(stream);

  std::vector<DecodeSpec> specs(4);
  specs[0].wire = Wire::Int8;
  specs[1].wire = Wire::Text;
  specs[2].wire = Wire::Numeric;
  specs[2].width = 12;
  specs[2].scale = 3;
  specs[3].wire = Wire::Int4;
  specs[3].array = true;
  DataChunk out(types);
  CopyBinaryStream decoder(specs);
  bool given = false;
  PullPiece pull = [&](std::string_view& piece) {
    if (given) return false;
    given = true;
    piece = stream;
    return true;
  };
  std::vector<Vector> targets;
  for (size_t i = 0; i < 4; ++i) targets.push_back(out.column(i));
  ASSERT_EQ(decoder.read(targets, 2048, pull), 3u);
  EXPECT_TRUE(decoder.finished());
  out.set_size(3);
  for (size_t r = 0; r < 3; ++r)
    for (size_t c2 = 0; c2 < 4; ++c2)
      EXPECT_EQ(out.column(c2).to_string(r, types[c2]), in.column(c2).to_string(r, types[c2]))
          << r << "," << c2;
}

TEST(CopyBinaryEncode, IncompatibleTypesAreNamed) {
  EncodeTarget t{"when", "date", Wire::Date};
  EXPECT_NE(encode_incompatibility(LogicalType::of(DUCKDB_TYPE_VARCHAR), t).find("date"), std::string::npos);
  EXPECT_EQ(encode_incompatibility(LogicalType::of(DUCKDB_TYPE_DATE), t), "");
  EXPECT_THROW(CopyBinaryEncoder({LogicalType::of(DUCKDB_TYPE_VARCHAR)}, {t}), Error);
}

}  // namespace
