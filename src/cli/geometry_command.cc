#include "src/cli/geometry_command.h"

#include <algorithm>
#include <cstdio>
#include <optional>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/analysis/circles.h"
#include "src/analysis/circularity.h"
#include "src/analysis/clusters.h"
#include "src/analysis/fourier.h"
#include "src/experiments/common.h"
#include "src/harness/experiment.h"
#include "src/io/atomic_file.h"
#include "src/io/npy.h"
#include "src/core/status_macros.h"
#include "src/train/config.h"

namespace initrepro {
namespace {

constexpr double kLineThreshold = 0.9;  // PAPER.md: a line "forms"

int Fail(const std::string& message) {
  std::fprintf(stderr, "repro geometry: %s\n", message.c_str());
  return 2;
}

// The geometry of a remainder-equivalence run (the command's first form).
absl::StatusOr<nlohmann::json> RemainderGeometry(const std::string& dir,
                                                 const std::string& path,
                                                 const TrainConfig& config) {
  const int64_t n = config.task.n, m = config.task.m, d = config.dim;
  // The eigen-solver is O(m^3) and the Gram percentile samples 20000
  // relabellings of O(m^2) each: beyond this the command would not end.
  constexpr int64_t kMaxClusters = 200;
  if (m > kMaxClusters)
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'config/m': ", m, " clusters; geometry supports m <= ",
        kMaxClusters));
  // The shape comes from summary.json: a mismatch names both files.
  const auto read = [&](const std::string& name) -> absl::StatusOr<Matrix> {
    absl::StatusOr<Matrix> e = ReadNpyMatrixF64(dir + name, n, d);
    if (!e.ok())
      return absl::Status(e.status().code(),
                          absl::StrCat(e.status().message(), " (shape (n, dim) "
                                       "from ", path, ")"));
    return e;
  };
  ASSIGN_OR_RETURN(Matrix initial, read("/init/embedding.npy"));
  ASSIGN_OR_RETURN(Matrix final_e, read("/final/embedding.npy"));
  const Matrix init_means = ClusterMeans(initial, m);
  const Matrix final_means = ClusterMeans(final_e, m);
  const double line = LineScore(final_means);
  nlohmann::json out;
  out["run"] = dir;
  out["task"] = "remainder";
  out["variance_shares"] = PrincipalVarianceShares(final_means);
  out["line_score"] = line;
  out["forms_line"] = line >= kLineThreshold;
  if (m >= 3) {
    const PercentileResult gram =
        GramAlignmentPercentile(init_means, final_means, config.seed);
    out["gram_alignment"] = {{"percentile", gram.percentile},
                             {"chosen_is_best", gram.chosen_is_best},
                             {"candidates", gram.num_candidates},
                             {"sampled", gram.sampled}};
  } else {
    out["gram_alignment"] = {
        {"percentile", nullptr},
        {"undefined",
         absl::StrCat("m = ", m,
                      ": the Gram-alignment percentile needs m >= 3 clusters "
                      "(it correlates the m(m-1)/2 off-diagonal Gram entries; "
                      "m = 2 has one)")}};
  }
  if (m <= 10) {
    const std::vector<int64_t> ordering = ChosenOrdering(final_means);
    const PercentileResult r2 = OrderingPercentile(init_means, ordering);
    out["line_ordering"] = {{"ordering", ordering},
                            {"initial_r2", r2.chosen_score},
                            {"percentile", r2.percentile},
                            {"chosen_is_best", r2.chosen_is_best},
                            {"candidates", r2.num_candidates},
                            {"meaningful", line >= kLineThreshold}};
  } else {
    out["line_ordering"] = {
        {"percentile", nullptr},
        {"undefined", absl::StrCat("m = ", m,
                                   ": the ordering percentile enumerates all "
                                   "m!/2 orderings, done for m <= 10 only")}};
  }
  return out;
}

