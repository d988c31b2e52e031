#include "src/io/file_lock.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace initrepro {
namespace {

bool AllDigits(absl::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

bool LocksUnsupported(int err) {
  return err == ENOLCK || err == EOPNOTSUPP || err == ENOTSUP || err == EINVAL;
}

}  // namespace

absl::StatusOr<FileLock> FileLock::Acquire(const std::string& path, Mode mode) {
  // Bounded: each retry means another holder released and removed the file
  // between our open and our flock, which cannot repeat forever.
  for (int attempt = 0; attempt < 1000; ++attempt) {
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0)
      return absl::ErrnoToStatus(errno,
                                 absl::StrCat(path, ": open lock file"));
    int rc;
    do {
      rc = ::flock(fd, LOCK_EX | (mode == kTry ? LOCK_NB : 0));
    } while (rc != 0 && errno == EINTR);
    if (rc != 0) {
      const int err = errno;
      ::close(fd);
      if (err == EWOULDBLOCK)
        return absl::UnavailableError(
            absl::StrCat(path, ": locked by another process"));
      if (LocksUnsupported(err)) {
        static std::atomic<bool> warned{false};
        if (!warned.exchange(true))
          std::fprintf(stderr,
                       "warning: %s: this filesystem does not support file "
                       "locks (%s); proceeding without them: results stay "
                       "right, but concurrent commands may train the same "
                       "run twice\n",
                       path.c_str(), std::strerror(err));
        return FileLock(path, -1);
      }
      return absl::ErrnoToStatus(err, absl::StrCat(path, ": flock"));
    }
    // Still the file at `path`? A holder removes it on release, so the inode
    // we locked may be one nobody else will ever open again.
    struct stat by_fd, by_path;
    if (::fstat(fd, &by_fd) == 0 && ::stat(path.c_str(), &by_path) == 0 &&
        by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino)
      return FileLock(path, fd);
    ::close(fd);
  }
  return absl::InternalError(
      absl::StrCat(path, ": lock file kept changing under us"));
}

FileLock::FileLock(FileLock&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_) {
  other.fd_ = -1;
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    Release();
    path_ = std::move(other.path_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

FileLock::~FileLock() { Release(); }

void FileLock::Release() {
  if (fd_ < 0) return;
  // Removed while still locked, so no one can lock this inode after us
  // believing it is the current lock file (see Acquire's check).
  ::unlink(path_.c_str());
  ::close(fd_);
  fd_ = -1;
}

bool ProcessAlive(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

std::vector<DeadTemp> FindDeadTemps(const std::string& dir,
                                    const std::string& dir_prefix) {
  std::vector<DeadTemp> found;
  DIR* listing = ::opendir(dir.c_str());
  if (listing == nullptr) return found;
  const std::time_t now = std::time(nullptr);
  while (const dirent* entry = ::readdir(listing)) {
    const std::string name = entry->d_name;
    std::string target;
    long pid = 0;
    const size_t tmp = name.rfind(".tmp.");
    if (tmp == std::string::npos) continue;
    const absl::string_view tail = absl::string_view(name).substr(tmp + 5);
    if (!dir_prefix.empty() && name.compare(0, tmp, dir_prefix) == 0 &&
        tmp == dir_prefix.size() && AllDigits(tail)) {
      // "DIR_PREFIX.tmp.PID"
      target = dir_prefix;
      if (!absl::SimpleAtoi(tail, &pid)) continue;
    } else if (name.size() > 1 && name[0] == '.' && tmp > 1) {
      // ".NAME.tmp.PID.N"
      const size_t dot = tail.find('.');
      if (dot == absl::string_view::npos || !AllDigits(tail.substr(0, dot)) ||
          !AllDigits(tail.substr(dot + 1)))
        continue;
      if (!absl::SimpleAtoi(tail.substr(0, dot), &pid)) continue;
      target = name.substr(1, tmp - 1);
    } else {
      continue;
    }
    if (ProcessAlive(pid)) continue;
    const std::string path = absl::StrCat(dir, "/", name);
    struct stat st;
    if (::lstat(path.c_str(), &st) != 0) continue;
    found.push_back({path, target, std::difftime(now, st.st_mtime)});
  }
  ::closedir(listing);
  return found;
}

}  // namespace initrepro
