#include "src/io/npy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "gtest/gtest.h"
#include "src/core/matrix.h"
#include "src/io/atomic_file.h"
#include "src/io/sha256.h"

namespace initrepro {
namespace {

std::string TestPath(absl::string_view name) {
  return absl::StrCat(::testing::TempDir(), "/npy_test_", name, ".npy");
}

template <typename T>
std::string RawBytes(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()),
                     v.size() * sizeof(T));
}

// A .npy file laid out as NumPy does: magic, version, little-endian header
// length, then `dict` padded with spaces and a final '\n' so that the data
// starts at a multiple of 64 bytes.
std::string NpyBytes(absl::string_view dict, absl::string_view data,
                     int major = 1, int minor = 0) {
  const size_t len_width = major == 1 ? 2 : 4;
  const size_t unpadded = 8 + len_width + dict.size() + 1;
  const size_t pad = (64 - unpadded % 64) % 64;
  const size_t header_len = dict.size() + pad + 1;
  std::string out("\x93NUMPY", 6);
  out.push_back(static_cast<char>(major));
  out.push_back(static_cast<char>(minor));
  for (size_t k = 0; k < len_width; ++k) {
    out.push_back(static_cast<char>((header_len >> (8 * k)) & 0xff));
  }
  absl::StrAppend(&out, dict, std::string(pad, ' '), "\n", data);
  return out;
}

constexpr absl::string_view kDict23 =
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3), }";
const std::vector<double> kValues23 = {1.0, -2.5, 0.1, 1e300, -0.0, 3.0};

// Writes `bytes` to a temp file and returns ReadNpy's status for it.
absl::Status ReadBytesStatus(absl::string_view name, absl::string_view bytes,
                             std::string* path_out = nullptr) {
  const std::string path = TestPath(name);
  EXPECT_TRUE(WriteFileAtomic(path, bytes).ok());
  if (path_out != nullptr) *path_out = path;
  return ReadNpy(path).status();
}

// Asserts `s` is an InvalidArgument starting with the path and naming the
// field, and containing `fragment`.
void ExpectRejected(const absl::Status& s, const std::string& path,
                    absl::string_view field, absl::string_view fragment) {
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), path)) << s;
  EXPECT_TRUE(
      absl::StrContains(s.message(), absl::StrCat("field '", field, "'")))
      << s;
  EXPECT_TRUE(absl::StrContains(s.message(), fragment)) << s;
}

TEST(NpyWriteTest, RoundTripIsBitExactAndDeterministic) {
  const std::string a = TestPath("roundtrip_a");
  const std::string b = TestPath("roundtrip_b");
  const int64_t shape[] = {2, 3};
  ASSERT_TRUE(WriteNpyF64(a, shape, kValues23).ok());
  ASSERT_TRUE(WriteNpyF64(b, shape, kValues23).ok());
  const std::string bytes_a = ReadFile(a).value();
  EXPECT_EQ(bytes_a, ReadFile(b).value());
  EXPECT_EQ(bytes_a, EncodeNpyF64(shape, kValues23).value());

  const NpyArray arr = ReadNpy(a).value();
  EXPECT_EQ(arr.descr, "<f8");
  EXPECT_EQ(arr.shape, (std::vector<int64_t>{2, 3}));
  EXPECT_TRUE(arr.i64.empty());
  EXPECT_EQ(Sha256HexOfDoubles(arr.f64), Sha256HexOfDoubles(kValues23));
  EXPECT_TRUE(std::signbit(arr.f64[4]));
}

// NumPy >= 1.24 pads the dict with 21 - len(str(shape[0])) spaces (room to
// grow axis 0 in place) before aligning to 64; our bytes must match exactly.
TEST(NpyWriteTest, MatchesNumPyBytesExactly) {
  const int64_t shape[] = {2, 3};
  const std::string expected = std::string("\x93NUMPY\x01\x00\x76\x00", 10) +
                               std::string(kDict23) + std::string(58, ' ') +
                               "\n" + RawBytes(kValues23);
  EXPECT_EQ(EncodeNpyF64(shape, kValues23).value(), expected);
}

