// Writes the synthetic prepared dataset of tests/launch/synthetic_data.hpp to a file, for the
// shell tests that run the real executables (MPI launch, SLURM).
// Usage: make_test_dataset OUT.h5 [train=1200] [test=300]
#include <cstdio>
#include <cstdlib>
#include <exception>

#include "tests/launch/synthetic_data.hpp"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: make_test_dataset OUT.h5 [train] [test]\n");
    return 2;
  }
  try {
    rnnsent::testing_support::write_synthetic_dataset(argv[1], argc > 2 ? std::atoi(argv[2]) : 1200,
                                                      argc > 3 ? std::atoi(argv[3]) : 300);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "make_test_dataset: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