// The circles of a modular-addition run, and its validity by the v2 rules
// (src/experiments/common.h: the functions every MA experiment uses).
absl::StatusOr<nlohmann::json> ModaddGeometry(const std::string& dir,
                                              const std::string& path,
                                              const nlohmann::json& summary,
                                              const TrainConfig& config) {
  const int64_t p = config.task.p, d = config.dim;
  const auto read = [&](const std::string& name) -> absl::StatusOr<Matrix> {
    absl::StatusOr<Matrix> e = ReadNpyMatrixF64(dir + name, p, d);
    if (!e.ok())
      return absl::Status(e.status().code(),
                          absl::StrCat(e.status().message(), " (shape (p, dim) "
                                       "from ", path, ")"));
    return e;
  };
  // What the v2 rules read: the run record's final metrics and embeddings.
  const auto field_error = [&](const std::string& field,
                               const std::string& expected) {
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field '", field, "': expected ", expected, ", found ",
        summary.contains(field) ? summary[field].dump() : "nothing"));
  };
  if (!summary.contains("diverged") || !summary["diverged"].is_boolean())
    return field_error("diverged", "true or false");
  const nlohmann::json& fm = summary.value("final_metrics", nlohmann::json());
  if (!fm.is_object() || !fm.contains("step") ||
      !fm["step"].is_number_integer() || !fm.contains("test_accuracy") ||
      !fm["test_accuracy"].is_number())
    return field_error("final_metrics",
                       "an object with integer 'step' and number "
                       "'test_accuracy'");
  RunRecord record;
  record.spec.config = config;
  record.diverged = summary["diverged"].get<bool>();
  StepMetrics last;
  last.step = fm["step"].get<int64_t>();
  last.test_accuracy = fm["test_accuracy"].get<double>();
  record.metrics.push_back(last);
  ASSIGN_OR_RETURN(record.initial_embedding, read("/init/embedding.npy"));
  ASSIGN_OR_RETURN(record.final_embedding, read("/final/embedding.npy"));
  const int64_t settle_step = SettleStep(config.steps);
  const std::string settle_name =
      absl::StrCat("/snapshots/embedding_", settle_step, ".npy");
  const bool has_settle_snapshot = PathExists(dir + settle_name);
  if (has_settle_snapshot) {
    ASSIGN_OR_RETURN(record.snapshots[settle_step], read(settle_name));
  }

  const std::vector<double> initial = FourierSignal(record.initial_embedding);
  const std::vector<double> final_s = FourierSignal(record.final_embedding);
  const std::vector<int64_t> survivors = SurvivorsOf(record.final_embedding);
  // Circularity costs O(p d + p^2) per k: beyond this p the command would
  // take minutes for a number nobody asked for at that size.
  constexpr int64_t kMaxCircularityP = 1024;
  nlohmann::json frequencies = nlohmann::json::array();
  for (int64_t k = 1; k <= (p - 1) / 2; ++k) {
    nlohmann::json f = {
        {"k", k},
        {"initial_signal", initial[k]},
        {"final_signal", final_s[k]},
        {"survives", std::count(survivors.begin(), survivors.end(), k) > 0}};
    std::optional<double> c;
    if (p <= kMaxCircularityP) c = Circularity(record.initial_embedding, k);
    if (c.has_value()) {
      f["initial_circularity"] = *c;
    } else {
      f["initial_circularity"] = nullptr;
      f["circularity_undefined"] =
          p > kMaxCircularityP
              ? absl::StrCat("p = ", p, ": computed for p <= ",
                             kMaxCircularityP, " only")
              : std::string("gcd(k, p) != 1, or Re F_k or Im F_k of the "
                            "initial embedding is ~0 (circularity.h)");
    }
    frequencies.push_back(std::move(f));
  }

  nlohmann::json out;
  out["run"] = dir;
  out["task"] = "modadd";
  out["p"] = p;
  out["steps"] = config.steps;
  out["threshold"] = {{"initial", SurvivalThreshold(initial)},
                      {"final", SurvivalThreshold(final_s)}};
  out["frequencies"] = std::move(frequencies);
  out["survivors"] = survivors;
  out["trained"] = {{"value", Trained(record)},
                    {"final_test_accuracy", last.test_accuracy},
                    {"final_step", last.step},
                    {"diverged", record.diverged},
                    {"threshold", kTrainedAccuracy}};
  if (has_settle_snapshot) {
    std::vector<int64_t> at_settle = SettleSurvivorsOf(record);
    out["settled"] = {{"value", SameSurvivorSet(at_settle, survivors)},
                      {"settle_step", settle_step},
                      {"survivors_at_settle_step", at_settle}};
  } else {
    out["settled"] = {
        {"value", nullptr},
        {"settle_step", settle_step},
        {"undefined",
         absl::StrCat("unknown: the run directory has no ", settle_name.substr(1),
                      " (80 % of ", config.steps,
                      " steps); train with --snapshot_steps=", settle_step,
                      " to record it")}};
  }
  // MaExclusion decides diverged and not_trained before settledness, so
  // those are known without the snapshot.
  if (has_settle_snapshot || record.diverged || !Trained(record)) {
    const std::string why = MaExclusion(record);
    out["valid"] = {{"value", why.empty()}, {"exclusion", why}};
  } else {
    out["valid"] = {{"value", nullptr},
                    {"undefined", "unknown: trained, but whether it settled "
                                  "is unknown (see settled)"}};
  }
  return out;
}

}  // namespace

absl::StatusOr<nlohmann::json> Geometry(const std::string& dir) {
  const std::string path = dir + "/summary.json";
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  const nlohmann::json summary = nlohmann::json::parse(text, nullptr, false);
  if (summary.is_discarded() || !summary.is_object() ||
      !summary.contains("config"))
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": malformed (no 'config')"));
  const nlohmann::json& json_config = summary["config"];
  const nlohmann::json task =
      json_config.is_object() ? json_config.value("task", nlohmann::json())
                              : json_config;
  if (!task.is_string() || (task != "remainder" && task != "modadd"))
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'config/task': expected \"remainder\" or \"modadd\", "
        "found ", task.dump()));
  // The same checks as `repro train` applies to its flags.
  absl::StatusOr<TrainConfig> config = FromJson(json_config);
  if (config.ok()) {
    absl::Status valid = Validate(*config);
    if (!valid.ok()) config = valid;
  }
  if (!config.ok())
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'config': ", config.status().message()));
  if (task == "modadd") return ModaddGeometry(dir, path, summary, *config);
  return RemainderGeometry(dir, path, *config);
}

int RunGeometryCommand(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("expected one run directory (repro train --out)");
  absl::StatusOr<nlohmann::json> out = Geometry(args[0]);
  if (!out.ok()) return Fail(std::string(out.status().message()));
  std::printf("%s\n", out->dump(2).c_str());
  return 0;
}

}  // namespace initrepro