TEST(NpyWriteTest, DataIsAlignedForEveryShape) {
  const std::vector<std::vector<int64_t>> shapes = {
      {}, {0}, {7}, {1, 1, 1}, {1234567890123, 0}, {0, 1234567890123}};
  for (const auto& shape : shapes) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    const std::vector<double> data(static_cast<size_t>(n), 0.5);
    const std::string bytes = EncodeNpyF64(shape, data).value();
    const size_t header_len = static_cast<unsigned char>(bytes[8]) |
                              static_cast<unsigned char>(bytes[9]) << 8;
    EXPECT_EQ((10 + header_len) % 64, 0u) << bytes;
    EXPECT_EQ(bytes[10 + header_len - 1], '\n');
    EXPECT_EQ(bytes.size(), 10 + header_len + 8 * data.size());
    const NpyArray arr = ParseNpy(bytes, "mem").value();
    EXPECT_EQ(arr.shape, shape);
    EXPECT_EQ(arr.f64, data);
  }
}

TEST(NpyWriteTest, ScalarAndOneDimHeaders) {
  const std::string scalar = EncodeNpyF64({}, {2.0}).value();
  EXPECT_TRUE(absl::StrContains(scalar, "'shape': (), }")) << scalar;
  const std::string vec = EncodeNpyI64({3}, {1, 2, 3}).value();
  EXPECT_TRUE(absl::StrContains(
      vec, "{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"))
      << vec;
}

TEST(NpyWriteTest, RejectsInconsistentShape) {
  const std::string path = TestPath("bad_write");
  const int64_t shape[] = {2, 2};
  const absl::Status s = WriteNpyF64(path, shape, kValues23);
  ExpectRejected(s, path, "data", "expected 4 elements for shape (2, 2)");
  const int64_t negative[] = {-1, 3};
  ExpectRejected(WriteNpyF64(path, negative, {}), path, "shape", "(-1, 3)");
  EXPECT_FALSE(PathExists(path));
}

TEST(NpyWriteTest, MatrixAndInt64RoundTrip) {
  Matrix m(3, 2);
  for (int64_t r = 0; r < 3; ++r) {
    for (int64_t c = 0; c < 2; ++c) m.at(r, c) = r * 10.0 + c + 0.25;
  }
  const std::string mpath = TestPath("matrix");
  ASSERT_TRUE(WriteNpyMatrix(mpath, m).ok());
  EXPECT_EQ(ReadNpyMatrixF64(mpath, 3, 2).value(), m);

  const std::vector<int64_t> ids = {0, -1, std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min()};
  const std::string ipath = TestPath("ids");
  const int64_t shape[] = {4};
  ASSERT_TRUE(WriteNpyI64(ipath, shape, ids).ok());
  EXPECT_EQ(ReadNpyVectorI64(ipath).value(), ids);
  const NpyArray arr = ReadNpy(ipath).value();
  EXPECT_EQ(arr.descr, "<i8");
  EXPECT_TRUE(arr.f64.empty());

  const std::string vpath = TestPath("vec");
  const int64_t vshape[] = {3};
  ASSERT_TRUE(WriteNpyF64(vpath, vshape, {1.5, 2.5, 3.5}).ok());
  EXPECT_EQ(ReadNpyVectorF64(vpath, 3).value(),
            (std::vector<double>{1.5, 2.5, 3.5}));
  const int64_t empty_shape[] = {0};
  ASSERT_TRUE(WriteNpyI64(ipath, empty_shape, {}).ok());
  EXPECT_TRUE(ReadNpyVectorI64(ipath).value().empty());
}

TEST(NpyReadTest, ReadsNumPyLayoutBuiltByHand) {
  const std::string bytes = NpyBytes(kDict23, RawBytes(kValues23));
  ASSERT_EQ(bytes.size(), 128u + 48u);  // the dict alone passes 64 bytes
  std::string path;
  ASSERT_TRUE(ReadBytesStatus("numpy_layout", bytes, &path).ok());
  const Matrix m = ReadNpyMatrixF64(path, 2, 3).value();
  EXPECT_EQ(m.data, kValues23);
  EXPECT_EQ(m.at(1, 0), 1e300);
}

TEST(NpyReadTest, AcceptsVersion2KeyOrderAndPythonSpellings) {
  const std::vector<std::string> dicts = {
      "{'shape': (2, 3), 'fortran_order': False, 'descr': '<f8'}",
      "{ \"descr\" : \"<f8\" ,'fortran_order':False,'shape':(2,3,),}",
      "{'descr': '=f8', 'fortran_order': False, 'shape': (2L, 3L), }",
  };
  for (const std::string& dict : dicts) {
    for (int major : {1, 2}) {
      const NpyArray arr =
          ParseNpy(NpyBytes(dict, RawBytes(kValues23), major), "mem").value();
      EXPECT_EQ(arr.descr, "<f8");
      EXPECT_EQ(arr.shape, (std::vector<int64_t>{2, 3}));
      EXPECT_EQ(arr.f64, kValues23);
    }
  }
}

