// The on-disk form of one training run (`repro train --out=DIR`):
//
//   DIR/init/NAME.npy, DIR/final/NAME.npy   PyTorch state_dict names/layouts
//   DIR/train_idx.npy, DIR/test_idx.npy     int64 pair indices
//   DIR/metrics.jsonl                       one JSON object per logged step
//   DIR/snapshots/embedding_STEP.npy        when snapshots were asked for
//   DIR/summary.json                        config, metrics, digests, timing
//
// The directory is written under a temporary name and renamed into place,
// so DIR either holds a complete run or does not exist.
#ifndef INITREPRO_SRC_TRAIN_RUN_FILES_H_
#define INITREPRO_SRC_TRAIN_RUN_FILES_H_

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "src/io/npy.h"
#include "src/train/trainer.h"

namespace initrepro {

inline constexpr int kSummaryFormatVersion = 1;

// {"digests": {"init/embedding": hex, ..., "train_idx": hex, ...},
//  "digest": hex over all of them in a fixed order}.
// Each hex is the SHA-256 of the tensor's raw little-endian bytes.
nlohmann::json RunDigests(const RunResult& run);

// One imported file: summary.json "inputs" lists these in load order.
struct InputFile {
  std::string role;  // "init/embedding", "init/linears.0.weight", ..., "split"
  std::string path;  // as given on the command line (joined for --init_from)
  NpySource source;  // SHA-256 of the bytes, dtype and order as read,
                     // conversion made ("" when none)
};
using RunInputs = std::vector<InputFile>;

// The summary.json object. "config" holds only what determined the run
// (DeterminingJson: with imported files the seeds they replace are gone),
// "inputs" every imported file ([] when none). Neither enters the digests.
nlohmann::json RunSummary(const RunResult& run, int threads,
                          const RunInputs& inputs = {});

// Writes DIR as above. Fails without touching an existing DIR unless
// `overwrite`.
absl::Status WriteRunDirectory(const RunResult& run, const std::string& dir,
                               bool overwrite, const RunInputs& inputs = {});

// Reads DIR/NAME.npy for the seven tensors of `shape` (`--init_from`),
// checking dtype and shape; messages name the file and the field. Any other
// *.npy in DIR is an error naming it and the expected names (a stray tensor
// means DIR is not a model of this shape). Appends one InputFile per tensor
// to `inputs` when given.
absl::StatusOr<std::vector<double>> LoadInitialParams(
    const std::string& dir, const ModelShape& shape,
    RunInputs* inputs = nullptr);

// Reads a 1-D integer .npy of training pair indices (`--split_from`).
absl::StatusOr<Split> LoadSplit(const std::string& path, int64_t vocab,
                                RunInputs* inputs = nullptr);

}  // namespace initrepro

#endif  // INITREPRO_SRC_TRAIN_RUN_FILES_H_
