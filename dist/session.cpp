// MPI wrapper: see session.hpp. Large buffers are reduced in chunks because MPI counts are int.
#include "dist/session.hpp"

#include <mpi.h>
#include <sched.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

namespace rnnsent::dist {
namespace {

constexpr std::size_t kMaxChunk = std::size_t(INT_MAX) / 2;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + what);
}

constexpr int kPresenceTag = 4711;
constexpr int kRingTag = 4712;  // allgather_bytes' ring

double now_seconds() { return MPI_Wtime(); }

}  // namespace

// Rank 0's side of the step announcements: one receive outstanding per other rank, and the
// latest step each has announced. Other ranks keep their one send.
struct Session::Presence {
  std::vector<MPI_Request> requests;  // root: one per rank (index 0 unused); else [0] = the send
  std::vector<long long> inbox;       // root: the step each receive holds
  std::vector<long long> last_seen;   // root: the latest step announced by each rank
  long long outgoing = 0;             // the step this rank sent
};

void Session::begin_step(long long step, double deadline_seconds) const {
  step_ = step;
  deadline_ = size_ > 1 ? deadline_seconds : 0;
  if (deadline_ <= 0) return;
  step_start_ = now_seconds();
  if (!presence_) {
    presence_ = new Presence;
    presence_->requests.assign(std::size_t(size_), MPI_REQUEST_NULL);
    presence_->inbox.assign(std::size_t(size_), -1);
    presence_->last_seen.assign(std::size_t(size_), -1);
    if (rank_ == 0)
      for (int r = 1; r < size_; ++r)
        check(MPI_Irecv(&presence_->inbox[std::size_t(r)], 1, MPI_LONG_LONG, r, kPresenceTag,
                        MPI_COMM_WORLD, &presence_->requests[std::size_t(r)]),
              "MPI_Irecv");
  }
  if (rank_ == 0) {
    presence_->last_seen[0] = step;
    poll_presence();
    return;
  }
  // Announce this step unless the previous announcement is still in flight (rank 0 is behind).
  int done = 1;
  MPI_Request& send = presence_->requests[0];
  if (send != MPI_REQUEST_NULL) check(MPI_Test(&send, &done, MPI_STATUS_IGNORE), "MPI_Test");
  if (!done) return;
  presence_->outgoing = step;
  check(MPI_Isend(&presence_->outgoing, 1, MPI_LONG_LONG, 0, kPresenceTag, MPI_COMM_WORLD, &send),
        "MPI_Isend");
}

void Session::poll_presence() const {
  if (!presence_ || rank_ != 0) return;
  for (int r = 1; r < size_; ++r) {
    int done = 0;
    MPI_Request& req = presence_->requests[std::size_t(r)];
    check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
    while (done) {  // take every announcement that arrived, keep one receive posted
      presence_->last_seen[std::size_t(r)] = presence_->inbox[std::size_t(r)];
      check(MPI_Irecv(&presence_->inbox[std::size_t(r)], 1, MPI_LONG_LONG, r, kPresenceTag,
                      MPI_COMM_WORLD, &req),
            "MPI_Irecv");
      check(MPI_Test(&req, &done, MPI_STATUS_IGNORE), "MPI_Test");
    }
  }
}

void Session::wait(void* request, const char* what) const {
  MPI_Request* req = static_cast<MPI_Request*>(request);
  if (deadline_ <= 0) {
    check(MPI_Wait(req, MPI_STATUS_IGNORE), what);
    return;
  }
  for (;;) {
    int done = 0;
    check(MPI_Test(req, &done, MPI_STATUS_IGNORE), what);
    if (done) return;
    poll_presence();
    const double waited = now_seconds() - step_start_;
    if (waited > deadline_) break;
    sched_yield();
  }
  std::string silent;
  if (rank_ == 0) {
    for (int r = 1; r < size_; ++r)
      if (presence_->last_seen[std::size_t(r)] < step_)
        silent += (silent.empty() ? "" : ", ") + std::to_string(r);
  }
  char waited[32];
  std::snprintf(waited, sizeof waited, "%.1f", now_seconds() - step_start_);
  std::string who;
  if (rank_ != 0)
    who = "rank 0 names the silent rank(s), unless it is one of them";
  else if (!silent.empty())
    who = "rank(s) " + silent + " never reached it";
  else if (size_ == 2)
    who = "rank 1 reached it, then stopped answering during the exchange";
  else
    who = "every rank reached it, then the exchange stalled (a rank or link failed mid-step)";
  throw LostPeer("step " + std::to_string(step_) + ": " + what + " did not complete within " +
                 waited + " s (the step deadline): " + who + "; a rank or its host went silent");
}

