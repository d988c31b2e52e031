// The command table against the flag registry: every listed flag exists,
// every flag the CLI defines belongs to some command, and a flag of one
// command is refused by every command that does not take it, naming it and
// its owners.
#include "src/cli/commands.h"

#include <algorithm>
#include <set>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "src/cli/flag_parser.h"

namespace initrepro {
namespace {

TEST(CommandsTest, EveryListedFlagIsRegisteredAndHasHelp) {
  for (const CommandSpec& c : Commands()) {
    std::set<std::string> seen;
    for (const std::string& f : c.flags) {
      EXPECT_TRUE(seen.insert(f).second) << c.name << " lists --" << f << " twice";
      const absl::CommandLineFlag* flag = absl::FindCommandLineFlag(f);
      ASSERT_NE(flag, nullptr) << c.name << ": --" << f << " is not defined";
      EXPECT_NE(CommandHelp(c).find("--" + f), std::string::npos);
    }
  }
}

TEST(CommandsTest, EveryCliFlagBelongsToACommand) {
  std::set<std::string> listed;
  for (const CommandSpec& c : Commands())
    listed.insert(c.flags.begin(), c.flags.end());
  int cli_flags = 0;
  for (const auto& [name, flag] : absl::GetAllFlags()) {
    if (!absl::StrContains(flag->Filename(), "src/cli/")) continue;
    ++cli_flags;
    EXPECT_TRUE(listed.count(std::string(name)))
        << "--" << name << " (" << flag->Filename() << ") has no command";
  }
  EXPECT_EQ(cli_flags, static_cast<int>(listed.size()));
}

TEST(CommandsTest, ForeignFlagsAreRefusedNamingTheirOwners) {
  std::set<std::string> all;
  for (const CommandSpec& c : Commands()) all.insert(c.flags.begin(), c.flags.end());
  int refused = 0;
  for (const CommandSpec& c : Commands()) {
    for (const std::string& f : all) {
      const absl::Status s = CheckFlagOf(c, f);
      const bool takes =
          std::find(c.flags.begin(), c.flags.end(), f) != c.flags.end();
      EXPECT_EQ(s.ok(), takes) << c.name << " --" << f;
      if (takes) continue;
      ++refused;
      EXPECT_TRUE(absl::IsInvalidArgument(s));
      EXPECT_TRUE(absl::StrContains(s.message(), "--" + f)) << s;
      EXPECT_TRUE(absl::StrContains(s.message(), "not a flag of `" + c.name))
          << s;
    }
  }
  EXPECT_GT(refused, 100);
  const absl::Status s = CheckFlagOf(*FindCommand("run"), "steps");
  EXPECT_EQ(s.message(),
            "--steps is not a flag of `run`; it is a flag of `train` (see "
            "`repro run --help`)");
  EXPECT_TRUE(absl::StrContains(CheckFlagOf(*FindCommand("list"), "stepz").message(),
                                "unknown flag"));
}

TEST(CommandsTest, ParserAsksTheFilterBeforeParsingTheValue) {
  const CommandSpec& run = *FindCommand("run");
  const char* argv[] = {"repro", "run", "MA-survival", "--steps=notanumber"};
  absl::StatusOr<std::vector<std::string>> args =
      ParseFlags(4, const_cast<char**>(argv), [&](const std::string& f) {
        return CheckFlagOf(run, f);
      });
  ASSERT_FALSE(args.ok());
  EXPECT_TRUE(absl::StrContains(args.status().message(), "not a flag of `run`"))
      << args.status();
  // --noquiet is --quiet.
  const char* argv2[] = {"repro", "run", "--noquiet"};
  EXPECT_TRUE(ParseFlags(3, const_cast<char**>(argv2), [&](const std::string& f) {
                return CheckFlagOf(run, f);
              }).ok());
}

}  // namespace
}  // namespace initrepro
