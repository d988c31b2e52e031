#include "src/tasks/task.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "src/core/rng.h"

namespace initrepro {
namespace {

absl::Status RangeError(const std::string& flag, int64_t value,
                        const std::string& expected) {
  return absl::InvalidArgumentError(
      absl::StrCat("--", flag, "=", value, ": expected ", expected));
}

}  // namespace

absl::StatusOr<Task> MakeTask(const TaskConfig& config) {
  Task task;
  task.name = config.name;
  if (config.name == "modadd") {
    if (config.p < 2 || config.p > 4096)
      return RangeError("p", config.p, "an integer in [2, 4096]");
    task.vocab = task.classes = config.p;
  } else if (config.name == "remainder") {
    if (config.n < 2 || config.n > 4096)
      return RangeError("n", config.n, "an integer in [2, 4096]");
    if (config.m < 2 || config.m > config.n)
      return RangeError("m", config.m,
                        absl::StrCat("an integer in [2, n=", config.n, "]"));
    task.vocab = config.n;
    task.classes = 2;
  } else if (config.name == "xor") {
    if (config.k < 1 || config.k > 10)
      return RangeError("k", config.k, "an integer in [1, 10]");
    const int64_t clusters = int64_t{1} << config.k;
    if (config.v < clusters || config.v % clusters != 0 || config.v > 4096)
      return RangeError("v", config.v,
                        absl::StrCat("a multiple of 2^k=", clusters,
                                     " in [", clusters, ", 4096]"));
    task.vocab = config.v;
    task.classes = clusters;
  } else {
    return absl::InvalidArgumentError(absl::StrCat(
        "--task='", config.name, "': expected modadd, remainder or xor"));
  }
  const int64_t vocab = task.vocab;
  task.labels.resize(vocab * vocab);
  for (int64_t n = 0; n < vocab * vocab; ++n) {
    const int64_t a = n % vocab, b = n / vocab;
    int64_t label = 0;
    if (config.name == "modadd") label = (a + b) % config.p;
    if (config.name == "remainder") label = (a % config.m == b % config.m);
    if (config.name == "xor") label = (a ^ b) % task.classes;
    task.labels[n] = static_cast<int32_t>(label);
  }
  return task;
}

Batch MakeBatch(const Task& task, const std::vector<int64_t>& pair_indices) {
  Batch batch;
  for (int64_t n : pair_indices) {
    batch.a.push_back(static_cast<int32_t>(n % task.vocab));
    batch.b.push_back(static_cast<int32_t>(n / task.vocab));
    batch.labels.push_back(task.labels[n]);
  }
  return batch;
}

Split MakeSplit(int64_t vocab, uint64_t split_seed, double train_fraction) {
  const int64_t pairs = vocab * vocab;
  std::vector<int64_t> order(pairs);
  std::iota(order.begin(), order.end(), 0);
  Shuffle(Stream(split_seed, Purpose::kSplit), absl::MakeSpan(order));
  const int64_t train_size =
      static_cast<int64_t>(std::floor(train_fraction * pairs));
  Split split;
  split.train.assign(order.begin(), order.begin() + train_size);
  split.test.assign(order.begin() + train_size, order.end());
  std::sort(split.train.begin(), split.train.end());
  std::sort(split.test.begin(), split.test.end());
  return split;
}

absl::StatusOr<Split> SplitFromTrainIndices(int64_t vocab,
                                            std::vector<int64_t> train) {
  const int64_t pairs = vocab * vocab;
  std::vector<bool> used(pairs, false);
  for (size_t i = 0; i < train.size(); ++i) {
    const int64_t n = train[i];
    if (n < 0 || n >= pairs)
      return absl::InvalidArgumentError(absl::StrCat(
          "train index [", i, "] = ", n, ": expected a pair index in [0, ",
          pairs, ")"));
    if (used[n])
      return absl::InvalidArgumentError(
          absl::StrCat("train index [", i, "] = ", n, ": duplicate"));
    used[n] = true;
  }
  if (train.empty() || static_cast<int64_t>(train.size()) == pairs)
    return absl::InvalidArgumentError(
        absl::StrCat("train indices: expected between 1 and ", pairs - 1,
                     " pairs, found ", train.size()));
  Split split;
  std::sort(train.begin(), train.end());
  split.train = std::move(train);
  for (int64_t n = 0; n < pairs; ++n)
    if (!used[n]) split.test.push_back(n);
  return split;
}

}  // namespace initrepro
