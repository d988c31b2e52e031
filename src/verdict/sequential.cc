#include "src/verdict/sequential.h"

#include "absl/strings/str_cat.h"

namespace initrepro {
namespace {

absl::Status CheckLooks(int looks) {
  if (looks < 1 || looks > kMaxLooks)
    return absl::InvalidArgumentError(absl::StrCat(
        "looks: expected 1..", kMaxLooks, " pre-declared looks, got ", looks));
  return absl::OkStatus();
}

bool IsDecided(const Claim& c) {
  return c.verdict == "reproduced" || c.verdict == "not_reproduced";
}

}  // namespace

double LookLevel(int looks) {
  if (looks <= 1) return kVerdictLevel;
  return 1 - (1 - kVerdictLevel) / looks;
}

double LookShare(int look, int looks) {
  return static_cast<double>(look) / static_cast<double>(looks);
}

absl::StatusOr<SequentialVerdict> DecideSequentially(
    Tier tier, int looks, const std::function<ClaimTest(int look)>& test_at) {
  if (absl::Status s = CheckLooks(looks); !s.ok()) return s;
  const double level = LookLevel(looks);
  SequentialVerdict v;
  v.looks = looks;
  for (int look = 1; look <= looks; ++look) {
    v.look = look;
    v.claim = Decide(tier, test_at(look), level);
    if (IsDecided(v.claim)) break;
  }
  return v;
}

absl::StatusOr<SequentialVerdict> DecideSequentially(
    Tier tier, const std::vector<ClaimTest>& tests) {
  return DecideSequentially(
      tier, static_cast<int>(tests.size()),
      [&tests](int look) { return tests[look - 1]; });
}

absl::StatusOr<SequentialRun> DecideExperimentSequentially(
    Tier tier, int looks,
    const std::function<std::vector<ClaimTest>(int look)>& tests_at) {
  if (absl::Status s = CheckLooks(looks); !s.ok()) return s;
  const double level = LookLevel(looks);
  SequentialRun run;
  for (int look = 1; look <= looks; ++look) {
    const std::vector<ClaimTest> tests = tests_at(look);
    if (look == 1) {
      run.claims.resize(tests.size());
    } else if (tests.size() != run.claims.size()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "tests_at(", look, ") returned ", tests.size(),
          " claims; look 1 had ", run.claims.size()));
    }
    bool all_decided = true;
    for (size_t i = 0; i < tests.size(); ++i) {
      SequentialVerdict& v = run.claims[i];
      if (look > 1 && v.decided()) continue;  // keeps its deciding look
      v.looks = looks;
      v.look = look;
      v.claim = Decide(tier, tests[i], level);
      if (!v.decided()) all_decided = false;
    }
    run.stop_look = look;
    if (all_decided) break;
  }
  return run;
}

}  // namespace initrepro
