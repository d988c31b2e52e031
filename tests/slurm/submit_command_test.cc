// Unit tests of the pieces of `repro submit` that need no cluster: flag
// checks, the --array syntax, shell quoting and the subprocess runner.
#include "src/cli/submit_command.h"

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace initrepro {
namespace {

TEST(ValidateSlurmTime, AcceptsSlurmFormats) {
  for (const char* t : {"00:00:01", "02:00:00", "100:00:00", "1-00:00:00",
                        "1-12:30:59", "0-01:00:00"})
    EXPECT_TRUE(ValidateSlurmTime(t).ok()) << t;
}

TEST(ValidateSlurmTime, RejectsOthersNamingTheFlag) {
  for (const char* t :
       {"", "1:00", "1:00:00", "02:60:00", "02:00:60", "1-24:00:00", "00:00:00",
        "0-00:00:00", "x-01:00:00", "01:00:00:00", "-01:00:00", "01:00:0a"}) {
    const absl::Status s = ValidateSlurmTime(t);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << t;
    EXPECT_TRUE(absl::StrContains(s.message(), "--time=")) << s.message();
    EXPECT_TRUE(absl::StrContains(s.message(), "HH:MM:SS")) << s.message();
  }
}

TEST(ArraySpec, CompressesRuns) {
  EXPECT_EQ(ArraySpec({}), "");
  EXPECT_EQ(ArraySpec({2}), "2");
  EXPECT_EQ(ArraySpec({0, 1, 2, 3}), "0-3");
  EXPECT_EQ(ArraySpec({0, 2, 3, 4, 7, 9, 10}), "0,2-4,7,9-10");
}

TEST(ShellQuote, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(ShellQuote("/a/b-c_d.e"), "/a/b-c_d.e");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
}

TEST(RunCommand, ReturnsStdout) {
  absl::StatusOr<std::string> out = RunCommand({"echo", "a b", "c"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "a b c\n");
}

TEST(RunCommand, FailureNamesCommandAndStderr) {
  absl::StatusOr<std::string> out =
      RunCommand({"sh", "-c", "echo oops >&2; exit 3"});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::StrContains(out.status().message(), "sh -c"))
      << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "status 3"))
      << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "oops"))
      << out.status();
}

TEST(RunCommand, MissingProgramIsNamed) {
  absl::StatusOr<std::string> out =
      RunCommand({"initrepro-no-such-program", "x"});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(
      absl::StrContains(out.status().message(), "initrepro-no-such-program"))
      << out.status();
}

TEST(RunCommand, DrainsLargeOutputOnBothStreams) {
  // More than a pipe buffer on each stream: a runner that read them one
  // after the other would deadlock here.
  absl::StatusOr<std::string> out = RunCommand(
      {"sh", "-c", "head -c 200000 /dev/zero >&2; head -c 200000 /dev/zero"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), 200000u);
}

}  // namespace
}  // namespace initrepro
