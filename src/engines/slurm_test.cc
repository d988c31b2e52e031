// Unit tests of the Slurm engine that need no cluster: flag checks, the
// --array syntax, limits from scontrol, splitting into arrays, scripts and
// dependencies (sbatch replaced by a recorder), shell quoting and the
// subprocess runner. tests/slurm/slurm_submit_test.sh runs a real cluster.
#include "src/engines/slurm.h"

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gtest/gtest.h"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

TEST(ValidateSlurmTime, AcceptsSlurmFormats) {
  for (const char* t : {"00:00:01", "02:00:00", "100:00:00", "1-00:00:00",
                        "1-12:30:59", "0-01:00:00"})
    EXPECT_TRUE(ValidateSlurmTime(t).ok()) << t;
}

TEST(ValidateSlurmTime, RejectsOthersNamingTheFlag) {
  for (const char* t :
       {"", "1:00", "1:00:00", "02:60:00", "02:00:60", "1-24:00:00", "00:00:00",
        "0-00:00:00", "x-01:00:00", "01:00:00:00", "-01:00:00", "01:00:0a"}) {
    const absl::Status s = ValidateSlurmTime(t);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << t;
    EXPECT_TRUE(absl::StrContains(s.message(), "--time=")) << s.message();
    EXPECT_TRUE(absl::StrContains(s.message(), "HH:MM:SS")) << s.message();
  }
}

TEST(ValidateSlurmTime, SaysWhatIsWrong) {
  const absl::Status s = ValidateSlurmTime("25:99:99");
  EXPECT_TRUE(absl::StrContains(s.message(), "minutes 99 must be below 60")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "D-HH:MM:SS")) << s;
  EXPECT_FALSE(absl::StrContains(s.message(), "not zero")) << s;
  EXPECT_TRUE(absl::StrContains(ValidateSlurmTime("00:00:00").message(),
                                "no limit"));
  EXPECT_TRUE(absl::StrContains(ValidateSlurmTime("1-24:00:00").message(),
                                "below 24"));
}

TEST(ArraySpec, CompressesRuns) {
  EXPECT_EQ(ArraySpec({}), "");
  EXPECT_EQ(ArraySpec({2}), "2");
  EXPECT_EQ(ArraySpec({0, 1, 2, 3}), "0-3");
  EXPECT_EQ(ArraySpec({0, 2, 3, 4, 7, 9, 10}), "0,2-4,7,9-10");
}

TEST(ShellQuote, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(ShellQuote("/a/b-c_d.e"), "/a/b-c_d.e");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("a b"), "'a b'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellQuote("$HOME"), "'$HOME'");
}

TEST(RunCommand, ReturnsStdout) {
  absl::StatusOr<std::string> out = RunCommand({"echo", "a b", "c"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(*out, "a b c\n");
}

TEST(RunCommand, FailureNamesCommandAndStderr) {
  absl::StatusOr<std::string> out =
      RunCommand({"sh", "-c", "echo oops >&2; exit 3"});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(absl::StrContains(out.status().message(), "sh -c"))
      << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "status 3"))
      << out.status();
  EXPECT_TRUE(absl::StrContains(out.status().message(), "oops"))
      << out.status();
}

TEST(RunCommand, MissingProgramIsNamed) {
  absl::StatusOr<std::string> out =
      RunCommand({"initrepro-no-such-program", "x"});
  ASSERT_FALSE(out.ok());
  EXPECT_TRUE(
      absl::StrContains(out.status().message(), "initrepro-no-such-program"))
      << out.status();
}

TEST(RunCommand, DrainsLargeOutputOnBothStreams) {
  // More than a pipe buffer on each stream: a runner that read them one
  // after the other would deadlock here.
  absl::StatusOr<std::string> out = RunCommand(
      {"sh", "-c", "head -c 200000 /dev/zero >&2; head -c 200000 /dev/zero"});
  ASSERT_TRUE(out.ok()) << out.status();
  EXPECT_EQ(out->size(), 200000u);
}

TEST(ValidateSbatchValue, RejectsEmptyAndUnsafe) {
  EXPECT_TRUE(ValidateSbatchValue("partition", "compute-1").ok());
  for (const char* v : {"", "a b", "a%b", "a'b", "a\"b", "a\\b", "a\nb"}) {
    const absl::Status s = ValidateSbatchValue("partition", v);
    EXPECT_TRUE(absl::IsInvalidArgument(s)) << v;
    EXPECT_TRUE(absl::StrContains(s.message(), "--partition=")) << s;
  }
  EXPECT_TRUE(absl::StrContains(ValidateSbatchValue("partition", "").message(),
                                "expected a value"));
}

