#include "src/io/subprocess.h"

#include <unistd.h>

#include <cstdlib>
#include <string>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

std::string TempDir() {
  const char* t = std::getenv("TEST_TMPDIR");
  return t != nullptr ? t : "/tmp";
}

TEST(RunProcess, ArgumentsReachTheProgramUnchanged) {
  // Bytes a shell would interpret: none of them is.
  const std::string hostile = "x';touch /tmp/initrepro-PWNED;' $HOME `id` \"q\"";
  absl::StatusOr<ProcessResult> r = RunProcess({"printf", "%s", hostile});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 0);
  EXPECT_EQ(r->stdout_text, hostile);
  EXPECT_FALSE(PathExists("/tmp/initrepro-PWNED"));
}

TEST(RunProcess, ChildEntersTheWorkingDirectory) {
  const std::string dir = absl::StrCat(TempDir(), "/a dir with ' and $x");
  ASSERT_TRUE(MakeDirs(dir).ok());
  ProcessOptions o;
  o.cwd = dir;
  absl::StatusOr<ProcessResult> r = RunProcess({"pwd", "-P"}, o);
  ASSERT_TRUE(r.ok()) << r.status();
  char real[4096];
  ASSERT_NE(::realpath(dir.c_str(), real), nullptr);
  EXPECT_EQ(r->stdout_text, absl::StrCat(real, "\n"));
  // The caller's directory is untouched.
  char here[4096];
  ASSERT_NE(::getcwd(here, sizeof here), nullptr);
  EXPECT_NE(std::string(here), std::string(real));
}

TEST(RunProcess, MissingWorkingDirectoryIsNamed) {
  ProcessOptions o;
  o.cwd = absl::StrCat(TempDir(), "/no/such/dir");
  absl::StatusOr<ProcessResult> r = RunProcess({"true"}, o);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::StrContains(r.status().message(), o.cwd)) << r.status();
}

TEST(RunProcess, ExitCodeAndStderrAreReturned) {
  absl::StatusOr<ProcessResult> r =
      RunProcess({"sh", "-c", "echo out; echo err >&2; exit 7"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->exit_code, 7);
  EXPECT_EQ(r->stdout_text, "out\n");
  EXPECT_EQ(r->stderr_text, "err\n");
}

TEST(RunProcess, SignalIsReported) {
  absl::StatusOr<ProcessResult> r = RunProcess({"sh", "-c", "kill -9 $$"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->signal, 9);
  absl::StatusOr<std::string> ok = RunProcessOk({"sh", "-c", "kill -9 $$"});
  EXPECT_TRUE(absl::StrContains(ok.status().message(), "signal 9"))
      << ok.status();
}

TEST(RunProcess, MissingProgramIsNotFound) {
  absl::StatusOr<ProcessResult> r = RunProcess({"initrepro-no-such-program"});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(absl::IsNotFound(r.status())) << r.status();
  EXPECT_TRUE(absl::StrContains(r.status().message(), "initrepro-no-such-program"));
}

TEST(RunProcessOk, NonZeroExitNamesCommandAndStderr) {
  absl::StatusOr<std::string> out =
      RunProcessOk({"sh", "-c", "echo oops >&2; exit 3"});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::StrContains(out.status().message(), "status 3"));
  EXPECT_TRUE(absl::StrContains(out.status().message(), "oops"));
}

TEST(FindOnPath, FindsExecutablesOnly) {
  EXPECT_FALSE(FindOnPath("sh").empty());
  EXPECT_EQ(FindOnPath("initrepro-no-such-program"), "");
  EXPECT_EQ(FindOnPath("/etc/passwd"), "");  // not executable
}

}  // namespace
}  // namespace initrepro
