// repro: the initrepro command line. `repro help` lists the commands,
// `repro COMMAND --help` the flags of one; each command accepts exactly its
// own flags (src/cli/commands.h).
#include <cstdio>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "src/cli/commands.h"
#include "src/cli/flag_parser.h"
#include "src/cli/geometry_command.h"
#include "src/cli/harness_commands.h"
#include "src/cli/power_command.h"
#include "src/cli/submit_command.h"
#include "src/cli/train_command.h"

namespace {

bool IsHelpFlag(const std::string& arg) {
  return arg == "--help" || arg == "-help" || arg == "-h";
}

}  // namespace

int main(int argc, char** argv) {
  // The command is the first argument that is not a flag (flags take their
  // value after '=', never as the next argument, except the repeatable
  // --set, whose value may follow it).
  std::string command;
  bool help = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--") break;
    if (IsHelpFlag(arg)) {
      help = true;
    } else if (arg == "--set") {
      ++i;  // its value is the next argument, never the command
    } else if (command.empty() && !absl::StartsWith(arg, "-")) {
      command = arg;
    }
  }
  if (command.empty()) {
    std::fputs(initrepro::Usage().c_str(), help ? stdout : stderr);
    return help ? 0 : 2;
  }
  const initrepro::CommandSpec* spec = initrepro::FindCommand(command);
  if (spec == nullptr) {
    std::fprintf(stderr, "repro: unknown command '%s'\n%s", command.c_str(),
                 initrepro::Usage().c_str());
    return 2;
  }
  if (help) {
    std::fputs(initrepro::CommandHelp(*spec).c_str(), stdout);
    return 0;
  }
  absl::StatusOr<std::vector<std::string>> args = initrepro::ParseFlags(
      argc, argv, [spec](const std::string& flag) {
        return initrepro::CheckFlagOf(*spec, flag);
      });
  if (!args.ok()) {
    std::fprintf(stderr, "repro %s: %s\n", command.c_str(),
                 std::string(args.status().message()).c_str());
    return 2;
  }
  if (command == "help") {
    std::fputs(initrepro::Usage().c_str(), stdout);
    return 0;
  }
  std::vector<std::string> rest(args->begin() + 1, args->end());
  if (command == "train") return initrepro::RunTrainCommand(rest);
  if (command == "geometry") return initrepro::RunGeometryCommand(rest);
  if (command == "submit") return initrepro::RunSubmitCommand(rest);
  if (command == "power") return initrepro::RunPowerCommand(rest);
  return initrepro::RunHarnessCommand(command, rest);
}