TEST(ParseSlurmConfig, ReadsLimits) {
  const std::string text =
      "Configuration data as of 2024-01-01T00:00:00\n"
      "MaxArraySize            = 3\n"
      "MaxJobCount             = 10000\n"
      "MaxStepCount            = 40000\n";
  absl::StatusOr<SlurmLimits> l = ParseSlurmConfig(text);
  ASSERT_TRUE(l.ok()) << l.status();
  EXPECT_EQ(l->max_array_size, 3);
  EXPECT_EQ(l->max_job_count, 10000);
  EXPECT_FALSE(ParseSlurmConfig("MaxJobCount = 5\n").ok());
  EXPECT_FALSE(ParseSlurmConfig("MaxArraySize = 0\n").ok());
}

TEST(ReadSlurmLimits, DefaultsTo1001WithoutScontrolOrOnFailure) {
  int calls = 0;
  CommandRunner never = [&](const std::vector<std::string>&) {
    ++calls;
    return absl::StatusOr<std::string>("MaxArraySize = 5\n");
  };
  SlurmLimits l = ReadSlurmLimits(never, /*have_scontrol=*/false);
  EXPECT_EQ(l.max_array_size, 1001);
  EXPECT_EQ(calls, 0);
  EXPECT_TRUE(absl::StrContains(l.source, "scontrol not found")) << l.source;
  EXPECT_EQ(ReadSlurmLimits(never, true).max_array_size, 5);
  CommandRunner failing = [](const std::vector<std::string>&) {
    return absl::StatusOr<std::string>(
        absl::FailedPreconditionError("scontrol: cannot reach slurmctld"));
  };
  l = ReadSlurmLimits(failing, true);
  EXPECT_EQ(l.max_array_size, 1001);
  EXPECT_TRUE(absl::StrContains(l.source, "cannot reach")) << l.source;
}

std::vector<int> Range(int from, int to) {
  std::vector<int> v;
  for (int i = from; i < to; ++i) v.push_back(i);
  return v;
}

TEST(SplitIntoArrays, TaskIdsStayBelowTheLimit) {
  // Within the limit: one array, task id = shard id.
  std::vector<ArrayChunk> c = SplitIntoArrays({0, 2, 5}, 1001);
  ASSERT_EQ(c.size(), 1u);
  EXPECT_EQ(c[0].base, 0);
  EXPECT_EQ(c[0].tasks, (std::vector<int>{0, 2, 5}));

  // The issue's case: 2000 shards at Slurm's default.
  c = SplitIntoArrays(Range(0, 2000), 1001);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].base, 0);
  EXPECT_EQ(c[0].tasks, Range(0, 1001));
  EXPECT_EQ(c[1].base, 1001);
  EXPECT_EQ(c[1].tasks, Range(0, 999));

  // A resubmission whose pending shards all lie above the limit.
  c = SplitIntoArrays({1500, 1502, 2600}, 1001);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_EQ(c[0].base, 1500);
  EXPECT_EQ(c[0].tasks, (std::vector<int>{0, 2}));
  EXPECT_EQ(c[1].base, 2600);
  EXPECT_EQ(c[1].tasks, (std::vector<int>{0}));

  // Every shard exactly once, every task id < limit.
  for (int limit : {1, 2, 3, 7}) {
    const std::vector<int> shards = {0, 1, 2, 3, 5, 8, 9, 13, 21};
    std::vector<int> covered;
    for (const ArrayChunk& chunk : SplitIntoArrays(shards, limit))
      for (int t : chunk.tasks) {
        EXPECT_LT(t, limit);
        covered.push_back(chunk.base + t);
      }
    EXPECT_EQ(covered, shards) << limit;
  }
  EXPECT_TRUE(SplitIntoArrays({}, 5).empty());
}

class NamedExperiment : public Experiment {
 public:
  std::string Name() const override { return "EXP"; }
  std::string Description() const override { return ""; }
  std::vector<RunSpec> Plan(Tier) const override { return {}; }
  absl::StatusOr<ExperimentResult> Analyze(
      Tier, const std::vector<RunRecord>&) const override {
    return ExperimentResult();
  }
};

