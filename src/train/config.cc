#include "src/train/config.h"

#include "absl/strings/str_cat.h"

namespace initrepro {
namespace {

absl::Status Bad(const std::string& flag, const std::string& found,
                 const std::string& expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, "=", found, ": expected ", expected));
}

}  // namespace

absl::Status Validate(const TrainConfig& c) {
  absl::StatusOr<Task> task = MakeTask(c.task);
  if (!task.ok()) return task.status();
  if (c.dim < 1 || c.dim > 4096)
    return Bad("dim", absl::StrCat(c.dim), "an integer in [1, 4096]");
  if (c.hidden < 1 || c.hidden > 4096)
    return Bad("hidden", absl::StrCat(c.hidden), "an integer in [1, 4096]");
  if (c.steps < 0 || c.steps > 100000000)
    return Bad("steps", absl::StrCat(c.steps), "an integer in [0, 1e8]");
  if (!(c.lr > 0 && c.lr < 10))
    return Bad("lr", absl::StrCat(c.lr), "a number in (0, 10)");
  if (!(c.wd >= 0 && c.wd * c.lr < 1))
    return Bad("wd", absl::StrCat(c.wd), "a number >= 0 with lr*wd < 1");
  if (!(c.train_fraction > 0 && c.train_fraction < 1))
    return Bad("train_fraction", absl::StrCat(c.train_fraction),
               "a number in (0, 1)");
  if (c.mode != "vary_all" && c.mode != "fix_embedding" &&
      c.mode != "fix_mlp" && c.mode != "fix_dataset")
    return Bad("mode", c.mode,
               "vary_all, fix_embedding, fix_mlp or fix_dataset");
  if (c.backend != "reference" && c.backend != "onednn")
    return Bad("backend", c.backend, "reference or onednn");
  if (c.dtype != "f64" && c.dtype != "f32")
    return Bad("dtype", c.dtype, "f64 or f32");
  // oneDNN 2.6 has no f64; the reference kernels exist only in f64.
  if (c.backend == "reference" && c.dtype != "f64")
    return Bad("dtype", c.dtype,
               "f64 with --backend=reference (f32 runs use --backend=onednn)");
  if (c.backend == "onednn" && c.dtype != "f32")
    return Bad("dtype", c.dtype,
               "f32 with --backend=onednn (oneDNN 2.6 has no f64)");
  if (c.threads < 1 || c.threads > 256)
    return Bad("threads", absl::StrCat(c.threads), "an integer in [1, 256]");
  if (c.log_every < 1)
    return Bad("log_every", absl::StrCat(c.log_every), "an integer >= 1");
  if (c.snapshot_every < 0)
    return Bad("snapshot_every", absl::StrCat(c.snapshot_every),
               "an integer >= 0 (0: no snapshots)");
  for (int64_t s : c.snapshot_steps)
    if (s < 0 || s > c.steps)
      return Bad("snapshot_steps", absl::StrCat(s),
                 absl::StrCat("steps in [0, ", c.steps, "]"));
  return absl::OkStatus();
}

RunSeeds SeedsFor(const TrainConfig& c) {
  const uint64_t s = c.seed, s0 = c.init_seed;
  if (c.mode == "fix_embedding") return {s0, s, s};
  if (c.mode == "fix_mlp") return {s, s0, s0};
  if (c.mode == "fix_dataset") return {s, s, s0};
  return {s, s, s};
}

nlohmann::json ToJson(const TrainConfig& c) {
  nlohmann::json j;
  j["task"] = c.task.name;
  if (c.task.name == "modadd") j["p"] = c.task.p;
  if (c.task.name == "remainder") {
    j["n"] = c.task.n;
    j["m"] = c.task.m;
  }
  if (c.task.name == "xor") {
    j["k"] = c.task.k;
    j["v"] = c.task.v;
  }
  j["dim"] = c.dim;
  j["hidden"] = c.hidden;
  j["steps"] = c.steps;
  j["lr"] = c.lr;
  j["wd"] = c.wd;
  j["train_fraction"] = c.train_fraction;
  j["seed"] = c.seed;
  j["init_seed"] = c.init_seed;
  j["mode"] = c.mode;
  j["freeze_embedding"] = c.freeze_embedding;
  j["backend"] = c.backend;
  j["dtype"] = c.dtype;
  j["log_every"] = c.log_every;
  j["snapshot_every"] = c.snapshot_every;
  j["snapshot_steps"] = c.snapshot_steps;
  return j;
}

