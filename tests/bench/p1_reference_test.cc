#include "tests/bench/p1_reference.h"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "gtest/gtest.h"

namespace initrepro {
namespace {

// The script's output as it prints it (pytorch_reference_step.py).
constexpr char kOutput[] =
    "torch 1.13.0a0, threads 1, p=59 d=128 hidden=100 batch=2784, float64\n"
    "BLAS mapped: /usr/lib/x86_64-linux-gnu/blas/libblas.so.3.11.0, "
    "/usr/lib/x86_64-linux-gnu/lapack/liblapack.so.3.11.0\n"
    "final loss 4.018374 after 3 steps\n"
    "ms_per_step=198.679 cpu_ms_per_step=197.851 threads=1 steps=2\n";

TEST(ParseP1Output, ReadsTheTimingLineVersionAndBlas) {
  absl::StatusOr<P1Step> p1 = ParseP1Output(kOutput);
  ASSERT_TRUE(p1.ok()) << p1.status();
  EXPECT_EQ(p1->wall_ms, 198.679);
  EXPECT_EQ(p1->cpu_ms, 197.851);
  EXPECT_EQ(p1->threads, 1);
  EXPECT_EQ(p1->steps, 2);
  EXPECT_EQ(p1->torch, "1.13.0a0");
  EXPECT_EQ(p1->blas, "libblas.so.3.11.0 liblapack.so.3.11.0");
}

TEST(ParseP1Output, NoBlasFoundIsEmpty) {
  absl::StatusOr<P1Step> p1 = ParseP1Output(
      "BLAS mapped: none found\n"
      "ms_per_step=1 cpu_ms_per_step=1 threads=1 steps=1\n");
  ASSERT_TRUE(p1.ok()) << p1.status();
  EXPECT_EQ(p1->blas, "");
  EXPECT_EQ(p1->torch, "?");
}

TEST(ParseP1Output, MissingTimingLineNamesTheExpectedLine) {
  absl::StatusOr<P1Step> p1 = ParseP1Output("ms/step wall 24.1 cpu 23.9\n");
  ASSERT_EQ(p1.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(absl::StrContains(p1.status().message(), "ms_per_step=W"))
      << p1.status();
  EXPECT_TRUE(absl::StrContains(p1.status().message(), "ms/step wall 24.1"))
      << p1.status();
}

TEST(ParseP1Output, BadNumbersAreRefused) {
  for (const char* line :
       {"ms_per_step=x cpu_ms_per_step=1 threads=1 steps=1",
        "ms_per_step=1 threads=1 steps=1",
        "ms_per_step=1 cpu_ms_per_step=1 threads=one steps=1",
        "ms_per_step=0 cpu_ms_per_step=1 threads=1 steps=1",
        "ms_per_step=nan cpu_ms_per_step=1 threads=1 steps=1"}) {
    EXPECT_EQ(ParseP1Output(line).status().code(),
              absl::StatusCode::kInvalidArgument)
        << line;
  }
}

TEST(P1ScriptPath, FindsTheScriptInTheRunfiles) {
  absl::StatusOr<std::string> path = P1ScriptPath();
  ASSERT_TRUE(path.ok()) << path.status();
  EXPECT_TRUE(absl::EndsWith(*path, "tests/bench/pytorch_reference_step.py"))
      << *path;
}

}  // namespace
}  // namespace initrepro