TEST(NpyReadTest, RejectsTruncatedFiles) {
  const std::string good = NpyBytes(kDict23, RawBytes(kValues23));
  std::string path;
  ExpectRejected(
      ReadBytesStatus("trunc_data", good.substr(0, good.size() - 8), &path),
      path, "data",
      "expected 48 bytes (shape (2, 3) x 8), found 40 "
      "(truncated)");
  ExpectRejected(ReadBytesStatus("trunc_header", good.substr(0, 40), &path),
                 path, "header", "(truncated)");
  ExpectRejected(ReadBytesStatus("trunc_len", good.substr(0, 9), &path), path,
                 "header_len", "(truncated)");
  ExpectRejected(ReadBytesStatus("trunc_version", good.substr(0, 7), &path),
                 path, "version", "(truncated)");
  ExpectRejected(ReadBytesStatus("empty", "", &path), path, "magic",
                 "(truncated)");
}

TEST(NpyReadTest, RejectsTrailingBytes) {
  std::string path;
  ExpectRejected(
      ReadBytesStatus("trailing", NpyBytes(kDict23, RawBytes(kValues23) + "\n"),
                      &path),
      path, "data", "found 49 (trailing bytes)");
}

// Format 3.0 is 2.0 with a UTF-8 header: the same bits as 1.0 and 2.0.
TEST(NpyReadTest, ReadsVersions2And3WithTheSameBits) {
  for (int major : {1, 2, 3}) {
    std::string path;
    ASSERT_TRUE(ReadBytesStatus(absl::StrCat("v", major),
                                NpyBytes(kDict23, RawBytes(kValues23), major),
                                &path)
                    .ok())
        << major;
    const Matrix m = ReadNpyMatrixF64(path, 2, 3).value();
    ASSERT_EQ(m.data.size(), kValues23.size());
    for (size_t k = 0; k < kValues23.size(); ++k)
      EXPECT_EQ(std::memcmp(&m.data[k], &kValues23[k], sizeof(double)), 0)
          << "version " << major << " element " << k;
  }
  // Non-ASCII (UTF-8) inside a string of a 3.0 header: a structured dtype's
  // field name, parsed and then refused as structured, not as unreadable.
  std::string path;
  ExpectRejected(
      ReadBytesStatus("v3_utf8",
                      NpyBytes("{'descr': [('\xce\xb1', '<f8')], "
                               "'fortran_order': False, 'shape': (2, 3), }",
                               RawBytes(kValues23), 3),
                      &path),
      path, "descr", "structured dtype");
}

TEST(NpyReadTest, RejectsBadMagicAndVersion) {
  const std::string good = NpyBytes(kDict23, RawBytes(kValues23));
  std::string path;
  std::string bad = good;
  bad[1] = 'n';
  ExpectRejected(ReadBytesStatus("magic", bad, &path), path, "magic",
                 "expected \"\\x93NUMPY\", found \"\\x93nUMPY\"");
  ExpectRejected(
      ReadBytesStatus("version4", NpyBytes(kDict23, RawBytes(kValues23), 4),
                      &path),
      path, "version", "expected 1.0, 2.0 or 3.0, found 4.0");
  ExpectRejected(
      ReadBytesStatus("version31", NpyBytes(kDict23, RawBytes(kValues23), 3, 1),
                      &path),
      path, "version", "found 3.1");
  ExpectRejected(
      ReadBytesStatus("version11", NpyBytes(kDict23, RawBytes(kValues23), 1, 1),
                      &path),
      path, "version", "found 1.1");
}

