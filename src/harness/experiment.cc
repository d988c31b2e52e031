#include "src/harness/experiment.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/io/sha256.h"

namespace initrepro {
namespace {

std::vector<ExperimentFactory>& Factories() {
  static auto* factories = new std::vector<ExperimentFactory>();
  return *factories;
}

}  // namespace

absl::StatusOr<Tier> ParseTier(const std::string& name) {
  if (name == "smoke") return Tier::kSmoke;
  if (name == "ci") return Tier::kCi;
  if (name == "nightly") return Tier::kNightly;
  if (name == "paper") return Tier::kPaper;
  return absl::InvalidArgumentError(
      absl::StrCat("--tier=", name, ": expected smoke, ci, nightly or paper"));
}

std::string TierName(Tier tier) {
  switch (tier) {
    case Tier::kSmoke: return "smoke";
    case Tier::kCi: return "ci";
    case Tier::kNightly: return "nightly";
    case Tier::kPaper: return "paper";
  }
  return "unknown";
}

nlohmann::json SpecJson(const RunSpec& spec) {
  nlohmann::json j;
  j["config"] = ToJson(spec.config);
  j["params"] = spec.params;
  j["snapshot_steps"] = spec.snapshot_steps;
  // Only when asked for, so that the keys of every earlier spec stay put.
  if (!spec.signal_steps.empty()) j["signal_steps"] = spec.signal_steps;
  if (!spec.param_steps.empty()) j["param_steps"] = spec.param_steps;
  return j;
}

std::string RunKey(const RunSpec& spec) {
  // nlohmann::json objects are key-sorted, so dump() is canonical.
  return Sha256Hex(SpecJson(spec).dump()).substr(0, 32);
}

absl::StatusOr<InitialState> Experiment::InitialStateFor(
    const RunSpec&) const {
  return InitialState{};
}

absl::Status Experiment::SetOverrides(
    const std::vector<DesignOverride>& overrides) {
  if (overrides.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat(
      "--set ", overrides[0].field, "=...: ", Name(),
      " has no settable design fields"));
}

bool RegisterExperiment(ExperimentFactory factory) {
  Factories().push_back(factory);
  return true;
}

std::vector<std::string> ExperimentNames() {
  std::vector<std::string> names;
  for (ExperimentFactory f : Factories()) names.push_back(f()->Name());
  std::sort(names.begin(), names.end());
  return names;
}

absl::StatusOr<std::unique_ptr<Experiment>> MakeExperiment(
    const std::string& name) {
  for (ExperimentFactory f : Factories()) {
    std::unique_ptr<Experiment> e = f();
    if (e->Name() == name) return e;
  }
  return absl::NotFoundError(
      absl::StrCat("unknown experiment '", name, "'; known: ",
                   absl::StrJoin(ExperimentNames(), ", ")));
}

}  // namespace initrepro
