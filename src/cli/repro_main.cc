// repro: the initrepro command line. `repro help` lists the commands.
#include <cstdio>
#include <string>
#include <vector>

#include "src/cli/flag_parser.h"
#include "src/cli/geometry_command.h"
#include "src/cli/harness_commands.h"
#include "src/cli/submit_command.h"
#include "src/cli/train_command.h"

namespace {

constexpr char kUsage[] =
    "usage: repro COMMAND [--flags]\n"
    "  train        one training run (see README: flags and output layout)\n"
    "  geometry DIR cluster geometry + completeness of a remainder run dir\n"
    "  list         experiments, tiers, run counts, estimated core-hours\n"
    "  run EXP...   run experiments (--tier, --jobs, --out); resumes\n"
    "  check EXP... run and compare with golden/EXP.TIER.json (exit 1 on diff)\n"
    "  bless EXP... run and rewrite the goldens, printing what changed\n"
    "  reproduce    check every experiment, print verdicts, write the report\n"
    "  report       report from the results already under --out\n"
    "  plan EXP --shards=N | run-shard EXP --shard=i | merge EXP | status EXP\n"
    "               the shard contract a distributed engine drives\n"
    "  submit EXP... plan + shards + merge: --engine=slurm|local --shards=N\n"
    "  help         this text\n";

}  // namespace

int main(int argc, char** argv) {
  absl::StatusOr<std::vector<std::string>> args =
      initrepro::ParseFlags(argc, argv);
  if (!args.ok()) {
    std::fprintf(stderr, "repro: %s\n",
                 std::string(args.status().message()).c_str());
    return 2;
  }
  if (args->empty() || (*args)[0] == "help") {
    std::fputs(kUsage, args->empty() ? stderr : stdout);
    return args->empty() ? 2 : 0;
  }
  const std::string command = (*args)[0];
  std::vector<std::string> rest(args->begin() + 1, args->end());
  if (command == "train") return initrepro::RunTrainCommand(rest);
  if (command == "geometry") return initrepro::RunGeometryCommand(rest);
  if (command == "submit") return initrepro::RunSubmitCommand(rest);
  if (initrepro::IsHarnessCommand(command))
    return initrepro::RunHarnessCommand(command, rest);
  std::fprintf(stderr, "repro: unknown command '%s'\n%s", command.c_str(),
               kUsage);
  return 2;
}
