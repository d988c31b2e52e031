// Task: the three algorithmic tasks as (vocabulary, classes, label rule).
//
//   modadd     V = C = p,      label (a + b) mod p
//   remainder  V = n, C = 2,   label 1 if a = b (mod m) else 0   [reconstructed]
//   xor        V = v, C = 2^k, label (a XOR b) mod 2^k           [reconstructed]
//
// Pair index convention (P1's PyTorch code): pair n is (a = n mod V,
// b = n div V), so split indices exported from that code import unchanged.
#ifndef INITREPRO_SRC_TASKS_TASK_H_
#define INITREPRO_SRC_TASKS_TASK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "src/model/mlp.h"

namespace initrepro {

struct TaskConfig {
  std::string name = "modadd";  // modadd | remainder | xor
  int64_t p = 59;               // modadd
  int64_t n = 60, m = 6;        // remainder
  int64_t k = 4, v = 64;        // xor
};

struct Task {
  std::string name;
  int64_t vocab = 0;
  int64_t classes = 0;
  std::vector<int32_t> labels;  // labels[pair index], V^2 entries
};

// Validates the parameters (naming the flag and the allowed range) and
// builds the label table.
absl::StatusOr<Task> MakeTask(const TaskConfig& config);

// The pairs with the given indices, in the given order.
Batch MakeBatch(const Task& task, const std::vector<int64_t>& pair_indices);

// The train/test split: floor(0.8 V^2) pair indices chosen by a seeded
// shuffle, both halves sorted ascending (the order of a full batch changes
// no mathematics, and sorting makes imported PyTorch splits canonical).
struct Split {
  std::vector<int64_t> train, test;
};
Split MakeSplit(int64_t vocab, uint64_t split_seed, double train_fraction);

// Builds a split from given training indices (e.g. imported from PyTorch);
// validates range and uniqueness; the test set is the complement.
absl::StatusOr<Split> SplitFromTrainIndices(int64_t vocab,
                                            std::vector<int64_t> train);

}  // namespace initrepro

#endif  // INITREPRO_SRC_TASKS_TASK_H_
