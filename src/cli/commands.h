// The `repro` commands and the flags each one takes.
//
// Every flag is an Abseil flag defined beside the command that reads it
// (train_command.cc, harness_commands.cc, submit_command.cc); this table
// says which command accepts which, so a flag is never accepted by a
// command that would ignore it. Example:
//   repro run MA-survival --steps=5
//   repro run: --steps is not a flag of `run`; it is a flag of `train` ...
// exits 2. `repro COMMAND --help` lists the command's flags (help text and
// default from the flag registry).
#ifndef INITREPRO_SRC_CLI_COMMANDS_H_
#define INITREPRO_SRC_CLI_COMMANDS_H_

#include <string>
#include <vector>

#include "absl/status/status.h"

namespace initrepro {

struct CommandSpec {
  std::string name;
  std::string args;     // positional arguments, e.g. "EXP..."
  std::string summary;  // one line
  std::vector<std::string> flags;
};

// Every command, in `repro help` order.
const std::vector<CommandSpec>& Commands();

// nullptr for an unknown command.
const CommandSpec* FindCommand(const std::string& name);

// OK when `command` takes --flag; otherwise InvalidArgument naming the flag
// and the commands that take it (or "unknown flag" if none does).
absl::Status CheckFlagOf(const CommandSpec& command, const std::string& flag);

// `repro COMMAND --help`: usage line, summary, every flag with its help text
// and default.
std::string CommandHelp(const CommandSpec& command);

// `repro help`: every command with its summary.
std::string Usage();

}  // namespace initrepro

#endif  // INITREPRO_SRC_CLI_COMMANDS_H_
