// The check that every rank of an MPI job runs the same job. Ranks started with other flags
// (an MPMD launch, a stale script on one node) would issue different collectives and crash or
// hang inside MPI, or silently train another model; so before the first collective of a run
// the ranks compare their resolved config and the dataset they opened, line by line.
#pragma once

#include <stdexcept>
#include <string>

#include "dist/session.hpp"

namespace rnnsent {

// Thrown on every rank alike (all of them know it): only rank 0 reports it, every rank exits
// normally, so the job ends with one line.
struct JobError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// description: "key = value" lines that must be equal on every rank. Throws JobError on every
// rank naming the first differing key and the lowest rank that differs from rank 0.
void check_same_job(const std::string& description, const dist::Session& session);

}  // namespace rnnsent
