#include "src/io/file_lock.h"

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "src/io/atomic_file.h"

namespace initrepro {
namespace {

std::string TempDir(const std::string& name) {
  const char* t = std::getenv("TEST_TMPDIR");
  const std::string dir = absl::StrCat(t != nullptr ? t : "/tmp", "/", name);
  EXPECT_TRUE(RemoveTree(dir).ok());
  EXPECT_TRUE(MakeDirs(dir).ok());
  return dir;
}

TEST(FileLock, ExcludesAndIsRemovedOnRelease) {
  const std::string path = TempDir("lock1") + "/KEY.lock";
  {
    absl::StatusOr<FileLock> a = FileLock::Acquire(path, FileLock::kTry);
    ASSERT_TRUE(a.ok()) << a.status();
    EXPECT_TRUE(a->held());
    absl::StatusOr<FileLock> b = FileLock::Acquire(path, FileLock::kTry);
    EXPECT_TRUE(absl::IsUnavailable(b.status())) << b.status();
    EXPECT_TRUE(absl::StrContains(b.status().message(), path));
  }
  EXPECT_FALSE(PathExists(path));
  absl::StatusOr<FileLock> c = FileLock::Acquire(path, FileLock::kTry);
  EXPECT_TRUE(c.ok() && c->held()) << c.status();
}

TEST(FileLock, ExcludesAnotherProcess) {
  const std::string path = TempDir("lock2") + "/KEY.lock";
  absl::StatusOr<FileLock> a = FileLock::Acquire(path, FileLock::kWait);
  ASSERT_TRUE(a.ok()) << a.status();
  const pid_t child = ::fork();
  if (child == 0) {
    absl::StatusOr<FileLock> b = FileLock::Acquire(path, FileLock::kTry);
    ::_exit(absl::IsUnavailable(b.status()) ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

// Many threads taking and releasing one lock (which removes the file each
// time): never two holders at once.
TEST(FileLock, NeverTwoHoldersUnderChurn) {
  const std::string path = TempDir("lock3") + "/KEY.lock";
  std::atomic<int> inside{0}, worst{0}, rounds{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int k = 0; k < 200; ++k) {
        absl::StatusOr<FileLock> l = FileLock::Acquire(path, FileLock::kWait);
        ASSERT_TRUE(l.ok() && l->held()) << l.status();
        const int now = ++inside;
        int w = worst.load();
        while (now > w && !worst.compare_exchange_weak(w, now)) {
        }
        --inside;
        ++rounds;
      }
    });
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(worst.load(), 1);
  EXPECT_EQ(rounds.load(), 1600);
}

TEST(FindDeadTemps, FindsOnlyTempsOfDeadProcesses) {
  const std::string dir = TempDir("temps");
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // now a PID that is (almost surely) free
  const std::string dead = absl::StrCat(child);
  const std::string live = absl::StrCat(::getpid());
  for (const std::string& name :
       std::vector<std::string>{".K1.run.tmp." + dead + ".0", ".K2.run.tmp." + live + ".3",
        "out.tmp." + dead, "other.tmp." + dead, "K3.run", ".K4.run.tmp.x.1",
        "notes.tmp.txt"})
    ASSERT_TRUE(WriteFileAtomic(dir + "/" + name, "x").ok());
  std::vector<DeadTemp> found = FindDeadTemps(dir, "out");
  std::vector<std::string> targets;
  for (const DeadTemp& t : found) targets.push_back(t.target);
  std::sort(targets.begin(), targets.end());
  EXPECT_EQ(targets, (std::vector<std::string>{"K1.run", "out"}));
  // Without a directory prefix, only WriteFileAtomic's temps.
  found = FindDeadTemps(dir);
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].path, dir + "/.K1.run.tmp." + dead + ".0");
  EXPECT_LT(found[0].age_seconds, kStaleTempSeconds);
}

}  // namespace
}  // namespace initrepro
