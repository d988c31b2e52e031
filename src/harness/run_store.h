// RunStore: finished runs on disk, one file per run, keyed by RunKey.
//
//   STORE/runs/KEY.run = "initrepro-run v1 SHA256HEX\n" + CBOR payload
//
// The hash covers the payload, so a truncated or corrupted file is detected
// on load (and rerun by the sweep, with a warning), and the payload's spec
// must equal the spec asked for. Files are written atomically, and every
// run has its own file, so shards on many machines never write the same
// file.
#ifndef INITREPRO_SRC_HARNESS_RUN_STORE_H_
#define INITREPRO_SRC_HARNESS_RUN_STORE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/harness/experiment.h"

namespace initrepro {

// 2: adds the settle-step snapshot and per-step signals (verdicts v2).
inline constexpr int kRunRecordVersion = 2;

class RunStore {
 public:
  explicit RunStore(std::string dir) : dir_(std::move(dir)) {}

  std::string PathFor(const RunSpec& spec) const;

  // NotFound when absent; DataLoss when present but corrupt, truncated,
  // from another format version, or recorded for a different spec.
  absl::StatusOr<RunRecord> Load(const RunSpec& spec) const;
  absl::Status Save(const RunRecord& record) const;

 private:
  std::string dir_;
};

// Record <-> bytes (exposed for tests).
std::string EncodeRunRecord(const RunRecord& record);
absl::StatusOr<RunRecord> DecodeRunRecord(const std::string& bytes,
                                          const std::string& where);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_RUN_STORE_H_
