// Every file of the corpus (generate.py, written by numpy) against the
// outcome stated for it in expected.tsv:
//   accept: ReadNpy* returns bit for bit the values of the reference file
//           (numpy's own astype(float64 / int64) of the array) and reports
//           exactly the stated conversion;
//   refuse: kInvalidArgument whose message starts with the file's path,
//           names the field and contains the stated fragment.
// A file in files/ that expected.tsv does not mention fails the test.
#include <dirent.h>

#include <cstdlib>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "src/io/atomic_file.h"
#include "src/io/npy.h"

namespace initrepro {
namespace {

std::string CorpusDir() {
  const char* srcdir = std::getenv("TEST_SRCDIR");
  const char* workspace = std::getenv("TEST_WORKSPACE");
  return absl::StrCat(srcdir ? srcdir : ".", "/",
                      workspace ? workspace : "initrepro", "/tests/npy_corpus");
}

struct Row {
  std::string file, target, outcome, detail, note;
};

std::vector<Row> Manifest() {
  const absl::StatusOr<std::string> text =
      ReadFile(CorpusDir() + "/expected.tsv");
  EXPECT_TRUE(text.ok()) << text.status();
  std::vector<Row> rows;
  if (!text.ok()) return rows;
  for (absl::string_view line : absl::StrSplit(*text, '\n', absl::SkipEmpty())) {
    if (absl::StartsWith(line, "#")) continue;
    std::vector<std::string> f = absl::StrSplit(line, '\t');
    EXPECT_EQ(f.size(), 5u) << line;
    if (f.size() != 5) continue;
    rows.push_back({f[0], f[1], f[2], f[3], f[4]});
  }
  return rows;
}

std::string Bytes(const std::vector<double>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * 8);
}

TEST(NpyCorpus, EveryFileHasItsStatedOutcome) {
  const std::vector<Row> rows = Manifest();
  ASSERT_GE(rows.size(), 25u);
  const std::string dir = CorpusDir() + "/files/";
  int accepted = 0, refused = 0;
  for (const Row& r : rows) {
    SCOPED_TRACE(r.file);
    const std::string path = dir + r.file;
    NpySource source;
    absl::Status status;
    std::string got_bytes, want_bytes;
    if (r.target == "matrix:3x4") {
      absl::StatusOr<Matrix> m = ReadNpyMatrixF64(path, 3, 4, &source);
      status = m.status();
      if (m.ok()) got_bytes = Bytes(m->data);
      if (r.outcome == "accept") {
        want_bytes = Bytes(ReadNpyMatrixF64(dir + r.detail, 3, 4)->data);
      }
    } else {
      ASSERT_EQ(r.target, "index");
      absl::StatusOr<std::vector<int64_t>> v = ReadNpyVectorI64(path, &source);
      status = v.status();
      if (v.ok())
        got_bytes.assign(reinterpret_cast<const char*>(v->data()),
                         v->size() * 8);
      if (r.outcome == "accept") {
        const std::vector<int64_t> want = *ReadNpyVectorI64(dir + r.detail);
        want_bytes.assign(reinterpret_cast<const char*>(want.data()),
                          want.size() * 8);
      }
    }
    if (r.outcome == "accept") {
      ++accepted;
      ASSERT_TRUE(status.ok()) << status;
      EXPECT_FALSE(want_bytes.empty());
      EXPECT_EQ(got_bytes, want_bytes) << "values differ from " << r.detail;
      EXPECT_EQ(source.conversion, r.note);
      EXPECT_EQ(source.sha256.size(), 64u);
    } else {
      ASSERT_EQ(r.outcome, "refuse");
      ++refused;
      EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << status;
      EXPECT_TRUE(absl::StartsWith(status.message(), path)) << status;
      EXPECT_TRUE(absl::StrContains(status.message(),
                                    absl::StrCat("field '", r.detail, "'")))
          << status;
      EXPECT_TRUE(absl::StrContains(status.message(), r.note)) << status;
    }
  }
  EXPECT_GT(accepted, 0);
  EXPECT_GT(refused, 0);
}

TEST(NpyCorpus, NoFileWithoutAStatedOutcome) {
  std::set<std::string> stated;
  for (const Row& r : Manifest()) {
    stated.insert(r.file);
    stated.insert(r.detail);  // references
  }
  DIR* d = opendir((CorpusDir() + "/files").c_str());
  ASSERT_NE(d, nullptr);
  while (const dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    EXPECT_TRUE(stated.count(name)) << name << " has no line in expected.tsv";
  }
  closedir(d);
}

}  // namespace
}  // namespace initrepro
