// ParallelRanges: the one way kernels and the model use threads.
//
//   ParallelRanges(count, threads, [&](int64_t begin, int64_t end, int t) {
//     for (int64_t i = begin; i < end; ++i) Work(i);  // t: 0 .. threads-1
//   });
//
// splits [0, count) into min(threads, count) contiguous ranges, range t going
// to worker t (the caller runs range 0). Callers give every output exactly one
// writer, so which thread computes a range never changes a bit of a result.
//
// Thread-safety: `body` runs concurrently on disjoint ranges; returns after
// all ranges are done.
#ifndef INITREPRO_SRC_KERNELS_PARALLEL_H_
#define INITREPRO_SRC_KERNELS_PARALLEL_H_

#include <algorithm>
#include <cstdint>
#include <thread>
#include <vector>

namespace initrepro {

// Range t of [0, count) split into `parts` contiguous ranges of sizes that
// differ by at most one.
inline int64_t RangeBegin(int64_t count, int64_t parts, int64_t t) {
  return count * t / parts;
}

template <typename Body>
void ParallelRanges(int64_t count, int threads, const Body& body) {
  const int parts = static_cast<int>(
      std::max<int64_t>(1, std::min<int64_t>(threads, count)));
  if (parts == 1) {
    body(int64_t{0}, count, 0);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(parts - 1);
  for (int t = 1; t < parts; ++t) {
    workers.emplace_back([&body, count, parts, t] {
      body(RangeBegin(count, parts, t), RangeBegin(count, parts, t + 1), t);
    });
  }
  body(int64_t{0}, RangeBegin(count, parts, 1), 0);
  for (std::thread& w : workers) w.join();
}

}  // namespace initrepro

#endif  // INITREPRO_SRC_KERNELS_PARALLEL_H_
