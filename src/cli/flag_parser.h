// ParseFlags: strict command-line parsing on top of Abseil's flag registry.
//
// absl::ParseCommandLine exits with status 1 on a bad value; the project's
// contract is exit code 2 with a message naming the flag and the expected
// value, so we walk argv ourselves and hand each value to the registered
// flag's own parser (absl::CommandLineFlag::ParseFrom).
#ifndef INITREPRO_SRC_CLI_FLAG_PARSER_H_
#define INITREPRO_SRC_CLI_FLAG_PARSER_H_

#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace initrepro {

// Accepts --name=value, --name (booleans), --noname (booleans), and "--"
// (everything after is positional). Returns the positional arguments
// (argv[0] excluded). `accept`, when given, is asked about every flag name
// before its value is parsed; its error is returned as is (per-command
// flags: src/cli/commands.h).
using FlagFilter = std::function<absl::Status(const std::string& name)>;
absl::StatusOr<std::vector<std::string>> ParseFlags(
    int argc, char** argv, const FlagFilter& accept = nullptr);

// True when the last ParseFlags call saw --name (in any accepted spelling,
// including --noname), whatever the value: a default given explicitly
// counts. Lets a command refuse flags that cannot affect what it does.
bool FlagWasGiven(absl::string_view name);

// Repeatable flags (today only --set): each occurrence is kept, in order,
// and the value may follow as the next argument (`--set dims=2,4`).
bool IsRepeatedFlag(absl::string_view name);
const std::vector<std::string>& RepeatedFlagValues(absl::string_view name);

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_FLAG_PARSER_H_
