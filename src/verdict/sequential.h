// Sequential looks (PAPER.md "Designs (v3)", item 4): a design run in at
// most kMaxLooks pre-declared batches, in a fixed order (e.g. 25 / 50 / 75 /
// 100 % of its runs), deciding its claims after each batch and stopping
// once they are decided.
//
// Validity by Bonferroni, the simplest split with a guarantee: each look's
// intervals are two-sided at LookLevel(K) = 1 - (1 - kVerdictLevel) / K,
// so the chance that any of the K looks shows a wrong interval is at most
// 1 - kVerdictLevel = 0.01 whatever the stopping rule (a union bound; no
// independence between looks is needed). A claim keeps the verdict of the
// first look at which it was decided (reproduced or not_reproduced); the
// test sequential_test.cc checks by simulation that the wrong-verdict rate
// under a null effect stays <= 0.01.
//
// Runs are pure functions of their seeds and the looks are fixed before
// the first run, so the stopping look is a deterministic function of the
// design and the code: a golden made this way is checked like any other.
#ifndef INITREPRO_SRC_VERDICT_SEQUENTIAL_H_
#define INITREPRO_SRC_VERDICT_SEQUENTIAL_H_

#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "src/harness/experiment.h"
#include "src/verdict/verdict.h"

namespace initrepro {

inline constexpr int kMaxLooks = 4;

// The per-look interval level for `looks` declared looks (1 <= looks);
// LookLevel(1) == kVerdictLevel.
double LookLevel(int looks);

// The share of the runs a look sees: look i of K (1-based) sees i / K.
double LookShare(int look, int looks);

struct SequentialVerdict {
  int look = 0;   // 1-based look at which it was decided; `looks` if never
  int looks = 0;  // declared looks K
  Claim claim;    // Decide(tier, test at `look`, LookLevel(K))
  bool decided() const {
    return claim.verdict == "reproduced" || claim.verdict == "not_reproduced";
  }
};

// One claim: `test_at(look)` builds the claim's unit table from the runs of
// looks 1..look (called for look = 1, 2, ... in order, never past the
// first deciding look). Errors: looks outside [1, kMaxLooks].
absl::StatusOr<SequentialVerdict> DecideSequentially(
    Tier tier, int looks, const std::function<ClaimTest(int look)>& test_at);

// The same on precomputed per-look unit tables (tests[i] = look i + 1).
absl::StatusOr<SequentialVerdict> DecideSequentially(
    Tier tier, const std::vector<ClaimTest>& tests);

// Every claim of an experiment: `tests_at(look)` returns its claims' unit
// tables at that look, the same claims in the same order at every look.
// The experiment stops at the first look where every claim is decided (or
// at the last); each claim keeps the verdict of its own first deciding
// look. `stop_look` is the look after which no further batch is needed.
struct SequentialRun {
  int stop_look = 0;
  std::vector<SequentialVerdict> claims;
};
absl::StatusOr<SequentialRun> DecideExperimentSequentially(
    Tier tier, int looks,
    const std::function<std::vector<ClaimTest>(int look)>& tests_at);

}  // namespace initrepro

#endif  // INITREPRO_SRC_VERDICT_SEQUENTIAL_H_
