#include "src/engines/shard_plan.h"

#include "absl/strings/str_cat.h"
#include "src/core/status_macros.h"

namespace initrepro {

absl::StatusOr<PlanState> EnsurePlan(const Experiment& e, Tier tier,
                                     int shards, const DriverOptions& driver) {
  PlanState state;
  absl::StatusOr<std::vector<ShardStatus>> status =
      PlanStatus(e, tier, driver);
  if (status.ok() && static_cast<int>(status->size()) == shards) {
    state.note = "plan kept";
  } else {
    if (status.ok()) {
      state.note = absl::StrCat("plan rewritten: ", shards, " shards (was ",
                                status->size(), "); finished runs are kept");
    } else if (absl::IsNotFound(status.status())) {
      state.note = "plan written";
    } else if (absl::IsFailedPrecondition(status.status())) {
      state.note = "plan rewritten: the experiment's run list changed";
    } else {
      return status.status();  // malformed plan: the user should look at it
    }
    // Asked for: `submit --shards=N` names the count, and the note says it.
    RETURN_IF_ERROR(WritePlan(e, tier, shards, driver, /*replace_valid=*/true));
    status = PlanStatus(e, tier, driver);
    if (!status.ok()) return status.status();
  }
  // Shard ids come from the position: PlanStatus leaves `shard` at 0 for
  // shards that own no run (more shards than runs).
  for (size_t i = 0; i < status->size(); ++i) {
    const ShardStatus& s = (*status)[i];
    state.done += s.done;
    state.to_train += s.missing + s.corrupt;
    if (s.missing + s.corrupt > 0) state.pending.push_back(static_cast<int>(i));
  }
  return state;
}

}  // namespace initrepro