Session::Session(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  // The step deadline waits on non-blocking collectives (wait() above), which Open MPI runs in
  // its libnbc module. For fewer than 4 ranks or an in-place buffer (every call here) libnbc
  // picks a binomial tree: rank 1 sends the whole gradient to rank 0, which sums it and sends
  // it all back, one after the other. Its reduce-scatter + allgather (Rabenseifner's; 3) halves
  // what each rank sends and overlaps the two directions: 7-21% more samples/s for the course
  // model across two hosts (docs/SCALING.md). Sums of two terms are the same in either order,
  // so P = 2 still equals one process bit for bit. A value the user set is kept; other MPIs
  // ignore the variable.
  if (!initialized) setenv("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "3", 0);
  if (!initialized) check(MPI_Init(argc, argv), "MPI_Init");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
  if (size_ > 1) order_ring();
}

void Session::order_ring() {
  // A host is named by its lowest rank: the ranks MPI can share memory with are on it.
  MPI_Comm host;
  check(MPI_Comm_split_type(MPI_COMM_WORLD, MPI_COMM_TYPE_SHARED, rank_, MPI_INFO_NULL, &host),
        "MPI_Comm_split_type");
  int first = rank_;
  check(MPI_Allreduce(&rank_, &first, 1, MPI_INT, MPI_MIN, host), "MPI_Allreduce");
  MPI_Comm_free(&host);
  std::vector<int> host_of(std::size_t(size_), 0);
  check(MPI_Allgather(&first, 1, MPI_INT, host_of.data(), 1, MPI_INT, MPI_COMM_WORLD),
        "MPI_Allgather");
  ring_.resize(std::size_t(size_));
  for (int r = 0; r < size_; ++r) ring_[std::size_t(r)] = r;
  std::stable_sort(ring_.begin(), ring_.end(),
                   [&](int a, int b) { return host_of[std::size_t(a)] < host_of[std::size_t(b)]; });
}

Session::~Session() {
  if (presence_) {
    // Rank 0's receives for announcements that will never come; a rank's own last send has a
    // receive posted for it, so it completes.
    for (std::size_t r = 1; rank_ == 0 && r < presence_->requests.size(); ++r) {
      if (presence_->requests[r] == MPI_REQUEST_NULL) continue;
      MPI_Cancel(&presence_->requests[r]);
      MPI_Wait(&presence_->requests[r], MPI_STATUS_IGNORE);
    }
    if (rank_ != 0 && presence_->requests[0] != MPI_REQUEST_NULL)
      MPI_Wait(&presence_->requests[0], MPI_STATUS_IGNORE);
    delete presence_;
  }
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void Session::sum_in_place(void* data, std::size_t n, std::size_t element) const {
  const MPI_Datatype type = element == sizeof(double) ? MPI_DOUBLE : MPI_FLOAT;
  char* bytes = static_cast<char*>(data);
  for (std::size_t at = 0; at < n; at += kMaxChunk) {
    const int count = int(std::min(kMaxChunk, n - at));
    if (deadline_ <= 0) {
      check(MPI_Allreduce(MPI_IN_PLACE, bytes + at * element, count, type, MPI_SUM, MPI_COMM_WORLD),
            "MPI_Allreduce");
      continue;
    }
    MPI_Request req;
    check(MPI_Iallreduce(MPI_IN_PLACE, bytes + at * element, count, type, MPI_SUM, MPI_COMM_WORLD,
                         &req),
          "MPI_Iallreduce");
    wait(&req, "the allreduce");
  }
}

void Session::allreduce_sum(float* data, std::size_t n) const {
  if (size_ > 1) sum_in_place(data, n, sizeof(float));
}

void Session::allreduce_sum(double* data, std::size_t n) const {
  if (size_ > 1) sum_in_place(data, n, sizeof(double));
}

namespace {

// MPI's displacements are int: the blocks must fit, as a whole, in an int count.
std::vector<int> displacements(const std::vector<int>& counts, int size, const char* what) {
  if (counts.size() != std::size_t(size))
    throw std::invalid_argument(std::string(what) + ": one count per rank");
  std::vector<int> at(counts.size(), 0);
  long long total = 0;
  for (std::size_t r = 0; r < counts.size(); ++r) {
    at[r] = int(total);
    total += counts[r];
  }
  if (total > INT_MAX)
    throw std::runtime_error(std::string(what) + ": more than 2^31 elements in one exchange");
  return at;
}

}  // namespace

void Session::reduce_scatter_sum(const float* data, float* mine,
                                 const std::vector<int>& counts) const {
  displacements(counts, size_, "reduce_scatter_sum");
  if (size_ == 1) {
    std::copy(data, data + counts[0], mine);
    return;
  }
  if (deadline_ <= 0) {
    check(MPI_Reduce_scatter(data, mine, counts.data(), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Reduce_scatter");
    return;
  }
  MPI_Request req;
  check(MPI_Ireduce_scatter(data, mine, counts.data(), MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD, &req),
        "MPI_Ireduce_scatter");
  wait(&req, "the reduce-scatter");
}

void Session::gather_blocks(const void* mine, void* all, const std::vector<int>& counts,
                            std::size_t element) const {
  const std::vector<int> at = displacements(counts, size_, "allgather");
  const MPI_Datatype type = element == sizeof(double)  ? MPI_DOUBLE
                            : element == sizeof(float) ? MPI_FLOAT
                                                       : MPI_BYTE;
  const int own = counts[std::size_t(rank_)];
  if (size_ == 1) {
    std::memcpy(all, mine, std::size_t(own) * element);
    return;
  }
  if (deadline_ <= 0) {
    check(MPI_Allgatherv(mine, own, type, all, counts.data(), at.data(), type, MPI_COMM_WORLD),
          "MPI_Allgatherv");
    return;
  }
  MPI_Request req;
  check(MPI_Iallgatherv(mine, own, type, all, counts.data(), at.data(), type, MPI_COMM_WORLD, &req),
        "MPI_Iallgatherv");
  wait(&req, "the allgather");
}

void Session::allgather(const float* mine, float* all, const std::vector<int>& counts) const {
  gather_blocks(mine, all, counts, sizeof(float));
}

void Session::allgather(const double* mine, double* all, const std::vector<int>& counts) const {
  gather_blocks(mine, all, counts, sizeof(double));
}

// A ring, not MPI_Iallgatherv: Open MPI's libnbc gathers linearly, every rank sending its block
// to every other, so with two ranks on each of two hosts every block crossed the link twice and
// the sparse exchange lost to the allreduce at 1 Gbit/s (docs/SCALING.md). Round a ring that
// visits each host's ranks together (ring_) each block crosses each link once. P - 1 steps; in
// step k a rank passes on the block it received in step k - 1 (its own first). Blocks land at
// their rank's place in `all` whatever the ring's order.
void Session::allgather_bytes(const void* mine, void* all, const std::vector<int>& counts) const {
  const std::vector<int> at = displacements(counts, size_, "allgather");
  char* out = static_cast<char*>(all);
  std::memcpy(out + at[std::size_t(rank_)], mine, std::size_t(counts[std::size_t(rank_)]));
  if (size_ == 1) return;
  const int P = size_;
  const int pos = int(std::find(ring_.begin(), ring_.end(), rank_) - ring_.begin());
  auto member = [&](int k) { return ring_[std::size_t(((pos + k) % P + P) % P)]; };
  const int next = member(1), prev = member(-1);
  for (int k = 0; k + 1 < P; ++k) {
    const auto send = std::size_t(member(-k)), recv = std::size_t(member(-k - 1));
    MPI_Request req[2];
    check(
        MPI_Irecv(out + at[recv], counts[recv], MPI_BYTE, prev, kRingTag, MPI_COMM_WORLD, &req[0]),
        "MPI_Irecv");
    check(
        MPI_Isend(out + at[send], counts[send], MPI_BYTE, next, kRingTag, MPI_COMM_WORLD, &req[1]),
        "MPI_Isend");
    if (deadline_ <= 0) {
      check(MPI_Waitall(2, req, MPI_STATUSES_IGNORE), "MPI_Waitall");
      continue;
    }
    wait(&req[0], "the allgather");
    wait(&req[1], "the allgather");
  }
}

std::vector<int> Session::allgather_int(int value) const {
  std::vector<int> all(std::size_t(size_), value);
  gather_blocks(&value, all.data(), std::vector<int>(std::size_t(size_), int(sizeof(int))), 1);
  return all;
}

void Session::broadcast(float* data, std::size_t n, int root) const {
  if (size_ == 1) return;
  for (std::size_t at = 0; at < n; at += kMaxChunk)
    check(MPI_Bcast(data + at, int(std::min(kMaxChunk, n - at)), MPI_FLOAT, root, MPI_COMM_WORLD),
          "MPI_Bcast");
}

void Session::broadcast(int* data, std::size_t n, int root) const {
  if (size_ == 1) return;
  check(MPI_Bcast(data, int(n), MPI_INT, root, MPI_COMM_WORLD), "MPI_Bcast");
}

void Session::broadcast(char* data, std::size_t n, int root) const {
  if (size_ == 1) return;
  for (std::size_t at = 0; at < n; at += kMaxChunk)
    check(MPI_Bcast(data + at, int(std::min(kMaxChunk, n - at)), MPI_CHAR, root, MPI_COMM_WORLD),
          "MPI_Bcast");
}

int Session::allreduce_min(int value) const {
  if (size_ == 1) return value;
  int out = value;
  check(MPI_Allreduce(&value, &out, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD), "MPI_Allreduce");
  return out;
}

void Session::check_launch() const {
  const char* step_tasks = std::getenv("SLURM_STEP_NUM_TASKS");
  if (size_ == 1 && step_tasks && std::atoi(step_tasks) > 1)
    throw std::runtime_error(
        "srun started " + std::string(step_tasks) +
        " tasks but MPI sees 1 rank: each would train alone. Use srun --mpi=pmix (or mpirun "
        "inside the allocation); SLURM_STEP_NUM_TASKS=" +
        step_tasks);
}

void Session::barrier() const {
  if (size_ > 1) MPI_Barrier(MPI_COMM_WORLD);
}

void Session::step_barrier(const char* what) const {
  if (size_ == 1) return;
  if (deadline_ <= 0) {
    check(MPI_Barrier(MPI_COMM_WORLD), "MPI_Barrier");
    return;
  }
  MPI_Request req;
  check(MPI_Ibarrier(MPI_COMM_WORLD, &req), "MPI_Ibarrier");
  wait(&req, what);
}

void Session::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]]
}

}  // namespace rnnsent::dist
