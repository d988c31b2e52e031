#include "src/io/atomic_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"
#include "src/core/status_macros.h"

namespace initrepro {
namespace {

// "<path>: <what>: <strerror>", with the code derived from errno.
absl::Status ErrnoError(int err, absl::string_view path,
                        absl::string_view what) {
  return absl::ErrnoToStatus(err, absl::StrCat(path, ": ", what));
}

std::string DirName(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

std::string BaseName(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// Closes `fd` on scope exit unless released; close errors after a successful
// fsync cannot lose data, so they are only checked where it matters.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) ::close(fd_);
  }
  int Release() {
    const int fd = fd_;
    fd_ = -1;
    return fd;
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

absl::Status WriteAll(int fd, absl::string_view bytes,
                      const std::string& path) {
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, path, "write");
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

// Makes a completed rename in `dir` durable across power loss.
absl::Status FsyncDir(const std::string& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, dir, "open directory for fsync");
  FdCloser closer(fd);
  if (::fsync(fd) != 0) return ErrnoError(errno, dir, "fsync directory");
  return absl::OkStatus();
}

// Writes, fsyncs and closes an already created temp file; mode < 0 keeps
// the mode it was created with.
absl::Status FillTemp(int fd, absl::string_view bytes, const std::string& tmp,
                      int mode) {
  FdCloser closer(fd);
  RETURN_IF_ERROR(WriteAll(fd, bytes, tmp));
  if (mode >= 0 && ::fchmod(fd, static_cast<mode_t>(mode)) != 0)
    return ErrnoError(errno, tmp, "fchmod");
  if (::fsync(fd) != 0) return ErrnoError(errno, tmp, "fsync");
  // Some filesystems (NFS) report deferred write errors only at close.
  if (::close(closer.Release()) != 0) return ErrnoError(errno, tmp, "close");
  return absl::OkStatus();
}

absl::Status RemoveTreeImpl(const std::string& path) {
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return absl::OkStatus();
    return ErrnoError(errno, path, "lstat");
  }
  if (!S_ISDIR(st.st_mode)) {
    if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
      return ErrnoError(errno, path, "unlink");
    }
    return absl::OkStatus();
  }
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return ErrnoError(errno, path, "opendir");
  // Collect names first: deleting while iterating is unspecified for readdir.
  std::vector<std::string> children;
  errno = 0;
  while (struct dirent* entry = ::readdir(dir)) {
    const absl::string_view name = entry->d_name;
    if (name != "." && name != "..") children.emplace_back(name);
    errno = 0;
  }
  const int read_errno = errno;
  ::closedir(dir);
  if (read_errno != 0) return ErrnoError(read_errno, path, "readdir");
  for (const std::string& child : children) {
    RETURN_IF_ERROR(RemoveTreeImpl(absl::StrCat(path, "/", child)));
  }
  if (::rmdir(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoError(errno, path, "rmdir");
  }
  return absl::OkStatus();
}

}  // namespace

namespace {

absl::Status WriteFileAtomicImpl(const std::string& path,
                                absl::string_view bytes, int mode) {
  const std::string base = BaseName(path);
  if (base.empty() || base == "." || base == "..") {
    return absl::InvalidArgumentError(
        absl::StrCat(path, ": expected a file path, found a directory path"));
  }
  const std::string dir = DirName(path);
  // Keep the temp name under NAME_MAX (255) even for long target names.
  const std::string stem = base.substr(0, 200);

  // pid separates processes; the counter separates threads and retries. A
  // stale temp left by a crashed process with the same pid is skipped (EEXIST).
  static std::atomic<uint64_t> counter{0};
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 100 && fd < 0; ++attempt) {
    tmp = absl::StrCat(dir, "/.", stem, ".tmp.", ::getpid(), ".",
                       counter.fetch_add(1));
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
    if (fd < 0 && errno != EEXIST) {
      return ErrnoError(errno, path, absl::StrCat("create temp file ", tmp));
    }
  }
  if (fd < 0) return ErrnoError(EEXIST, path, "create temp file");

