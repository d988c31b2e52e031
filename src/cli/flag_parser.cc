#include "src/cli/flag_parser.h"

#include <map>
#include <set>

#include "absl/flags/commandlineflag.h"
#include "absl/flags/reflection.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"

namespace initrepro {
namespace {

// Names of the flags the last ParseFlags call saw (main thread only).
std::set<std::string>& GivenFlags() {
  static auto* given = new std::set<std::string>();
  return *given;
}

std::map<std::string, std::vector<std::string>>& Repeated() {
  static auto* values = new std::map<std::string, std::vector<std::string>>();
  return *values;
}

}  // namespace

bool IsRepeatedFlag(absl::string_view name) { return name == "set"; }

const std::vector<std::string>& RepeatedFlagValues(absl::string_view name) {
  return Repeated()[std::string(name)];
}

bool FlagWasGiven(absl::string_view name) {
  return GivenFlags().count(std::string(name)) > 0;
}

absl::StatusOr<std::vector<std::string>> ParseFlags(int argc, char** argv,
                                                    const FlagFilter& accept) {
  GivenFlags().clear();
  Repeated().clear();
  std::vector<std::string> positional;
  bool only_positional = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_positional || !absl::StartsWith(arg, "-") || arg == "-") {
      positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    std::string body = arg.substr(absl::StartsWith(arg, "--") ? 2 : 1);
    std::string name = body, value;
    bool has_value = false;
    if (size_t eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    absl::CommandLineFlag* flag = absl::FindCommandLineFlag(name);
    if (flag == nullptr && !has_value && absl::StartsWith(name, "no")) {
      absl::CommandLineFlag* negated = absl::FindCommandLineFlag(name.substr(2));
      if (negated != nullptr && negated->IsOfType<bool>()) {
        flag = negated;
        value = "false";
        has_value = true;
      }
    }
    if (accept != nullptr) {
      // Ask with the flag's own name (--nofoo is --foo).
      absl::Status ok =
          accept(flag != nullptr ? std::string(flag->Name()) : name);
      if (!ok.ok()) return ok;
    }
    if (flag == nullptr) {
      return absl::InvalidArgumentError(
          absl::StrCat("unknown flag '", arg, "'; see `repro help`"));
    }
    if (IsRepeatedFlag(flag->Name())) {
      // --set FIELD=VALUE or --set=FIELD=VALUE, as often as needed; every
      // occurrence is kept in order (a later one of the same field wins).
      if (!has_value) {
        if (i + 1 >= argc)
          return absl::InvalidArgumentError(absl::StrCat(
              "--", name, ": expected a value, e.g. --", name,
              " FIELD=VALUE[,VALUE...]"));
        value = argv[++i];
      }
      Repeated()[std::string(flag->Name())].push_back(value);
      GivenFlags().insert(std::string(flag->Name()));
      continue;
    }
    if (!has_value) {
      if (!flag->IsOfType<bool>()) {
        return absl::InvalidArgumentError(absl::StrCat(
            "--", name, ": expected --", name, "=VALUE (default ",
            flag->DefaultValue(), ")"));
      }
      value = "true";
    }
    std::string error;
    if (!flag->ParseFrom(value, &error)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--", name, "=", value, ": ", error, " (default ",
          flag->DefaultValue(), ")"));
    }
    GivenFlags().insert(std::string(flag->Name()));
  }
  return positional;
}

}  // namespace initrepro
