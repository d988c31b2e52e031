// RunStore: finished runs on disk, one file per run, keyed by RunKey.
//
//   STORE/runs/KEY.run = "initrepro-run v1 SHA256HEX\n" + CBOR payload
//
// The hash covers the payload, so a truncated or corrupted file is detected
// on load (and rerun by the sweep, with a warning), and the payload's spec
// must equal the spec asked for. Files are written atomically, and every
// run has its own file, so shards on many machines never write the same
// file.
//
// One writer per run: STORE/runs/KEY.lock (src/io/file_lock.h) is held by
// whoever trains and saves run KEY; a process that gets the lock checks the
// store again before training, so concurrent commands on one store never
// train a run twice (where the filesystem supports locks).
//
// Payload format 2 adds the bits identity of the build that trained the run
// (src/train/bits_identity.h). A run whose identity differs from the store's
// (this build's) is stale: Load says so with kFailedPrecondition, the sweep
// retrains it and a merge refuses it. Format 1 and 2 records (no identity,
// or no settle snapshot and signals) load as stale, trained by identity
// "unknown (record format N)".
#ifndef INITREPRO_SRC_HARNESS_RUN_STORE_H_
#define INITREPRO_SRC_HARNESS_RUN_STORE_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "src/harness/experiment.h"
#include "src/io/file_lock.h"

namespace initrepro {

// 3: adds the settle-step snapshot and per-step signals (verdicts v2), and,
// optionally (absent in records that did not ask for them), full parameter
// snapshots at RunSpec::param_steps.
inline constexpr int kRunRecordVersion = 3;

class RunStore {
 public:
  // Runs are current when trained by `bits_identity` (default: this build's
  // BitsIdentity()).
  explicit RunStore(std::string dir);
  RunStore(std::string dir, std::string bits_identity)
      : dir_(std::move(dir)), bits_identity_(std::move(bits_identity)) {}

  std::string PathFor(const RunSpec& spec) const;
  const std::string& bits_identity() const { return bits_identity_; }

  // NotFound when absent; DataLoss when present but corrupt, truncated,
  // from an unknown format version, or recorded for a different spec;
  // FailedPrecondition (IsStaleRun) when intact but trained by another bits
  // identity, the message naming both identities.
  absl::StatusOr<RunRecord> Load(const RunSpec& spec) const;
  absl::Status Save(const RunRecord& record) const;

  // The lock of `spec`'s run, STORE/runs/KEY.lock (FileLock::Acquire; the
  // runs directory is created). kTry: Unavailable while another holds it.
  std::string LockPathFor(const RunSpec& spec) const;
  absl::StatusOr<FileLock> Lock(const RunSpec& spec, FileLock::Mode mode) const;

  // Removes temp files of runs whose writer was killed (".KEY.run.tmp.PID.N"
  // with PID gone, FindDeadTemps), each only while holding KEY's lock, or,
  // where locks are not supported, once older than kStaleTempSeconds.
  // Returns how many were removed.
  int RemoveStaleTemps() const;

 private:
  std::string dir_;
  std::string bits_identity_;
};

// True for Load's "trained by another build" status; StaleIdentity(status)
// is the identity that trained it.
bool IsStaleRun(const absl::Status& status);
std::string StaleIdentity(const absl::Status& status);

// Record <-> bytes (exposed for tests).
std::string EncodeRunRecord(const RunRecord& record);
absl::StatusOr<RunRecord> DecodeRunRecord(const std::string& bytes,
                                          const std::string& where);

}  // namespace initrepro

#endif  // INITREPRO_SRC_HARNESS_RUN_STORE_H_
