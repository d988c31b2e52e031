#include "src/cli/geometry_command.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/analysis/clusters.h"
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
  if (!json_config.is_object() || json_config.value("task", "") != "remainder")
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'config/task': expected \"remainder\", found ",
        json_config.is_object()
            ? json_config.value("task", nlohmann::json()).dump()
            : json_config.dump()));
  // The same checks as `repro train` applies to its flags.
  absl::StatusOr<TrainConfig> config = FromJson(json_config);
  if (config.ok()) {
    absl::Status valid = Validate(*config);
    if (!valid.ok()) config = valid;
  }
  if (!config.ok())
    return absl::InvalidArgumentError(absl::StrCat(
        path, ": field 'config': ", config.status().message()));
  const int64_t n = config->task.n, m = config->task.m, d = config->dim;
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
  out["variance_shares"] = PrincipalVarianceShares(final_means);
  out["line_score"] = line;
  out["forms_line"] = line >= kLineThreshold;
  if (m >= 3) {
    const PercentileResult gram =
        GramAlignmentPercentile(init_means, final_means, config->seed);
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

int RunGeometryCommand(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("expected one run directory (repro train --out)");
  absl::StatusOr<nlohmann::json> out = Geometry(args[0]);
  if (!out.ok()) return Fail(std::string(out.status().message()));
  std::printf("%s\n", out->dump(2).c_str());
  return 0;
}

}  // namespace initrepro