  absl::Status status = FillTemp(fd, bytes, tmp, mode);
  if (status.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    status = ErrnoError(errno, path, absl::StrCat("rename from ", tmp));
  }
  if (!status.ok()) {
    ::unlink(tmp.c_str());
    // Name the target first even when the failing step was on the temp file.
    if (!absl::StartsWith(status.message(), path)) {
      status = absl::Status(status.code(),
                            absl::StrCat(path, ": ", status.message()));
    }
    return status;
  }
  return FsyncDir(dir);
}

}  // namespace

absl::Status WriteFileAtomic(const std::string& path, absl::string_view bytes) {
  return WriteFileAtomicImpl(path, bytes, -1);
}

absl::Status WriteFileAtomic(const std::string& path, absl::string_view bytes,
                             mode_t mode) {
  return WriteFileAtomicImpl(path, bytes, static_cast<int>(mode));
}

absl::StatusOr<std::string> ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoError(errno, path, "open for read");
  FdCloser closer(fd);
  std::string out;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
    out.reserve(static_cast<size_t>(st.st_size));
  }
  char buf[1 << 16];
  while (true) {
    const ssize_t n = ::read(fd, buf, sizeof(buf));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoError(errno, path, "read");
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

absl::Status MakeDirs(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("MakeDirs: expected a path, found ''");
  }
  // Create each prefix ending before a '/', then the whole path.
  for (size_t pos = path.find('/', 1);; pos = path.find('/', pos + 1)) {
    const std::string prefix =
        pos == std::string::npos ? path : path.substr(0, pos);
    if (!prefix.empty() && prefix.back() != '/') {
      if (::mkdir(prefix.c_str(), 0777) != 0) {
        const int err = errno;
        struct stat st;
        // EEXIST covers files too; EACCES/EROFS may hit an existing ancestor.
        if (::stat(prefix.c_str(), &st) != 0) {
          return ErrnoError(err, prefix, "mkdir");
        }
        if (!S_ISDIR(st.st_mode)) {
          return ErrnoError(ENOTDIR, path,
                            absl::StrCat("mkdir: ", prefix, " exists"));
        }
      }
    }
    if (pos == std::string::npos) break;
  }
  return absl::OkStatus();
}

absl::Status RemoveTree(const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError("RemoveTree: expected a path, found ''");
  }
  return RemoveTreeImpl(path);
}

absl::Status RenameDirAtomic(const std::string& from, const std::string& to) {
  if (!PathExists(from)) {
    return absl::NotFoundError(
        absl::StrCat(from, ": rename to ", to, ": source does not exist"));
  }
  if (PathExists(to)) {
    if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(),
                    RENAME_EXCHANGE) == 0) {
      // The old tree now lives at `from`.
      RETURN_IF_ERROR(RemoveTree(from));
      return FsyncDir(DirName(to));
    }
    const int err = errno;
    // Only fall back where the kernel or filesystem lacks RENAME_EXCHANGE.
    if (err != EINVAL && err != ENOSYS && err != ENOTSUP) {
      return ErrnoError(err, to, absl::StrCat("exchange with ", from));
    }
    RETURN_IF_ERROR(RemoveTree(to));
  }
  if (::rename(from.c_str(), to.c_str()) != 0) {
    return ErrnoError(errno, to, absl::StrCat("rename from ", from));
  }
  return FsyncDir(DirName(to));
}

absl::Status RenameDirNoReplace(const std::string& from, const std::string& to) {
  if (::renameat2(AT_FDCWD, from.c_str(), AT_FDCWD, to.c_str(),
                  RENAME_NOREPLACE) != 0) {
    int err = errno;
    if (err == EINVAL || err == ENOSYS || err == ENOTSUP) {
      if (PathExists(to)) {
        err = EEXIST;
      } else if (::rename(from.c_str(), to.c_str()) == 0) {
        return FsyncDir(DirName(to));
      } else {
        err = errno;
      }
    }
    if (err == EEXIST || err == ENOTEMPTY)
      return absl::AlreadyExistsError(absl::StrCat(
          to, ": exists (written meanwhile by another process?); not replaced"));
    return ErrnoError(err, to, absl::StrCat("rename from ", from));
  }
  return FsyncDir(DirName(to));
}

bool PathExists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace initrepro
