// MPI wrapper: see session.hpp. Large buffers are reduced in chunks because MPI counts are int.
#include "dist/session.hpp"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace rnnsent::dist {
namespace {

constexpr std::size_t kMaxChunk = std::size_t(INT_MAX) / 2;

void check(int rc, const char* what) {
  if (rc != MPI_SUCCESS) throw std::runtime_error(std::string("MPI call failed: ") + what);
}

template <typename T>
void allreduce_chunks(T* data, std::size_t n, MPI_Datatype type) {
  for (std::size_t at = 0; at < n; at += kMaxChunk) {
    int count = int(std::min(kMaxChunk, n - at));
    check(MPI_Allreduce(MPI_IN_PLACE, data + at, count, type, MPI_SUM, MPI_COMM_WORLD),
          "MPI_Allreduce");
  }
}

}  // namespace

Session::Session(int* argc, char*** argv) {
  int initialized = 0;
  MPI_Initialized(&initialized);
  if (!initialized) check(MPI_Init(argc, argv), "MPI_Init");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

Session::~Session() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

void Session::allreduce_sum(float* data, std::size_t n) const {
  if (size_ > 1) allreduce_chunks(data, n, MPI_FLOAT);
}

void Session::allreduce_sum(double* data, std::size_t n) const {
  if (size_ > 1) allreduce_chunks(data, n, MPI_DOUBLE);
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

void Session::abort(int code) const {
  MPI_Abort(MPI_COMM_WORLD, code);
  std::abort();  // MPI_Abort does not return; this satisfies [[noreturn]]
}

}  // namespace rnnsent::dist
