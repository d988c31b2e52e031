#include "src/engines/local.h"

#include "src/core/status_macros.h"

namespace initrepro {

absl::StatusOr<nlohmann::json> RunLocal(const Experiment& e, Tier tier,
                                        const std::vector<int>& pending,
                                        const DriverOptions& driver) {
  for (int shard : pending) RETURN_IF_ERROR(RunShard(e, tier, shard, driver));
  return MergeShards(e, tier, driver);
}

}  // namespace initrepro
