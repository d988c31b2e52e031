#include "src/harness/run_store.h"

#include <cstdint>
#include <cstring>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "src/core/status_macros.h"
#include "src/io/atomic_file.h"
#include "src/io/file_lock.h"
#include "src/io/sha256.h"
#include "src/train/bits_identity.h"

namespace initrepro {
namespace {

constexpr char kMagic[] = "initrepro-run v1 ";  // the container, not the payload
constexpr char kStalePayload[] = "initrepro/stale-run";

nlohmann::json MatrixToJson(const Matrix& m) {
  std::vector<uint8_t> bytes(m.data.size() * sizeof(double));
  if (!bytes.empty()) std::memcpy(bytes.data(), m.data.data(), bytes.size());
  return {{"rows", m.rows},
          {"cols", m.cols},
          {"data", nlohmann::json::binary(std::move(bytes))}};
}

Matrix MatrixFromJson(const nlohmann::json& j) {
  const int64_t rows = j.at("rows").get<int64_t>();
  const int64_t cols = j.at("cols").get<int64_t>();
  const auto& bytes = j.at("data").get_binary();
  // Checked before allocating: a shape is never trusted beyond its data.
  if (rows < 0 || cols < 0 || (cols > 0 && rows > INT64_MAX / cols) ||
      bytes.size() != static_cast<uint64_t>(rows * cols) * sizeof(double)) {
    throw std::runtime_error("matrix data size does not match its shape");
  }
  Matrix m(rows, cols);
  if (!bytes.empty()) std::memcpy(m.data.data(), bytes.data(), bytes.size());
  return m;
}

}  // namespace

std::string EncodeRunRecord(const RunRecord& r) {
  nlohmann::json j;
  j["format_version"] = kRunRecordVersion;
  j["spec"] = SpecJson(r.spec);
  j["digest"] = r.digest;
  j["diverged"] = r.diverged;
  j["steps_done"] = r.steps_done;
  j["wall_seconds"] = r.wall_seconds;
  j["bits_identity"] = r.bits_identity;
  j["initial_embedding"] = MatrixToJson(r.initial_embedding);
  j["final_embedding"] = MatrixToJson(r.final_embedding);
  nlohmann::json snapshots = nlohmann::json::array();
  for (const auto& [step, m] : r.snapshots)
    snapshots.push_back({{"step", step}, {"embedding", MatrixToJson(m)}});
  j["snapshots"] = snapshots;
  nlohmann::json signals = nlohmann::json::array();
  for (const auto& [step, v] : r.signals)
    signals.push_back({{"step", step}, {"signal", v}});
  j["signals"] = signals;
  // Written only when present: records without it stay byte for byte as
  // before, and decode without it (an optional field of format 3).
  if (!r.param_snapshots.empty()) {
    nlohmann::json params = nlohmann::json::array();
    for (const auto& [step, v] : r.param_snapshots) {
      std::vector<uint8_t> bytes(v.size() * sizeof(double));
      if (!bytes.empty()) std::memcpy(bytes.data(), v.data(), bytes.size());
      params.push_back(
          {{"step", step}, {"params", nlohmann::json::binary(std::move(bytes))}});
    }
    j["param_snapshots"] = params;
  }
  nlohmann::json metrics = nlohmann::json::array();
  for (const StepMetrics& m : r.metrics)
    metrics.push_back({m.step, m.train_loss, m.train_accuracy, m.test_loss,
                       m.test_accuracy});
  j["metrics"] = metrics;
  std::vector<uint8_t> cbor = nlohmann::json::to_cbor(j);
  std::string payload(cbor.begin(), cbor.end());
  return absl::StrCat(kMagic, Sha256Hex(payload), "\n", payload);
}

absl::StatusOr<RunRecord> DecodeRunRecord(const std::string& bytes,
                                          const std::string& where) {
  const size_t header = sizeof(kMagic) - 1 + 64 + 1;
  if (bytes.size() < header ||
      bytes.compare(0, sizeof(kMagic) - 1, kMagic) != 0 ||
      bytes[header - 1] != '\n')
    return absl::DataLossError(
        absl::StrCat(where, ": not an initrepro run record (bad header)"));
  const std::string hash = bytes.substr(sizeof(kMagic) - 1, 64);
  const std::string payload = bytes.substr(header);
  if (Sha256Hex(payload) != hash)
    return absl::DataLossError(absl::StrCat(
        where, ": checksum mismatch (truncated or corrupted run file)"));
  RunRecord r;
  try {
    nlohmann::json j = nlohmann::json::from_cbor(payload);
    const nlohmann::json& version = j.at("format_version");
    if (!version.is_number_integer() || version.get<int>() < 1 ||
        version.get<int>() > kRunRecordVersion)
      return absl::DataLossError(absl::StrCat(
          where, ": field 'format_version': expected 1 to ", kRunRecordVersion,
          ", found ", version.dump()));
    // Older formats lack what this build's analyses read: stale, retrained.
    r.bits_identity =
        version != kRunRecordVersion
            ? absl::StrCat("unknown (record format ", version.get<int>(), ")")
            : j.at("bits_identity").get<std::string>();
    const nlohmann::json& spec = j.at("spec");
    absl::StatusOr<TrainConfig> config = FromJson(spec.at("config"));
    if (!config.ok())
      return absl::DataLossError(
          absl::StrCat(where, ": ", config.status().message()));
    r.spec.config = *config;
    r.spec.params = spec.at("params");
    r.spec.snapshot_steps =
        spec.at("snapshot_steps").get<std::vector<int64_t>>();
    if (spec.contains("signal_steps"))
      r.spec.signal_steps = spec.at("signal_steps").get<std::vector<int64_t>>();
    if (spec.contains("param_steps"))
      r.spec.param_steps = spec.at("param_steps").get<std::vector<int64_t>>();
    r.digest = j.at("digest").get<std::string>();
    r.diverged = j.at("diverged").get<bool>();
    r.steps_done = j.at("steps_done").get<int64_t>();
    r.wall_seconds = j.at("wall_seconds").get<double>();
    r.initial_embedding = MatrixFromJson(j.at("initial_embedding"));
    r.final_embedding = MatrixFromJson(j.at("final_embedding"));
    for (const auto& s : j.at("snapshots"))
      r.snapshots[s.at("step").get<int64_t>()] =
          MatrixFromJson(s.at("embedding"));
    if (j.contains("signals"))
      for (const auto& s : j.at("signals"))
        r.signals[s.at("step").get<int64_t>()] =
            s.at("signal").get<std::vector<double>>();
    if (j.contains("param_snapshots"))
      for (const auto& s : j.at("param_snapshots")) {
        const auto& bytes = s.at("params").get_binary();
        if (bytes.size() % sizeof(double) != 0)
          throw std::runtime_error("parameter snapshot size is not whole doubles");
        std::vector<double> v(bytes.size() / sizeof(double));
        if (!bytes.empty()) std::memcpy(v.data(), bytes.data(), bytes.size());
        r.param_snapshots[s.at("step").get<int64_t>()] = std::move(v);
      }
    for (const auto& m : j.at("metrics")) {
      StepMetrics sm;
      sm.step = m.at(0).get<int64_t>();
      sm.train_loss = m.at(1).get<double>();
      sm.train_accuracy = m.at(2).get<double>();
      sm.test_loss = m.at(3).get<double>();
      sm.test_accuracy = m.at(4).get<double>();
      r.metrics.push_back(sm);
    }
  } catch (const std::exception& e) {
    return absl::DataLossError(
        absl::StrCat(where, ": malformed run record: ", e.what()));
  }
  return r;
}

RunStore::RunStore(std::string dir)
    : RunStore(std::move(dir), BitsIdentity()) {}

bool IsStaleRun(const absl::Status& status) {
  return absl::IsFailedPrecondition(status) &&
         status.GetPayload(kStalePayload).has_value();
}

std::string StaleIdentity(const absl::Status& status) {
  const absl::optional<absl::Cord> id = status.GetPayload(kStalePayload);
  return id.has_value() ? std::string(*id) : "";
}

std::string RunStore::PathFor(const RunSpec& spec) const {
  return absl::StrCat(dir_, "/runs/", RunKey(spec), ".run");
}

absl::StatusOr<RunRecord> RunStore::Load(const RunSpec& spec) const {
  const std::string path = PathFor(spec);
  if (!PathExists(path))
    return absl::NotFoundError(absl::StrCat(path, ": no such run"));
  ASSIGN_OR_RETURN(std::string bytes, ReadFile(path));
  ASSIGN_OR_RETURN(RunRecord record, DecodeRunRecord(bytes, path));
  if (SpecJson(record.spec) != SpecJson(spec))
    return absl::DataLossError(absl::StrCat(
        path, ": recorded for a different run config than the one asked"));
  if (record.bits_identity != bits_identity_) {
    absl::Status stale = absl::FailedPreconditionError(absl::StrCat(
        path, ": trained by bits identity ", record.bits_identity,
        ", this build is ", bits_identity_));
    stale.SetPayload(kStalePayload, absl::Cord(record.bits_identity));
    return stale;
  }
  return record;
}

std::string RunStore::LockPathFor(const RunSpec& spec) const {
  return absl::StrCat(dir_, "/runs/", RunKey(spec), ".lock");
}

absl::StatusOr<FileLock> RunStore::Lock(const RunSpec& spec,
                                        FileLock::Mode mode) const {
  RETURN_IF_ERROR(MakeDirs(dir_ + "/runs"));
  return FileLock::Acquire(LockPathFor(spec), mode);
}

int RunStore::RemoveStaleTemps() const {
  int removed = 0;
  const std::string runs = dir_ + "/runs";
  for (const DeadTemp& t : FindDeadTemps(runs)) {
    if (!absl::EndsWith(t.target, ".run")) continue;
    const std::string key = t.target.substr(0, t.target.size() - 4);
    absl::StatusOr<FileLock> lock = FileLock::Acquire(
        absl::StrCat(runs, "/", key, ".lock"), FileLock::kTry);
    if (!lock.ok()) continue;  // its run is being written right now
    if (!lock->held() && t.age_seconds < kStaleTempSeconds) continue;
    if (RemoveTree(t.path).ok()) ++removed;
  }
  return removed;
}

absl::Status RunStore::Save(const RunRecord& record) const {
  RETURN_IF_ERROR(MakeDirs(dir_ + "/runs"));
  return WriteFileAtomic(PathFor(record.spec), EncodeRunRecord(record));
}

}  // namespace initrepro
