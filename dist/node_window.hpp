// An MPI-3 shared-memory window over the ranks of one host. Each rank allocates a segment of
// the same size and can load from and store to every other rank's segment directly, so ranks
// on one host can sum a gradient where it lies instead of copying it through MPI's
// shared-memory transport (an allreduce moves every byte two or three times, and at one thread
// per rank that copying is on the step's critical path). Opened only when every rank of the
// job is on this host; otherwise the exchange stays on MPI collectives.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "dist/session.hpp"

namespace rnnsent::dist {

class NodeWindow {
 public:
  // Collective over every rank. Null on every rank alike when the job spans more than one
  // host, has one rank, or the window cannot be allocated: the caller then keeps its MPI
  // exchange, and *why (if given) says why when the reason is not the hosts. Open MPI backs the
  // window with a file in /dev/shm and, when that file system is too small, warns and then
  // hangs or dies at the first touch of a page: so /dev/shm's free space is checked first.
  static std::unique_ptr<NodeWindow> open(const Session& session, std::size_t bytes_per_rank,
                                          std::string* why = nullptr);
  ~NodeWindow();
  NodeWindow(const NodeWindow&) = delete;
  NodeWindow& operator=(const NodeWindow&) = delete;

  // Rank r's segment (bytes_per_rank bytes, 64-byte aligned), mapped in this process.
  char* segment(int rank) const;

  // Every rank's stores before the fence are visible to every rank's loads after it: a memory
  // barrier on each side of a barrier that waits within the session's step deadline, so a
  // rank that went silent ends the step with LostPeer instead of a hang.
  void fence(const char* what) const;

 private:
  NodeWindow(const Session& session, void* window, std::size_t stride, char* base);
  const Session& session_;
  void* window_;        // MPI_Win*
  std::size_t stride_;  // bytes from one rank's segment to the next
  char* base_;          // rank 0's segment
};

}  // namespace rnnsent::dist
