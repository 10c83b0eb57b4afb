// The shared-memory window; see node_window.hpp.
#include "dist/node_window.hpp"

#include <mpi.h>
#include <sys/statvfs.h>

#include <cstdint>
#include <cstdio>
#include <exception>

namespace rnnsent::dist {
namespace {

constexpr std::size_t kAlign = 64;

std::size_t aligned(std::size_t bytes) { return (bytes + kAlign - 1) / kAlign * kAlign; }

constexpr const char* kBackingDir = "/dev/shm";  // where Open MPI's osc/sm maps the window
// What MPI's own shared-memory transport and other jobs may still need there besides the window.
constexpr double kSpareBytes = 64.0 * 1024 * 1024;

// Free bytes in the backing file system; 0 when it cannot be read.
double free_backing_bytes() {
  struct statvfs fs {};
  if (statvfs(kBackingDir, &fs) != 0) return 0;
  return double(fs.f_bavail) * double(fs.f_frsize);
}

}  // namespace

std::unique_ptr<NodeWindow> NodeWindow::open(const Session& session, std::size_t bytes_per_rank,
                                             std::string* why) {
  if (session.size() < 2) return nullptr;
  MPI_Comm host;
  if (MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, session.rank(), MPI_INFO_NULL,
                          &host) != MPI_SUCCESS)
    return nullptr;
  int host_size = 0;
  MPI_Comm_size(host, &host_size);
  // The same answer on every rank: either all ranks share this host or every host's group is
  // smaller than the job.
  if (host_size != session.size()) {
    MPI_Comm_free(&host);
    return nullptr;
  }
  // Segments of one size, each padded to a cache line so no two ranks write the same line.
  const std::size_t stride = aligned(bytes_per_rank);
  const double needed = double(stride) * session.size(), free = free_backing_bytes();
  if (!session.allreduce_min(free >= needed + kSpareBytes ? 1 : 0)) {
    MPI_Comm_free(&host);
    if (why) {
      char text[160];
      std::snprintf(text, sizeof text,
                    "%s has %.0f MB free, the window needs %.0f MB and %.0f spare", kBackingDir,
                    free / 1048576, needed / 1048576, kSpareBytes / 1048576);
      *why = text;
    }
    return nullptr;
  }
  // The failure of one rank's allocation must not abort the job: errors are returned and agreed
  // on.
  MPI_Comm_set_errhandler(host, MPI_ERRORS_RETURN);
  MPI_Info info;
  MPI_Info_create(&info);
  MPI_Info_set(info, "alloc_shared_noncontig", "false");
  auto* window = new MPI_Win;
  void* mine = nullptr;
  const int rc = MPI_Win_allocate_shared(MPI_Aint(stride), 1, info, host, &mine, window);
  MPI_Info_free(&info);
  const int ok = session.allreduce_min(rc == MPI_SUCCESS ? 1 : 0);
  if (!ok) {
    if (why) *why = "MPI_Win_allocate_shared failed";
    if (rc == MPI_SUCCESS) MPI_Win_free(window);
    delete window;
    MPI_Comm_free(&host);
    return nullptr;
  }
  MPI_Aint size = 0;
  int unit = 0;
  void* base = nullptr;
  MPI_Win_shared_query(*window, 0, &size, &unit, &base);
  // The window keeps its own reference to the group; the communicator is not needed again.
  MPI_Comm_free(&host);
  // A passive-target epoch for the whole run, so MPI_Win_sync may order loads and stores.
  MPI_Win_lock_all(MPI_MODE_NOCHECK, *window);
  return std::unique_ptr<NodeWindow>(
      new NodeWindow(session, window, stride, static_cast<char*>(base)));
}

NodeWindow::NodeWindow(const Session& session, void* window, std::size_t stride, char* base)
    : session_(session), window_(window), stride_(stride), base_(base) {}

NodeWindow::~NodeWindow() {
  auto* window = static_cast<MPI_Win*>(window_);
  // MPI_Win_free is collective: while an exception unwinds (a lost peer, a stop) the other
  // ranks may never reach it, so the window is left to the process's exit.
  if (std::uncaught_exceptions() > 0) return;
  MPI_Win_unlock_all(*window);
  MPI_Win_free(window);
  delete window;
}

char* NodeWindow::segment(int rank) const { return base_ + std::size_t(rank) * stride_; }

void NodeWindow::fence(const char* what) const {
  MPI_Win window = *static_cast<MPI_Win*>(window_);
  MPI_Win_sync(window);
  session_.step_barrier(what);
  MPI_Win_sync(window);
}

}  // namespace rnnsent::dist