SlurmOptions Options() {
  SlurmOptions o;
  o.out_dir = "/shared/out";
  o.shards = 5;
  o.partition = "compute";
  o.time = "01:00:00";
  o.cpus_per_task = 2;
  return o;
}

TEST(PlanSlurmJobs, SplitArraysWithOffsetsAndAMergeAfterAll) {
  SlurmLimits limits;
  limits.max_array_size = 2;
  const SlurmSubmission sub = PlanSlurmJobs(
      NamedExperiment(), Tier::kPaper, {0, 1, 2, 3, 4}, Options(),
      "/shared/out/bin/repro", limits);
  ASSERT_EQ(sub.arrays.size(), 3u);
  EXPECT_EQ(sub.arrays[0].script_path,
            "/shared/out/slurm/EXP.paper.array-0.sbatch");
  EXPECT_TRUE(absl::StrContains(sub.arrays[0].script_text,
                                "#SBATCH --array=0-1\n"));
  EXPECT_TRUE(absl::StrContains(sub.arrays[0].script_text,
                                "--shard=\"${SLURM_ARRAY_TASK_ID}\""));
  EXPECT_TRUE(absl::StrContains(sub.arrays[1].script_text,
                                "#SBATCH --array=0-1\n"));
  EXPECT_TRUE(absl::StrContains(sub.arrays[1].script_text,
                                "--shard=\"$((2 + SLURM_ARRAY_TASK_ID))\""));
  EXPECT_EQ(sub.arrays[1].sbatch_options,
            std::vector<std::string>{
                "--output=/shared/out/slurm/logs/EXP.paper.shard-2+%a.%A.out"});
  EXPECT_TRUE(absl::StrContains(sub.arrays[2].script_text,
                                "#SBATCH --array=0\n"));
  EXPECT_TRUE(absl::StrContains(sub.arrays[2].script_text,
                                "--shard=\"$((4 + SLURM_ARRAY_TASK_ID))\""));
  for (const SlurmJob& j : sub.arrays) {
    EXPECT_TRUE(absl::StrContains(j.script_text, "#SBATCH --partition=compute\n"));
    EXPECT_TRUE(absl::StrContains(j.script_text, "#SBATCH --time=01:00:00\n"));
    EXPECT_TRUE(j.after_any.empty());  // no throttle: arrays run side by side
  }
  const std::vector<std::string> ids = PlaceholderIds(sub);
  EXPECT_EQ(ids, (std::vector<std::string>{"ARRAY_JOB_ID_0", "ARRAY_JOB_ID_1",
                                           "ARRAY_JOB_ID_2"}));
  EXPECT_EQ(CommandLine(SbatchArgv(sub.merge, ids)),
            "sbatch --parsable "
            "--dependency=afterok:ARRAY_JOB_ID_0:ARRAY_JOB_ID_1:ARRAY_JOB_ID_2 "
            "--kill-on-invalid-dep=yes "
            "--output=/shared/out/slurm/logs/EXP.paper.merge.%j.out "
            "/shared/out/slurm/EXP.paper.merge.sbatch");
}

TEST(PlanSlurmJobs, WithinTheLimitScriptsAreUnchanged) {
  const SlurmSubmission sub =
      PlanSlurmJobs(NamedExperiment(), Tier::kCi, {0, 1, 3}, Options(),
                    "/r", SlurmLimits());
  ASSERT_EQ(sub.arrays.size(), 1u);
  EXPECT_EQ(sub.arrays[0].script_path, "/shared/out/slurm/EXP.ci.array.sbatch");
  EXPECT_TRUE(absl::StrContains(sub.arrays[0].script_text,
                                "#SBATCH --array=0-1,3\n"));
  EXPECT_EQ(sub.arrays[0].sbatch_options,
            std::vector<std::string>{
                "--output=/shared/out/slurm/logs/EXP.ci.shard-%a.%A.out"});
  EXPECT_EQ(PlaceholderIds(sub), std::vector<std::string>{"ARRAY_JOB_ID"});
  // Nothing pending: the merge alone, without a dependency.
  const SlurmSubmission merge_only = PlanSlurmJobs(
      NamedExperiment(), Tier::kCi, {}, Options(), "/r", SlurmLimits());
  EXPECT_TRUE(merge_only.arrays.empty());
  EXPECT_EQ(CommandLine(SbatchArgv(merge_only.merge, {})),
            "sbatch --parsable "
            "--output=/shared/out/slurm/logs/EXP.ci.merge.%j.out "
            "/shared/out/slurm/EXP.ci.merge.sbatch");
}

