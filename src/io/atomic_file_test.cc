#include "src/io/atomic_file.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace initrepro {
namespace {

// A fresh directory per test, so tests can list it and run in any order.
std::string TestDir() {
  const std::string dir = absl::StrCat(
      ::testing::TempDir(), "/atomic_file_test_",
      ::testing::UnitTest::GetInstance()->current_test_info()->name());
  EXPECT_TRUE(RemoveTree(dir).ok());
  EXPECT_TRUE(MakeDirs(dir).ok());
  return dir;
}

std::vector<std::string> ListDir(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name != "." && name != "..") names.push_back(name);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

TEST(WriteFileAtomicTest, WritesAndOverwrites) {
  const std::string dir = TestDir();
  const std::string path = dir + "/out.bin";
  const std::string binary("a\0b\xff\n", 5);
  ASSERT_TRUE(WriteFileAtomic(path, binary).ok());
  EXPECT_EQ(ReadFile(path).value(), binary);
  ASSERT_TRUE(WriteFileAtomic(path, "x").ok());
  EXPECT_EQ(ReadFile(path).value(), "x");
  ASSERT_TRUE(WriteFileAtomic(path, "").ok());
  EXPECT_EQ(ReadFile(path).value(), "");
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"out.bin"});
}

TEST(WriteFileAtomicTest, ModeIsExactDespiteTheUmask) {
  const std::string dir = TestDir();
  const std::string path = dir + "/tool";
  const mode_t old_umask = ::umask(0077);
  const absl::Status s = WriteFileAtomic(path, "#!/bin/sh\n", 0755);
  ::umask(old_umask);
  ASSERT_TRUE(s.ok()) << s;
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
  EXPECT_EQ(ReadFile(path).value(), "#!/bin/sh\n");
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"tool"});
}

TEST(WriteFileAtomicTest, LargeContentRoundTrips) {
  const std::string dir = TestDir();
  std::string big(300000, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>(i * 7);
  ASSERT_TRUE(WriteFileAtomic(dir + "/big", big).ok());
  EXPECT_EQ(ReadFile(dir + "/big").value(), big);
}

TEST(WriteFileAtomicTest, MissingDirectoryFailsNamingPath) {
  const std::string dir = TestDir();
  const std::string path = dir + "/no/such/dir/out.bin";
  const absl::Status s = WriteFileAtomic(path, "data");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(s.message(), path)) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "No such file or directory")) << s;
  EXPECT_FALSE(PathExists(path));
  EXPECT_TRUE(ListDir(dir).empty());
}

TEST(WriteFileAtomicTest, FailedRenameRemovesTempFile) {
  const std::string dir = TestDir();
  // A non-empty directory at the target makes the final rename fail after
  // the temp file has been fully written.
  const std::string path = dir + "/target";
  ASSERT_TRUE(MakeDirs(path + "/child").ok());
  const absl::Status s = WriteFileAtomic(path, "data");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StartsWith(s.message(), path)) << s;
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"target"});
}

TEST(WriteFileAtomicTest, RejectsDirectoryPath) {
  EXPECT_EQ(WriteFileAtomic(TestDir() + "/", "x").code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ReadFileTest, MissingFileIsNotFound) {
  const std::string path = TestDir() + "/missing";
  const absl::StatusOr<std::string> r = ReadFile(path);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(r.status().message(), path)) << r.status();
}

TEST(MakeDirsTest, CreatesNestedAndIsIdempotent) {
  const std::string dir = TestDir();
  const std::string deep = dir + "/a/b//c/";
  ASSERT_TRUE(MakeDirs(deep).ok());
  struct stat st;
  ASSERT_EQ(stat((dir + "/a/b/c").c_str(), &st), 0);
  EXPECT_TRUE(S_ISDIR(st.st_mode));
  EXPECT_TRUE(MakeDirs(deep).ok());
}

TEST(MakeDirsTest, FileInTheWayFails) {
  const std::string dir = TestDir();
  ASSERT_TRUE(WriteFileAtomic(dir + "/file", "x").ok());
  const absl::Status s = MakeDirs(dir + "/file/sub");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), dir + "/file")) << s;
  EXPECT_FALSE(MakeDirs("").ok());
}