// What np.load decodes to the same values is accepted with identical bits
// and the conversion is reported (the file corpus under tests/npy_corpus
// covers the same ground with files numpy wrote).
TEST(NpyReadTest, AcceptsBigEndianFloat32AndFortranOrderAsTheSameArray) {
  std::string be;  // kValues23 as '>f8'
  for (double v : kValues23) {
    std::string b = RawBytes(std::vector<double>{v});
    std::reverse(b.begin(), b.end());
    be += b;
  }
  NpyArray a = ParseNpy(NpyBytes("{'descr': '>f8', 'fortran_order': False, "
                                 "'shape': (2, 3), }",
                                 be),
                        "mem")
                   .value();
  EXPECT_EQ(RawBytes(a.f64), RawBytes(kValues23));
  EXPECT_EQ(a.stored_descr, ">f8");
  EXPECT_EQ(a.conversion, "big-endian -> little-endian");

  // Column-major storage of the same (2, 3) matrix.
  const std::vector<double> column_major = {kValues23[0], kValues23[3],
                                            kValues23[1], kValues23[4],
                                            kValues23[2], kValues23[5]};
  a = ParseNpy(NpyBytes("{'descr': '<f8', 'fortran_order': True, "
                        "'shape': (2, 3), }",
                        RawBytes(column_major)),
               "mem")
          .value();
  EXPECT_EQ(RawBytes(a.f64), RawBytes(kValues23));
  EXPECT_TRUE(a.fortran_order);
  EXPECT_EQ(a.conversion, "Fortran order -> C order");

  const std::vector<float> f32 = {1.0f, -2.5f, 0.1f, 3e38f, -0.0f, 3.0f};
  a = ParseNpy(NpyBytes("{'descr': '<f4', 'fortran_order': False, "
                        "'shape': (6,), }",
                        RawBytes(f32)),
               "mem")
          .value();
  for (size_t k = 0; k < f32.size(); ++k)
    EXPECT_EQ(a.f64[k], static_cast<double>(f32[k])) << k;
  EXPECT_TRUE(std::signbit(a.f64[4]));
  EXPECT_EQ(a.conversion, "float32 -> float64 (exact widening)");

  const std::vector<int32_t> i32 = {-2147483647 - 1, -1, 0, 7, 2147483647};
  a = ParseNpy(NpyBytes("{'descr': '<i4', 'fortran_order': False, "
                        "'shape': (5,), }",
                        RawBytes(i32)),
               "mem")
          .value();
  EXPECT_EQ(a.i64, (std::vector<int64_t>{-2147483648LL, -1, 0, 7, 2147483647}));
  EXPECT_EQ(a.descr, "<i8");
  EXPECT_EQ(a.conversion, "int32 -> int64 (exact widening)");
}

TEST(NpyReadTest, RejectsLossyAndAmbiguousDtypes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"'<f2'", "found '<f2' (float16"},
      {"'|O'", "found '|O' (an object array"},
      {"'|b1'", "found '|b1'"},
      {"'<c16'", "found '<c16'"},
      {"'<U1'", "found '<U1'"},
      {"'<f4 '", "found '<f4 '"},
      {"'<i8'", "found '<i8'"},  // float wanted: integer is not converted
      {"[('a', '<f8')]", "found structured dtype [('a', '<f8')]"},
  };
  for (const auto& [descr, fragment] : cases) {
    std::string path = TestPath("dtype");
    ASSERT_TRUE(
        WriteFileAtomic(
            path, NpyBytes(absl::StrCat("{'descr': ", descr,
                                        ", 'fortran_order': False, "
                                        "'shape': (6,), }"),
                           std::string(48, '\0')))
            .ok());
    ExpectRejected(ReadNpyVectorF64(path, 6).status(), path, "descr",
                   fragment);
  }
}

TEST(NpyReadTest, RejectsUint64AboveInt64AndArchives) {
  const std::vector<uint64_t> big = {1, uint64_t{1} << 63};
  ExpectRejected(
      ParseNpy(NpyBytes("{'descr': '<u8', 'fortran_order': False, "
                        "'shape': (2,), }",
                        RawBytes(big)),
               "mem")
          .status(),
      "mem", "data", "9223372036854775808 (uint64) at index 1");
  ExpectRejected(ParseNpy(std::string("PK\x03\x04rest", 8), "mem").status(),
                 "mem", "magic", "zip archive");
  ExpectRejected(ParseNpy(std::string("\x80\x02}q\x00.", 6), "mem").status(),
                 "mem", "magic", "pickle");
}

TEST(NpyReadTest, RejectsNonBoolFortranOrder) {
  std::string path;
  ExpectRejected(
      ReadBytesStatus(
          "fortran",
          NpyBytes("{'descr': '<f8', 'fortran_order': 1, 'shape': (2, 3), }",
                   RawBytes(kValues23)),
          &path),
      path, "fortran_order", "expected True or False, found 1");
}

