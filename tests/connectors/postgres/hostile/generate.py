#!/usr/bin/python3
"""Writes the hostile binary COPY streams of this folder (run it to regenerate them).

Every stream has the row layout decode_hostile_test.cpp declares:
  int4, text, numeric -> DECIMAL(10,2), int4[], timestamp, jsonb, uuid, time
valid.bin decodes; every other file must be rejected with a data error (never a crash)."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
SIG = b"PGCOPY\n\xff\r\n\x00"
HEADER = SIG + struct.pack(">ii", 0, 0)
TRAILER = struct.pack(">h", -1)


def field(b):
    return b"" if b is None else struct.pack(">i", len(b)) + b


def null():
    return struct.pack(">i", -1)


def numeric(ndigits, weight, sign, dscale, digits):
    return struct.pack(">hhHh", ndigits, weight, sign, dscale) + b"".join(struct.pack(">H", d) for d in digits)


def int4_array(values, ndim=1, count=None, extra=b""):
    count = len(values) if count is None else count
    out = struct.pack(">iiI", ndim, 0, 23)
    if ndim >= 1:
        out += struct.pack(">ii", count, 1) * ndim
    for v in values:
        out += struct.pack(">ii", 4, v)
    return out + extra


GOOD = {
    "i": struct.pack(">i", 7),
    "t": "héllo 😀".encode(),
    "n": numeric(2, 0, 0, 2, [12, 3400]),  # 12.34
    "a": int4_array([1, 2]),
    "ts": struct.pack(">q", 0),
    "j": b"\x01{}",
    "u": bytes(range(16)),
    "tm": struct.pack(">q", 3600000000),
}
ORDER = ["i", "t", "n", "a", "ts", "j", "u", "tm"]


def row(**over):
    vals = dict(GOOD)
    vals.update(over)
    body = b""
    for k in ORDER:
        v = vals[k]
        body += null() if v is None else (v if isinstance(v, RawField) else field(v))
    return struct.pack(">h", len(ORDER)) + body


class RawField(bytes):
    """A field written as given (length prefix included), to lie about lengths."""


def stream(*rows, header=HEADER, trailer=TRAILER):
    return header + b"".join(rows) + trailer


FILES = {
    "valid.bin": stream(row(), row(i=None, t=b"", n=numeric(0, 0, 0, 0, []), a=int4_array([]), j=b"\x01null")),
    "bad_signature.bin": stream(row(), header=b"PGCOPY\n\xff\r\n\x01" + struct.pack(">ii", 0, 0)),
    "header_flags_oids.bin": stream(row(), header=SIG + struct.pack(">ii", 1 << 16, 0)),
    "header_extension_past_end.bin": SIG + struct.pack(">ii", 0, 1000) + b"abc",
    "truncated_header.bin": SIG[:7],
    "empty.bin": b"",
    "field_count_mismatch.bin": stream(struct.pack(">h", 3) + field(b"\0\0\0\1") * 3),
    "negative_field_count.bin": stream(struct.pack(">h", -7)),
    "negative_length.bin": stream(struct.pack(">h", 8) + struct.pack(">i", -2) + b"x" * 60),
    "length_past_end.bin": stream(struct.pack(">h", 8) + struct.pack(">i", 0x7FFFFFF0) + b"x" * 10),
    "truncated_row.bin": (HEADER + row())[:-5],
    "missing_trailer.bin": HEADER + row(),
    "int4_wrong_length.bin": stream(row(i=b"\0\0\1")),
    "text_invalid_utf8.bin": stream(row(t=b"ok\xff\xfe")),
    "text_overlong_utf8.bin": stream(row(t=b"\xc0\xaf")),
    "text_surrogate_utf8.bin": stream(row(t=b"\xed\xa0\x80")),
    "text_truncated_utf8.bin": stream(row(t=b"abc\xf0\x9f\x98")),
    "text_above_max_codepoint.bin": stream(row(t=b"\xf4\x90\x80\x80")),
    "numeric_bad_sign.bin": stream(row(n=numeric(1, 0, 0x1234, 0, [5]))),
    "numeric_digit_over_9999.bin": stream(row(n=numeric(1, 0, 0, 0, [10000]))),
    "numeric_ndigits_mismatch.bin": stream(row(n=numeric(5, 0, 0, 0, [1]))),
    "numeric_negative_ndigits.bin": stream(row(n=numeric(-1, 0, 0, 0, []))),
    "numeric_short.bin": stream(row(n=b"\0\1\0")),
    "numeric_too_big_for_decimal.bin": stream(row(n=numeric(3, 2, 0, 0, [1, 0, 0]))),  # 1e8 > DECIMAL(10,2)
    "numeric_would_round.bin": stream(row(n=numeric(2, 0, 0, 3, [1, 1230]))),  # 1.123
    "numeric_nan_into_decimal.bin": stream(row(n=numeric(0, 0, 0xC000, 0, []))),
    "numeric_huge_weight.bin": stream(row(n=numeric(1, 32000, 0, 0, [1]))),
    "array_two_dimensions.bin": stream(row(a=int4_array([1, 2, 3, 4], ndim=2, count=2))),
    "array_negative_dimensions.bin": stream(row(a=struct.pack(">iiI", -1, 0, 23))),
    "array_count_past_end.bin": stream(row(a=int4_array([1], count=1000000))),
    "array_negative_count.bin": stream(row(a=int4_array([], count=-5))),
    "array_element_past_end.bin": stream(row(a=struct.pack(">iiIii", 1, 0, 23, 1, 1) + struct.pack(">i", 400) + b"\0" * 4)),
    "array_element_negative_length.bin": stream(row(a=struct.pack(">iiIii", 1, 0, 23, 1, 1) + struct.pack(">i", -3))),
    "array_trailing_bytes.bin": stream(row(a=int4_array([1], extra=b"junk"))),
    "array_short_header.bin": stream(row(a=b"\0\0\0\1\0\0")),
    "array_element_wrong_length.bin": stream(row(a=struct.pack(">iiIii", 1, 0, 23, 1, 1) + struct.pack(">i", 2) + b"\0\1")),
    "timestamp_wrong_length.bin": stream(row(ts=b"\0" * 4)),
    "timestamp_past_duckdb_range.bin": stream(row(ts=struct.pack(">q", 0x7FFFFFFFFFFFFFF0))),
    "jsonb_bad_version.bin": stream(row(j=b"\x02{}")),
    "jsonb_empty.bin": stream(row(j=b"")),
    "uuid_short.bin": stream(row(u=b"\0" * 15)),
    "time_out_of_range.bin": stream(row(tm=struct.pack(">q", 86400000001))),
    "time_negative.bin": stream(row(tm=struct.pack(">q", -1))),
}

for name, data in FILES.items():
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)