TEST(PlanSlurmJobs, MaxRunningThrottlesAndChainsArrays) {
  SlurmOptions o = Options();
  o.max_running = 4;
  SlurmLimits limits;
  limits.max_array_size = 3;
  const SlurmSubmission sub = PlanSlurmJobs(
      NamedExperiment(), Tier::kCi, {0, 1, 2, 3, 4}, o, "/r", limits);
  ASSERT_EQ(sub.arrays.size(), 2u);
  EXPECT_TRUE(absl::StrContains(sub.arrays[0].script_text,
                                "#SBATCH --array=0-2%4\n"));
  EXPECT_TRUE(absl::StrContains(sub.arrays[1].script_text,
                                "#SBATCH --array=0-1%4\n"));
  EXPECT_EQ(CommandLine(SbatchArgv(sub.arrays[1], {"11", "12"})),
            "sbatch --parsable --dependency=afterany:11 "
            "--output=/shared/out/slurm/logs/EXP.ci.shard-3+%a.%A.out "
            "/shared/out/slurm/EXP.ci.array-1.sbatch");
}

TEST(SubmitSlurmJobs, SubmitsInOrderAndPassesIds) {
  SlurmLimits limits;
  limits.max_array_size = 2;
  SlurmSubmission sub = PlanSlurmJobs(NamedExperiment(), Tier::kCi,
                                      {0, 1, 2}, Options(), "/r", limits);
  std::vector<std::string> seen;
  int next = 100;
  CommandRunner sbatch = [&](const std::vector<std::string>& argv) {
    seen.push_back(CommandLine(argv));
    return absl::StatusOr<std::string>(absl::StrCat(next++, ";cluster\n"));
  };
  ASSERT_TRUE(SubmitSlurmJobs(&sub, sbatch).ok());
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(sub.arrays[0].job_id, "100");
  EXPECT_EQ(sub.arrays[1].job_id, "101");
  EXPECT_EQ(sub.merge.job_id, "102");
  EXPECT_TRUE(absl::StrContains(seen[2], "--dependency=afterok:100:101 "))
      << seen[2];

  // A failing sbatch after the first array names what was submitted.
  SlurmSubmission again = PlanSlurmJobs(NamedExperiment(), Tier::kCi,
                                        {0, 1, 2}, Options(), "/r", limits);
  int call = 0;
  CommandRunner flaky = [&](const std::vector<std::string>&) {
    if (call++ == 0) return absl::StatusOr<std::string>("7\n");
    return absl::StatusOr<std::string>(
        absl::FailedPreconditionError("sbatch: QOSMaxSubmitJobPerUserLimit"));
  };
  const absl::Status s = SubmitSlurmJobs(&again, flaky);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(absl::StrContains(s.message(), "QOSMaxSubmitJobPerUserLimit"));
  EXPECT_TRUE(absl::StrContains(s.message(), "scancel 7")) << s;
}

// An experiment that takes any override, as a designed one takes its fields.
class SettableExperiment : public NamedExperiment {
 public:
  absl::Status SetOverrides(
      const std::vector<DesignOverride>& overrides) override {
    overrides_ = overrides;
    return absl::OkStatus();
  }
};

TEST(SlurmPaths, PatternLiteralsAndTheOneRefusedCharacter) {
  EXPECT_EQ(SlurmPatternLiteral("/a%b/%%c"), "/a%%b/%%%%c");
  EXPECT_EQ(SlurmPatternLiteral("/plain"), "/plain");
  for (const char* ok : {"/a b", "/it's", "/a\"b", "/$HOME", "/50%", "/a\nb"})
    EXPECT_TRUE(ValidateSlurmOutDir(ok).ok()) << ok;
  const absl::Status s = ValidateSlurmOutDir("/a\\b");
  EXPECT_TRUE(absl::IsInvalidArgument(s));
  EXPECT_TRUE(absl::StrContains(s.message(), "--out=/a\\b")) << s;
  EXPECT_TRUE(absl::StrContains(s.message(), "%A/%a")) << s;
}

