#include "src/cli/geometry_command.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "src/analysis/clusters.h"
#include "src/io/atomic_file.h"
#include "src/io/npy.h"

namespace initrepro {
namespace {

constexpr double kLineThreshold = 0.9;  // PAPER.md: a line "forms"

int Fail(const std::string& message) {
  std::fprintf(stderr, "repro geometry: %s\n", message.c_str());
  return 2;
}

}  // namespace

int RunGeometryCommand(const std::vector<std::string>& args) {
  if (args.size() != 1) return Fail("expected one run directory (repro train --out)");
  const std::string dir = args[0];
  absl::StatusOr<std::string> text = ReadFile(dir + "/summary.json");
  if (!text.ok()) return Fail(std::string(text.status().message()));
  const nlohmann::json summary = nlohmann::json::parse(*text, nullptr, false);
  if (summary.is_discarded() || !summary.contains("config"))
    return Fail(absl::StrCat(dir, "/summary.json: malformed (no 'config')"));
  const nlohmann::json& config = summary["config"];
  if (config.value("task", "") != "remainder")
    return Fail(absl::StrCat(dir, "/summary.json: field 'config/task': expected "
                             "\"remainder\", found ", config.value("task", nlohmann::json()).dump()));
  const int64_t n = config["n"].get<int64_t>(), m = config["m"].get<int64_t>();
  const int64_t d = config["dim"].get<int64_t>();
  absl::StatusOr<Matrix> initial =
      ReadNpyMatrixF64(dir + "/init/embedding.npy", n, d);
  if (!initial.ok()) return Fail(std::string(initial.status().message()));
  absl::StatusOr<Matrix> final_e =
      ReadNpyMatrixF64(dir + "/final/embedding.npy", n, d);
  if (!final_e.ok()) return Fail(std::string(final_e.status().message()));
  const Matrix init_means = ClusterMeans(*initial, m);
  const Matrix final_means = ClusterMeans(*final_e, m);
  const double line = LineScore(final_means);
  nlohmann::json out;
  out["run"] = dir;
  out["variance_shares"] = PrincipalVarianceShares(final_means);
  out["line_score"] = line;
  out["forms_line"] = line >= kLineThreshold;
  const PercentileResult gram = GramAlignmentPercentile(
      init_means, final_means, config["seed"].get<uint64_t>());
  out["gram_alignment"] = {{"percentile", gram.percentile},
                           {"chosen_is_best", gram.chosen_is_best},
                           {"candidates", gram.num_candidates},
                           {"sampled", gram.sampled}};
  if (m <= 10) {
    const std::vector<int64_t> ordering = ChosenOrdering(final_means);
    const PercentileResult r2 = OrderingPercentile(init_means, ordering);
    out["line_ordering"] = {{"ordering", ordering},
                            {"initial_r2", r2.chosen_score},
                            {"percentile", r2.percentile},
                            {"chosen_is_best", r2.chosen_is_best},
                            {"candidates", r2.num_candidates},
                            {"meaningful", line >= kLineThreshold}};
  }
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}

}  // namespace initrepro