std::vector<UnusedSetting> UnusedSettings(const TrainConfig& c,
                                          bool init_imported,
                                          bool split_imported) {
  std::vector<UnusedSetting> unused;
  if (init_imported && split_imported) {
    const std::string why =
        "both --init_from and --split_from are given, so nothing is drawn "
        "from seeds";
    for (const char* flag : {"seed", "init_seed", "mode"})
      unused.push_back({flag, why});
  } else if (init_imported) {
    // Only the split is drawn. --mode names which drawn tensors share the
    // reference seed; with imported tensors the split is drawn from --seed.
    unused.push_back({"mode",
                      "--init_from replaces the drawn initial tensors that "
                      "--mode assigns seeds to; the split is drawn from "
                      "--seed"});
    unused.push_back({"init_seed",
                      "with --init_from only the split is drawn, from --seed"});
  } else {
    // The tensors are drawn; the split too unless imported.
    // SeedsFor: fix_embedding and fix_mlp draw a tensor from --init_seed,
    // fix_dataset only the split.
    const bool uses_s0 = c.mode == "fix_embedding" || c.mode == "fix_mlp" ||
              (c.mode == "fix_dataset" && !split_imported);
    if (!uses_s0) {
      unused.push_back(
          {"init_seed",
           c.mode == "vary_all"
               ? "--mode=vary_all draws everything from --seed"
               : "--mode=fix_dataset uses --init_seed only for the split, "
                 "which --split_from replaces"});
    }
  }
  const std::string task = c.task.name;
  auto other_task = [&](const char* flag, const char* owner) {
    unused.push_back(
        {flag, absl::StrCat("it sizes --task=", owner, ", not --task=", task)});
  };
  if (task != "modadd") other_task("p", "modadd");
  if (task != "remainder") {
    other_task("n", "remainder");
    other_task("m", "remainder");
  }
  if (task != "xor") {
    other_task("k", "xor");
    other_task("v", "xor");
  }
  return unused;
}

nlohmann::json DeterminingJson(const TrainConfig& c, bool init_imported,
                               bool split_imported) {
  nlohmann::json j = ToJson(c);
  for (const UnusedSetting& u : UnusedSettings(c, init_imported, split_imported))
    j.erase(u.flag);
  return j;
}

absl::StatusOr<TrainConfig> FromJson(const nlohmann::json& j) {
  TrainConfig c;
  try {
    c.task.name = j.at("task").get<std::string>();
    if (j.contains("p")) c.task.p = j["p"].get<int64_t>();
    if (j.contains("n")) c.task.n = j["n"].get<int64_t>();
    if (j.contains("m")) c.task.m = j["m"].get<int64_t>();
    if (j.contains("k")) c.task.k = j["k"].get<int64_t>();
    if (j.contains("v")) c.task.v = j["v"].get<int64_t>();
    c.dim = j.at("dim").get<int64_t>();
    c.hidden = j.at("hidden").get<int64_t>();
    c.steps = j.at("steps").get<int64_t>();
    c.lr = j.at("lr").get<double>();
    c.wd = j.at("wd").get<double>();
    c.train_fraction = j.at("train_fraction").get<double>();
    c.seed = j.value("seed", c.seed);
    c.init_seed = j.value("init_seed", c.init_seed);
    c.mode = j.value("mode", c.mode);
    c.freeze_embedding = j.at("freeze_embedding").get<bool>();
    c.backend = j.at("backend").get<std::string>();
    c.dtype = j.at("dtype").get<std::string>();
    c.log_every = j.at("log_every").get<int64_t>();
    c.snapshot_every = j.at("snapshot_every").get<int64_t>();
    c.snapshot_steps = j.at("snapshot_steps").get<std::vector<int64_t>>();
  } catch (const nlohmann::json::exception& e) {
    return absl::InvalidArgumentError(
        absl::StrCat("train config JSON: ", e.what()));
  }
  return c;
}

}  // namespace initrepro