TEST(NpyReadTest, RejectsOddShapes) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"(-2, 3)", "expected non-negative dimensions, found (-2, 3)"},
      {"(6)", "expected a tuple of non-negative ints, found 6"},
      {"[2, 3]", "found [2, 3]"},
      {"(2, 'a')", "found (2, 'a')"},
      {"(2, True)", "found (2, True)"},
      {"(99999999999, 99999999999, 99999999999)", "overflows"},
  };
  for (const auto& [shape, fragment] : cases) {
    std::string path;
    const absl::Status s = ReadBytesStatus(
        "shape",
        NpyBytes(absl::StrCat("{'descr': '<f8', 'fortran_order': False, "
                              "'shape': ",
                              shape, ", }"),
                 RawBytes(kValues23)),
        &path);
    ExpectRejected(s, path, "shape", fragment);
  }
}

TEST(NpyReadTest, RejectsMalformedDicts) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"{'descr': '<f8', 'fortran_order': False}", "'shape'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (6,), 'x': 1}",
       "found 'x'"},
      {"{'descr': '<f8', 'descr': '<f8', 'fortran_order': False, "
       "'shape': (6,)}",
       "found twice"},
      {"{'descr': '<f8' 'fortran_order': False, 'shape': (6,)}",
       "malformed dict: expected ','"},
      {"{'descr': '<f8', 'fortran_order': false, 'shape': (6,)}",
       "malformed dict"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (6,)} x",
       "malformed dict"},
      {"{'descr': '<f8, 'fortran_order': False, 'shape': (6,)}",
       "malformed dict"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (6,)",
       "malformed dict"},
      {"['descr', '<f8']", "malformed dict"},
  };
  for (const auto& [dict, fragment] : cases) {
    const absl::Status s =
        ParseNpy(NpyBytes(dict, RawBytes(kValues23)), "/x/m.npy").status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << dict;
    EXPECT_TRUE(absl::StartsWith(s.message(), "/x/m.npy: field '")) << s;
    EXPECT_TRUE(absl::StrContains(s.message(), fragment)) << s;
  }
  // The header must end in '\n', as the format requires.
  std::string no_newline = NpyBytes(kDict23, RawBytes(kValues23));
  no_newline[no_newline.size() - 48 - 1] = ' ';
  EXPECT_TRUE(absl::StrContains(ParseNpy(no_newline, "mem").status().message(),
                                "ending in '\\n'"));
}

TEST(NpyReadTest, HelpersCheckShapeAndDtype) {
  const std::string path = TestPath("helpers");
  const int64_t shape[] = {2, 3};
  ASSERT_TRUE(WriteNpyF64(path, shape, kValues23).ok());
  ExpectRejected(ReadNpyMatrixF64(path, 3, 2).status(), path, "shape",
                 "expected (3, 2), found (2, 3)");
  ExpectRejected(ReadNpyVectorF64(path, 6).status(), path, "shape",
                 "expected (6,), found (2, 3)");
  ExpectRejected(ReadNpyVectorI64(path).status(), path, "descr",
                 "expected an integer array");

  const int64_t ishape[] = {2, 3};
  ASSERT_TRUE(WriteNpyI64(path, ishape, {1, 2, 3, 4, 5, 6}).ok());
  ExpectRejected(ReadNpyMatrixF64(path, 2, 3).status(), path, "descr",
                 "expected a float array");
  ExpectRejected(ReadNpyVectorI64(path).status(), path, "shape",
                 "expected (k,), found (2, 3)");
}

TEST(NpyReadTest, HelpersRejectNonFiniteValues) {
  const std::string path = TestPath("nan");
  std::vector<double> values = kValues23;
  values[4] = std::numeric_limits<double>::quiet_NaN();
  const int64_t shape[] = {2, 3};
  ASSERT_TRUE(WriteNpyF64(path, shape, values).ok());
  // The raw reader returns values as stored.
  EXPECT_TRUE(std::isnan(ReadNpy(path).value().f64[4]));
  ExpectRejected(ReadNpyMatrixF64(path, 2, 3).status(), path, "data",
                 "expected finite values, found nan at index 4 (row 1, col 1)");

  const int64_t vshape[] = {3};
  ASSERT_TRUE(WriteNpyF64(path, vshape,
                          {0.0, 1.0, -std::numeric_limits<double>::infinity()})
                  .ok());
  ExpectRejected(ReadNpyVectorF64(path, 3).status(), path, "data",
                 "found -inf at index 2");
}

TEST(NpyReadTest, MissingFileIsNotFound) {
  EXPECT_EQ(ReadNpy(TestPath("does_not_exist")).status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace initrepro