TEST(RemoveTreeTest, RemovesTreeWithoutFollowingSymlinks) {
  const std::string dir = TestDir();
  ASSERT_TRUE(MakeDirs(dir + "/keep").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/keep/precious", "p").ok());
  ASSERT_TRUE(MakeDirs(dir + "/tree/a/b").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/tree/a/b/f", "f").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/tree/g", "g").ok());
  ASSERT_EQ(symlink((dir + "/keep").c_str(), (dir + "/tree/link").c_str()), 0);
  ASSERT_TRUE(RemoveTree(dir + "/tree").ok());
  EXPECT_FALSE(PathExists(dir + "/tree"));
  EXPECT_EQ(ReadFile(dir + "/keep/precious").value(), "p");
  EXPECT_TRUE(RemoveTree(dir + "/tree").ok());  // already gone: still OK
  ASSERT_TRUE(WriteFileAtomic(dir + "/plain", "x").ok());
  ASSERT_TRUE(RemoveTree(dir + "/plain").ok());
  EXPECT_FALSE(PathExists(dir + "/plain"));
}

TEST(RenameDirAtomicTest, PublishesToNewName) {
  const std::string dir = TestDir();
  ASSERT_TRUE(MakeDirs(dir + "/tmp.run").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/tmp.run/w.npy", "new").ok());
  ASSERT_TRUE(RenameDirAtomic(dir + "/tmp.run", dir + "/run").ok());
  EXPECT_FALSE(PathExists(dir + "/tmp.run"));
  EXPECT_EQ(ReadFile(dir + "/run/w.npy").value(), "new");
}

TEST(RenameDirAtomicTest, ReplacesExistingAndDeletesOldContent) {
  const std::string dir = TestDir();
  ASSERT_TRUE(MakeDirs(dir + "/run/old_sub").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/run/stale", "old").ok());
  ASSERT_TRUE(MakeDirs(dir + "/tmp.run").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/tmp.run/w.npy", "new").ok());
  ASSERT_TRUE(RenameDirAtomic(dir + "/tmp.run", dir + "/run").ok());
  EXPECT_EQ(ListDir(dir), std::vector<std::string>{"run"});
  EXPECT_EQ(ListDir(dir + "/run"), std::vector<std::string>{"w.npy"});
}

TEST(RenameDirAtomicTest, MissingSourceLeavesTargetUntouched) {
  const std::string dir = TestDir();
  ASSERT_TRUE(MakeDirs(dir + "/run").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/run/keep", "k").ok());
  const absl::Status s = RenameDirAtomic(dir + "/nope", dir + "/run");
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(absl::StartsWith(s.message(), dir + "/nope")) << s;
  EXPECT_EQ(ReadFile(dir + "/run/keep").value(), "k");
}

TEST(RenameDirNoReplaceTest, RefusesAnExistingTargetEvenAnEmptyOne) {
  const std::string dir = TestDir();
  ASSERT_TRUE(MakeDirs(dir + "/tmp.run").ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/tmp.run/w.npy", "new").ok());
  ASSERT_TRUE(MakeDirs(dir + "/run").ok());  // empty: rename(2) would replace it
  const absl::Status s = RenameDirNoReplace(dir + "/tmp.run", dir + "/run");
  EXPECT_EQ(s.code(), absl::StatusCode::kAlreadyExists) << s;
  EXPECT_TRUE(absl::StartsWith(s.message(), dir + "/run")) << s;
  EXPECT_EQ(ReadFile(dir + "/tmp.run/w.npy").value(), "new");
  ASSERT_TRUE(RemoveTree(dir + "/run").ok());
  ASSERT_TRUE(RenameDirNoReplace(dir + "/tmp.run", dir + "/run").ok());
  EXPECT_EQ(ReadFile(dir + "/run/w.npy").value(), "new");
}

TEST(PathExistsTest, SeesFilesDirsAndDanglingSymlinks) {
  const std::string dir = TestDir();
  EXPECT_TRUE(PathExists(dir));
  EXPECT_FALSE(PathExists(dir + "/x"));
  ASSERT_EQ(symlink((dir + "/nowhere").c_str(), (dir + "/dangling").c_str()),
            0);
  EXPECT_TRUE(PathExists(dir + "/dangling"));
}

}  // namespace
}  // namespace initrepro
