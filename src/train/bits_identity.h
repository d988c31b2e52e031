// BitsIdentity: which arithmetic this build trains with, as a short hex id.
//
// The id is a canary fingerprint: the SHA-256 (first 16 hex digits) of
// everything three tiny fixed training runs produce (initial and final
// parameters, splits, every logged loss and accuracy, an embedding
// snapshot), one per task. Their shapes cross every boundary where the
// kernels change code path: a batch of two row chunks with a ragged tail
// (Mlp::kChunkRows = 96; 135 rows = 96 + 3 * 12 + 3), a hidden width that
// is no multiple of the SIMD width (130 = 16 * 8 + 2) and a reduction
// longer than one GEMM K block (2 * 130 = 260 > 256), the frozen-embedding
// AdamW range and the remainder and XOR labels. So any change that moves a
// trained bit (fmath, GEMM, chunking, AdamW, RNG, tasks, split, the loop)
// changes the id, while a change to analyses, statistics, verdicts or the
// report does not (they never run here).
//
// The id is what this build computes on this machine: the project promises
// the same bits on every SIMD level, so two machines that disagree reveal a
// broken promise, and runs from the one are stale on the other.
//
// Every stored run records the id of the process that trained it
// (src/harness/run_store.h); a sweep retrains runs with another id and a
// shard merge refuses them.
//
// Cost: computed once per process, on first use: ~5 ms warm, ~15 ms as the
// first work of a fresh process (measured, one core, AVX-512).
// Thread-safety: BitsIdentity() is safe to call from any thread.
#ifndef INITREPRO_SRC_TRAIN_BITS_IDENTITY_H_
#define INITREPRO_SRC_TRAIN_BITS_IDENTITY_H_

#include <string>

#include "absl/status/statusor.h"

namespace initrepro {

// The cached id (16 lowercase hex digits). Computing it cannot fail on a
// working build; if the canary itself fails, the id is "canary-failed",
// which matches no stored run (so everything is retrained, never reused).
const std::string& BitsIdentity();

// Wall time the first BitsIdentity() call spent on the canary, in ms.
double BitsIdentityMillis();

// Runs the canary again (uncached); for tests.
absl::StatusOr<std::string> ComputeBitsIdentity();

}  // namespace initrepro

#endif  // INITREPRO_SRC_TRAIN_BITS_IDENTITY_H_