// Issue 20: any path the filesystem accepts. The log path goes on sbatch's
// argv with '%' doubled; the scripts single-quote every path for bash, so
// running them hands the (fake) repro exactly the directory's bytes, and
// every --set reaches run-shard and merge.
TEST(PlanSlurmJobs, OutWithSpaceQuoteDollarAndPercentReachesEveryone) {
  const std::string out =
      ::testing::TempDir() + "/slurm out it's $HOME 50%d\nnext";
  ASSERT_TRUE(RemoveTree(out).ok());
  ASSERT_TRUE(MakeDirs(out + "/bin").ok());
  const std::string repro = out + "/bin/repro";
  // The fake repro records its arguments, one per line, beside itself.
  ASSERT_TRUE(WriteFileAtomic(repro,
                              "#!/bin/bash\n"
                              "printf '%s\\n' \"$@\" >> \"${0%/*}/args\"\n",
                              0755)
                  .ok());
  SettableExperiment e;
  ASSERT_TRUE(e.SetOverrides({{"seeds", "2"}, {"label", "a b;'c'"}}).ok());
  SlurmOptions o = Options();
  o.out_dir = out;
  SlurmLimits limits;
  limits.max_array_size = 2;
  SlurmSubmission sub = PlanSlurmJobs(e, Tier::kCi, {0, 3}, o, repro, limits);
  ASSERT_EQ(sub.arrays.size(), 2u);
  const std::string logs = SlurmPatternLiteral(out) + "/slurm/logs/EXP.ci";
  EXPECT_TRUE(absl::StrContains(logs, "50%%d")) << logs;
  const std::vector<std::string> ids = PlaceholderIds(sub);
  EXPECT_EQ(SbatchArgv(sub.arrays[1], ids),
            (std::vector<std::string>{
                "sbatch", "--parsable",
                absl::StrCat("--output=", logs, ".shard-3+%a.%A.out"),
                out + "/slurm/EXP.ci.array-1.sbatch"}));
  EXPECT_EQ(SbatchArgv(sub.merge, ids).at(4),
            absl::StrCat("--output=", logs, ".merge.%j.out"));
  for (const SlurmJob* j : {&sub.arrays[0], &sub.arrays[1], &sub.merge}) {
    // Before the command: #SBATCH lines without a path, and comments
    // whose newline cannot end early (the path's newline is escaped there;
    // inside the single-quoted command line it is the path's own byte).
    const std::string head =
        j->script_text.substr(0, j->script_text.find("set -euo pipefail\n"));
    EXPECT_TRUE(absl::StrContains(head, "50%d\\x0anext")) << head;
    for (absl::string_view line : absl::StrSplit(head, '\n')) {
      if (absl::StartsWith(line, "#SBATCH"))
        EXPECT_FALSE(absl::StrContains(line, "/")) << line;
      if (!line.empty()) EXPECT_TRUE(absl::StartsWith(line, "#")) << line;
    }
    EXPECT_TRUE(absl::StrContains(j->script_text,
                                  " --set seeds=2 --set 'label=a b;'\\''c'\\'''"))
        << j->script_text;
  }
  ASSERT_TRUE(WriteSlurmScripts(sub, out).ok());
  std::vector<std::vector<std::string>> submitted;
  int next = 1;
  CommandRunner sbatch = [&](const std::vector<std::string>& argv) {
    submitted.push_back(argv);
    return absl::StatusOr<std::string>(absl::StrCat(next++, "\n"));
  };
  ASSERT_TRUE(SubmitSlurmJobs(&sub, sbatch).ok());
  ASSERT_EQ(submitted.size(), 3u);
  EXPECT_EQ(submitted[2], SbatchArgv(sub.merge, {"1", "2"}));
  EXPECT_EQ(submitted[2].back(), out + "/slurm/EXP.ci.merge.sbatch");
  // What the node does with the scripts: bash runs them.
  absl::StatusOr<std::string> ran = RunCommand(
      {"env", "SLURM_ARRAY_TASK_ID=0", "bash", sub.arrays[1].script_path});
  ASSERT_TRUE(ran.ok()) << ran.status();
  ran = RunCommand({"bash", sub.merge.script_path});
  ASSERT_TRUE(ran.ok()) << ran.status();
  absl::StatusOr<std::string> args = ReadFile(out + "/bin/args");
  ASSERT_TRUE(args.ok()) << args.status();
  const std::string sets = "--set\nseeds=2\n--set\nlabel=a b;'c'\n";
  EXPECT_EQ(*args, absl::StrCat("run-shard\nEXP\n--tier=ci\n--shard=3\n--out=",
                                out, "\n", sets, "--jobs=2\n--quiet\n",
                                "merge\nEXP\n--tier=ci\n--out=", out, "\n",
                                sets));
}

}  // namespace
}  // namespace initrepro
