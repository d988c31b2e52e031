#include "src/harness/figures.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

std::string TempDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(t != nullptr ? t : "/tmp", "/", name);
  EXPECT_TRUE(RemoveTree(dir).ok());
  EXPECT_TRUE(MakeDirs(dir).ok());
  return dir;
}

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);
const std::string kPngEnd("\0\0\0\0IEND\xae\x42\x60\x82", 12);

TEST(CheckImageFile, AcceptsCompleteFiles) {
  const std::string dir = TempDir("check_ok");
  ASSERT_TRUE(WriteFileAtomic(dir + "/a.png",
                              kPngSignature + "IHDR-and-more" + kPngEnd).ok());
  ASSERT_TRUE(WriteFileAtomic(dir + "/a.svg", "<svg>\n</svg>\n\n").ok());
  EXPECT_TRUE(CheckImageFile(dir + "/a.png", ImageKind::kPng).ok());
  EXPECT_TRUE(CheckImageFile(dir + "/a.svg", ImageKind::kSvg).ok());
}

TEST(CheckImageFile, RefusesMissingEmptyAndTruncatedNamingTheFile) {
  const std::string dir = TempDir("check_bad");
  struct Case {
    std::string name, bytes;
    ImageKind kind;
    const char* needle;
  };
  const Case cases[] = {
      {"empty.png", "", ImageKind::kPng, "empty"},
      {"empty.svg", "", ImageKind::kSvg, "empty"},
      {"sig.png", "GIF89a" + kPngEnd, ImageKind::kPng, "signature"},
      {"cut.png", kPngSignature + "IHDR....", ImageKind::kPng, "truncated"},
      {"cut.svg", "<svg>\n<path d='M 0 0", ImageKind::kSvg, "</svg>"},
  };
  for (const Case& c : cases) {
    const std::string path = dir + "/" + c.name;
    ASSERT_TRUE(WriteFileAtomic(path, c.bytes).ok());
    const absl::Status s = CheckImageFile(path, c.kind);
    EXPECT_FALSE(s.ok()) << c.name;
    EXPECT_TRUE(absl::StrContains(s.message(), path)) << s;
    EXPECT_TRUE(absl::StrContains(s.message(), c.needle)) << s;
  }
  const absl::Status missing = CheckImageFile(dir + "/none.png", ImageKind::kPng);
  EXPECT_TRUE(absl::IsNotFound(missing)) << missing;
  EXPECT_TRUE(absl::StrContains(missing.message(), dir + "/none.png"));
}

nlohmann::json OneFigure() {
  return {{"experiment", "T"},
          {"figures",
           {{{"name", "f"},
             {"title", "t"},
             {"xlabel", "x"},
             {"ylabel", "y"},
             {"series",
              {{{"label", "a"},
                {"style", "points"},
                {"x", {1.0, 2.0, 3.0}},
                {"y", {1.0, 4.0, 9.0}}}}}}}}};
}

// Puts a fake `gnuplot` first on PATH for the scope of the object.
class FakeGnuplot {
 public:
  FakeGnuplot(const std::string& dir, const std::string& body) {
    EXPECT_TRUE(WriteFileAtomic(dir + "/gnuplot", "#!/bin/sh\n" + body).ok());
    ::chmod((dir + "/gnuplot").c_str(), 0755);
    const char* path = std::getenv("PATH");
    old_ = path != nullptr ? path : "";
    ::setenv("PATH", absl::StrCat(dir, ":", old_).c_str(), 1);
  }
  ~FakeGnuplot() { ::setenv("PATH", old_.c_str(), 1); }

 private:
  std::string old_;
};

TEST(RenderFigures, EmptyOutputOfAToolThatExitsZeroIsAnErrorNamingTheFile) {
  // What gnuplot does on a full disk: exit 0, leave 0-byte pictures. The
  // fake writes every `set output` target of the script empty.
  const std::string bin = TempDir("fake_bin_empty");
  FakeGnuplot fake(bin,
                   "for f in $(sed -n 's/^set output \"\\(.*\\)\"$/\\1/p' \"$1\"); "
                   "do : > \"$f\"; done\nexit 0\n");
  const std::string dir = TempDir("it's a $dir") + "/figures";
  absl::StatusOr<std::vector<std::string>> stems =
      RenderFigures(OneFigure(), dir);
  ASSERT_FALSE(stems.ok());
  EXPECT_TRUE(absl::StrContains(stems.status().message(), dir + "/T_f.svg"))
      << stems.status();
  EXPECT_TRUE(absl::StrContains(stems.status().message(), "empty"))
      << stems.status();
  // Nothing half-made under the final names, and no temp left behind.
  EXPECT_FALSE(PathExists(dir + "/T_f.svg"));
  EXPECT_FALSE(PathExists(dir + "/T_f.png"));
  EXPECT_TRUE(PathExists(dir + "/T_f.gp"));
  for (const char* tmp : {"/.T_f.svg.tmp.", "/.T_f.png.tmp.", "/.T_f.gp.tmp."})
    EXPECT_FALSE(PathExists(absl::StrCat(dir, tmp, ::getpid()))) << tmp;
}

