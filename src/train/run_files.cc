#include "src/train/run_files.h"

#include <dirent.h>
#include <unistd.h>

#include <cerrno>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"
#include "src/io/npy.h"
#include "src/io/sha256.h"

namespace initrepro {
namespace {

absl::Span<const double> TensorView(const ParamLayout& layout,
                                    const std::vector<double>& buffer,
                                    int id) {
  const TensorSpec& s = layout.spec(id);
  return absl::MakeConstSpan(buffer.data() + s.offset, s.size);
}

nlohmann::json MetricsJson(const StepMetrics& m) {
  return {{"step", m.step},
          {"train_loss", m.train_loss},
          {"train_accuracy", m.train_accuracy},
          {"test_loss", m.test_loss},
          {"test_accuracy", m.test_accuracy}};
}

absl::Status WriteTensors(const ParamLayout& layout,
                          const std::vector<double>& buffer,
                          const std::string& dir) {
  RETURN_IF_ERROR(MakeDirs(dir));
  for (int id = 0; id < kNumTensors; ++id) {
    const TensorSpec& s = layout.spec(id);
    RETURN_IF_ERROR(WriteNpyF64(absl::StrCat(dir, "/", s.name, ".npy"),
                                s.shape, TensorView(layout, buffer, id)));
  }
  return absl::OkStatus();
}

}  // namespace

nlohmann::json RunDigests(const RunResult& run) {
  const ParamLayout layout(run.shape);
  nlohmann::json digests = nlohmann::json::object();
  std::string all;
  auto add = [&](const std::string& name, const std::string& hex) {
    digests[name] = hex;
    absl::StrAppend(&all, name, "=", hex, "\n");
  };
  for (const char* stage : {"init", "final"}) {
    const std::vector<double>& buffer =
        std::string(stage) == "init" ? run.initial : run.final;
    for (int id = 0; id < kNumTensors; ++id) {
      add(absl::StrCat(stage, "/", layout.spec(id).name),
          Sha256HexOfDoubles(TensorView(layout, buffer, id)));
    }
  }
  add("train_idx", Sha256HexOfInt64s(run.split.train));
  add("test_idx", Sha256HexOfInt64s(run.split.test));
  return {{"digests", digests}, {"digest", Sha256Hex(all)}};
}

nlohmann::json RunSummary(const RunResult& run, int threads,
                          const RunInputs& inputs) {
  bool init_imported = false, split_imported = false;
  nlohmann::json records = nlohmann::json::array();
  for (const InputFile& f : inputs) {
    (f.role == "split" ? split_imported : init_imported) = true;
    records.push_back({{"role", f.role},
                       {"path", f.path},
                       {"sha256", f.source.sha256},
                       {"dtype", f.source.dtype},
                       {"order", f.source.order},
                       {"conversion", f.source.conversion}});
  }
  nlohmann::json j;
  j["format_version"] = kSummaryFormatVersion;
  j["config"] = DeterminingJson(run.config, init_imported, split_imported);
  j["inputs"] = records;
  j["model"] = {{"vocab", run.shape.vocab},
                {"dim", run.shape.dim},
                {"hidden", run.shape.hidden},
                {"classes", run.shape.classes}};
  nlohmann::json digests = RunDigests(run);
  j["digests"] = digests["digests"];
  j["digest"] = digests["digest"];
  j["final_metrics"] =
      run.metrics.empty() ? nlohmann::json() : MetricsJson(run.metrics.back());
  j["diverged"] = run.diverged;
  j["steps_done"] = run.steps_done;
  j["wall_seconds"] = run.wall_seconds;
  j["steps_per_second"] =
      run.wall_seconds > 0 ? run.steps_done / run.wall_seconds : 0.0;
  j["backend"] = run.config.backend;
  j["threads"] = threads;
  return j;
}

absl::Status WriteRunDirectory(const RunResult& run, const std::string& dir,
                               bool overwrite, const RunInputs& inputs) {
  if (PathExists(dir) && !overwrite) {
    return absl::AlreadyExistsError(absl::StrCat(
        dir, ": output directory exists; remove it or pass --overwrite"));
  }
  const std::string tmp = absl::StrCat(dir, ".tmp.", getpid());
  if (PathExists(tmp)) RETURN_IF_ERROR(RemoveTree(tmp));
  RETURN_IF_ERROR(MakeDirs(tmp));
  const ParamLayout layout(run.shape);
  RETURN_IF_ERROR(WriteTensors(layout, run.initial, tmp + "/init"));
  RETURN_IF_ERROR(WriteTensors(layout, run.final, tmp + "/final"));
  RETURN_IF_ERROR(WriteNpyI64(tmp + "/train_idx.npy",
                              {static_cast<int64_t>(run.split.train.size())},
                              run.split.train));
  RETURN_IF_ERROR(WriteNpyI64(tmp + "/test_idx.npy",
                              {static_cast<int64_t>(run.split.test.size())},
                              run.split.test));
  std::string metrics;
  for (const StepMetrics& m : run.metrics)
    absl::StrAppend(&metrics, MetricsJson(m).dump(), "\n");
  RETURN_IF_ERROR(WriteFileAtomic(tmp + "/metrics.jsonl", metrics));
  if (!run.embedding_snapshots.empty()) {
    RETURN_IF_ERROR(MakeDirs(tmp + "/snapshots"));
    for (const auto& [step, embedding] : run.embedding_snapshots) {
      RETURN_IF_ERROR(WriteNpyMatrix(
          absl::StrCat(tmp, "/snapshots/embedding_", step, ".npy"),
          embedding));
    }
  }
  RETURN_IF_ERROR(WriteFileAtomic(
      tmp + "/summary.json", RunSummary(run, run.config.threads, inputs).dump(2)));
  // Without --overwrite, never replace a DIR that appeared meanwhile.
  return overwrite ? RenameDirAtomic(tmp, dir) : RenameDirNoReplace(tmp, dir);
}

absl::StatusOr<std::vector<double>> LoadInitialParams(
    const std::string& dir, const ModelShape& shape, RunInputs* inputs) {
  const ParamLayout layout(shape);
  std::set<std::string> expected;
  for (int id = 0; id < kNumTensors; ++id)
    expected.insert(absl::StrCat(layout.spec(id).name, ".npy"));
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) {
    return absl::ErrnoToStatus(
        errno, absl::StrCat(dir, ": cannot read the --init_from directory"));
  }
  std::set<std::string> stray;
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    if (absl::EndsWith(name, ".npy") && expected.count(name) == 0)
      stray.insert(name);
  }
  ::closedir(listing);
  if (!stray.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(
        dir, "/", *stray.begin(),
        ": unexpected file in --init_from (a tensor this model does not "
        "have); expected only ",
        absl::StrJoin(expected, ", ")));
  }
  ParamBuffer params(layout);
  for (int id = 0; id < kNumTensors; ++id) {
    const TensorSpec& s = layout.spec(id);
    const std::string path = absl::StrCat(dir, "/", s.name, ".npy");
    std::vector<double> values;
    NpySource source;
    if (s.shape.size() == 2) {
      ASSIGN_OR_RETURN(Matrix m, ReadNpyMatrixF64(path, s.shape[0], s.shape[1],
                                                  &source));
      values = std::move(m.data);
    } else {
      ASSIGN_OR_RETURN(values, ReadNpyVectorF64(path, s.shape[0], &source));
    }
    std::copy(values.begin(), values.end(), params.view(layout, id).begin());
    if (inputs != nullptr)
      inputs->push_back({absl::StrCat("init/", s.name), path, source});
  }
  return params.values;
}

absl::StatusOr<Split> LoadSplit(const std::string& path, int64_t vocab,
                                RunInputs* inputs) {
  NpySource source;
  ASSIGN_OR_RETURN(std::vector<int64_t> train,
                   ReadNpyVectorI64(path, &source));
  absl::StatusOr<Split> split = SplitFromTrainIndices(vocab, std::move(train));
  if (!split.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": ", split.status().message()));
  }
  if (inputs != nullptr) inputs->push_back({"split", path, source});
  return split;
}

}  // namespace initrepro
