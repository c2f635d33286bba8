#!/usr/bin/env python3
"""Writes the malformed-input corpus (tests/corpus/*/): run once, the files are checked in.
Each file is a hostile input a user may really have; tests/integration/corpus_test.cpp runs
every one through the sqlflow binary. manifest.json gives, for files where it is well defined,
how many data rows the input holds (for the on_error: skip check: loaded + rejected = rows)."""
import json, os, struct

root = os.path.dirname(os.path.abspath(__file__))
manifest = {}

def put(rel, data, rows=None):
    path = os.path.join(root, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    if rows is not None:
        manifest[rel] = {"rows": rows}

# ---- CSV ----
put("csv/unclosed_quote.csv", 'id,name\n1,"open\n2,b\n3,c\n')
put("csv/mixed_line_endings.csv", "id,name\r\n1,a\n2,b\r3,c\r\n", rows=3)
put("csv/bom.csv", b"\xef\xbb\xbfid,name\n1,a\n2,b\n", rows=2)
put("csv/nul_bytes.csv", b"id,name\n1,a\x00b\n2,c\n", rows=2)
put("csv/invalid_utf8.csv", b"id,name\n1,caf\xe9\n2,ok\n3,\xff\xfe\n", rows=3)
put("csv/ragged_rows.csv", "id,a,b\n1,x,y\n2,x\n3,x,y,z\n4,x,y\n", rows=4)
put("csv/header_only.csv", "id,name\n", rows=0)
put("csv/empty.csv", "")
put("csv/only_newlines.csv", "\n\n\n\n")
put("csv/cr_only.csv", "id,name\r1,a\r2,b\r", rows=2)
put("csv/trailing_delimiter.csv", "id,name,\n1,a,\n2,b,\n", rows=2)
put("csv/quote_in_unquoted.csv", 'id,name\n1,a"b\n2,c\n', rows=2)
put("csv/extra_columns.csv", "id\n1,2,3\n2,3,4\n", rows=2)
put("csv/tab_delimited.csv", "id\tname\n1\ta\n2\tb\n", rows=2)
put("csv/semicolon.csv", "id;name\n1;a\n2;b\n", rows=2)
put("csv/utf16le_bom.csv", b"\xff\xfe" + "id,name\n1,é\n".encode("utf-16-le"))
put("csv/latin1.csv", "id,name\n1,café\n2,naïve\n".encode("latin-1"), rows=2)
put("csv/very_wide.csv", ",".join(f"c{i}" for i in range(2000)) + "\n" + ",".join(str(i) for i in range(2000)) + "\n", rows=1)
put("csv/no_final_newline.csv", "id,name\n1,a\n2,b", rows=2)
put("csv/duplicate_header.csv", "id,id,name\n1,2,a\n", rows=1)
put("csv/blank_header.csv", "id,,name\n1,2,a\n", rows=1)
put("csv/numeric_overflow.csv", "id,n\n1,99999999999999999999999999999999999999999\n2,1\n", rows=2)
put("csv/mixed_types.csv", "id,v\n1,1\n2,two\n3,3.5\n4,2024-01-01\n", rows=4)
put("csv/escaped_quotes.csv", 'id,name\n1,"a ""quoted"" word"\n2,"b"\n', rows=2)
put("csv/multiline_field.csv", 'id,name\n1,"line one\nline two"\n2,b\n', rows=2)
put("csv/control_chars.csv", b"id,name\n1,a\x01\x02\x1b[31m\n2,b\x7f\n", rows=2)
put("csv/binary_garbage.csv", bytes((i * 97 + 13) % 256 for i in range(4096)))
put("csv/quoted_header_unclosed.csv", '"id,name\n1,a\n')
put("csv/space_padded.csv", " id , name \n 1 , a \n 2 , b \n", rows=2)
put("csv/huge_row_count_small.csv", "id\n" + "".join(f"{i}\n" for i in range(50000)), rows=50000)

# ---- JSON / JSONL ----
put("json/truncated.json", '[{"id": 1, "name": "a"}, {"id": 2, "na')
put("json/truncated.jsonl", '{"id": 1}\n{"id": 2}\n{"id": 3, "n')
put("json/deep_nested.json", '[{"id": 1, "d": ' + "[" * 10000 + "]" * 10000 + "}]")
put("json/duplicate_keys.json", '[{"id": 1, "id": 2, "name": "a"}]')
put("json/huge_numbers.json", '[{"id": 1, "n": 1e400, "m": 123456789012345678901234567890123456789012345}]')
put("json/invalid_utf8.json", b'[{"id": 1, "name": "caf\xe9"}]')
put("json/empty.json", "")
put("json/empty_array.json", "[]")
put("json/scalar_top.json", "42")
put("json/mixed_types.jsonl", '{"id": 1, "v": 1}\n{"id": 2, "v": "two"}\n{"id": 3, "v": [3]}\n{"id": 4, "v": {"x": 4}}\n')
put("json/trailing_garbage.json", '[{"id": 1}] trailing')
put("json/bom.json", b'\xef\xbb\xbf[{"id": 1}]')
put("json/nul.jsonl", b'{"id": 1}\n{"id": 2, "s": "a\x00b"}\n')
put("json/nan_infinity.json", '[{"id": 1, "x": NaN}, {"id": 2, "x": Infinity}]')
put("json/single_quotes.json", "[{'id': 1}]")
put("json/comments.json", '[{"id": 1} /* comment */]')
put("json/deep_array.json", "[" * 100000 + "]" * 100000)
put("json/blank_lines.jsonl", '{"id": 1}\n\n\n{"id": 2}\n')
put("json/not_objects.jsonl", '1\n"two"\n[3]\n')
put("json/unicode_escapes.json", '[{"id": 1, "s": "\\ud800"}]')

# ---- Parquet ----
good_tail = b"PAR1"
put("parquet/truncated_footer.parquet", b"PAR1" + b"\x15\x00" * 64 + struct.pack("<I", 200) + good_tail)
put("parquet/wrong_magic.parquet", b"PAR2" + b"\x00" * 64 + struct.pack("<I", 8) + b"PAR2")
put("parquet/empty.parquet", b"")
put("parquet/magic_only.parquet", b"PAR1")
put("parquet/garbage.parquet", bytes((i * 31 + 7) % 256 for i in range(2048)))
put("parquet/footer_length_huge.parquet", b"PAR1" + b"\x00" * 32 + struct.pack("<I", 0xFFFFFFF0) + good_tail)
put("parquet/csv_named_parquet.parquet", "id,name\n1,a\n")

# ---- .sf ----
put("sf/truncated.sf", 'SOURCE s TYPE CSV PARAMS {"path": "data/x.csv", "has_')
put("sf/binary_garbage.sf", bytes((i * 57 + 3) % 256 for i in range(3000)))
put("sf/unclosed_string.sf", "CREATE TABLE t AS SELECT 'abc;\n")
put("sf/unclosed_json.sf", 'SOURCE s TYPE CSV PARAMS {"path": "x.csv";\nLOAD t FROM s;\n')
put("sf/nul_bytes.sf", b"CREATE TABLE t AS SELECT 1\x00;\n")
put("sf/invalid_utf8.sf", b"CREATE TABLE t AS SELECT '\xff\xfe' AS x;\n")
put("sf/deep_parens.sf", "CREATE TABLE t AS SELECT " + "(" * 5000 + "1" + ")" * 5000 + ";\n")
put("sf/unbalanced_if.sf", "IF ${x} == 1 THEN\nCREATE TABLE t AS SELECT 1;\n")
put("sf/keyword_soup.sf", "LOAD LOAD FROM FROM MODE MODE UPSERT KEY ((;\nEXPORT TO TYPE OPTIONS;\n")

# ---- profile YAML ----
put("yaml/truncated.yml", "engines:\n  duckdb:\n    mode: persis")
put("yaml/binary_garbage.yml", bytes((i * 71 + 5) % 256 for i in range(2000)))
put("yaml/tabs.yml", "engines:\n\tduckdb:\n\t\tmode: memory\n")
put("yaml/deep_nesting.yml", "variables:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, 400)) + "  " * 400 + "v: 1\n")
put("yaml/anchors_bomb.yml", "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
    "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\nvariables: {x: *e}\n")
put("yaml/duplicate_keys.yml", "engines:\n  duckdb:\n    mode: memory\n    mode: persistent\n")
put("yaml/invalid_utf8.yml", b"variables:\n  name: caf\xe9\n")
put("yaml/not_a_map.yml", "- just\n- a\n- list\n")
put("yaml/wrong_types.yml", "engines:\n  duckdb:\n    threads: many\n    memory_limit: lots\n")

with open(os.path.join(root, "manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1, sort_keys=True)
    f.write("\n")