TEST(RenderFigures, FailingToolNamesScriptAndLog) {
  const std::string bin = TempDir("fake_bin_fail");
  FakeGnuplot fake(bin, "echo 'line 1: undefined variable' >&2\nexit 1\n");
  const std::string dir = TempDir("fail") + "/figures";
  absl::StatusOr<std::vector<std::string>> stems =
      RenderFigures(OneFigure(), dir);
  ASSERT_FALSE(stems.ok());
  EXPECT_TRUE(absl::StrContains(stems.status().message(), dir + "/T_f.gp"));
  EXPECT_TRUE(absl::StrContains(stems.status().message(), "undefined variable"));
  // The log it points to exists.
  absl::StatusOr<std::string> log = ReadFile(dir + "/T_f.gnuplot.log");
  ASSERT_TRUE(log.ok()) << log.status();
  EXPECT_TRUE(absl::StrContains(*log, "undefined variable"));
}

TEST(RenderFigures, RealGnuplotInAnyDirectory) {
  const std::string dir = TempDir("x';touch PWNED;' $HOME") + "/figures";
  absl::StatusOr<std::vector<std::string>> stems =
      RenderFigures(OneFigure(), dir);
  ASSERT_TRUE(stems.ok()) << stems.status();
  EXPECT_TRUE(CheckImageFile(dir + "/T_f.png", ImageKind::kPng).ok());
  EXPECT_TRUE(CheckImageFile(dir + "/T_f.svg", ImageKind::kSvg).ok());
  EXPECT_FALSE(PathExists(dir + "/../PWNED"));
  EXPECT_FALSE(PathExists("PWNED"));
}

// Real gnuplot into a really full filesystem: a small tmpfs, filled so that
// our own .csv and .gp fit but the pictures do not. Needs mount(2) (root,
// or a user namespace); skipped, saying so, where the sandbox forbids it.
TEST(RenderFigures, RealGnuplotIntoAFullFilesystem) {
  const std::string mnt = TempDir("tmpfs");
  if (::mount("tmpfs", mnt.c_str(), "tmpfs", 0, "size=1m") != 0)
    GTEST_SKIP() << "cannot mount a tmpfs here (" << std::strerror(errno)
                 << "); the fake-gnuplot test above stands in";
  struct Unmount {
    std::string m;
    ~Unmount() { ::umount2(m.c_str(), MNT_DETACH); }
  } unmount{mnt};
  // Our own files first, to learn their size; then fill the disk to leave
  // room for about that much again (the rewrite's temps), not the pictures.
  const std::string dir = mnt + "/figures";
  ASSERT_TRUE(RenderFigures(OneFigure(), dir).ok());
  ASSERT_TRUE(RemoveTree(dir + "/T_f.svg").ok());
  ASSERT_TRUE(RemoveTree(dir + "/T_f.png").ok());
  struct statvfs vfs;
  ASSERT_EQ(::statvfs(mnt.c_str(), &vfs), 0);
  const int64_t free_bytes = static_cast<int64_t>(vfs.f_bavail) * vfs.f_frsize;
  const int64_t keep = 4 * 4096;  // temps of .csv, .gp, log, render script
  if (free_bytes > keep) {
    ASSERT_TRUE(WriteFileAtomic(mnt + "/filler",
                                std::string(free_bytes - keep - 4096, 'x'))
                    .ok());
  }
  absl::StatusOr<std::vector<std::string>> stems =
      RenderFigures(OneFigure(), dir);
  ASSERT_FALSE(stems.ok());
  std::printf("full filesystem: %s\n", std::string(stems.status().message()).c_str());
  EXPECT_TRUE(absl::StrContains(stems.status().message(), dir + "/T_f."))
      << stems.status();
  EXPECT_FALSE(PathExists(dir + "/T_f.svg") && PathExists(dir + "/T_f.png"));
}

}  // namespace
}  // namespace initrepro
