// TrainOneDnnF32: the model of PAPER.md ("The model every experiment
// trains") trained in float32, GEMMs on oneDNN matmul primitives (CPU
// engine), everything elementwise as plain loops.
//
// It runs the same loop as Train (TrainLoop in src/train/trainer.h) with a
// f32 oneDNN step plugged in, so it has the same semantics: the same initial
// parameters (drawn in f64 by DrawInitialParams or imported, then rounded to
// f32), the same split and batches, metrics every log_every steps and at the
// end, embedding snapshots, the diverged flag, wall_seconds of the loop only.
// RunResult holds f64 buffers (initial: the f64 draw as given; final: the
// f32 parameters widened), so run files and digests work unchanged.
//
// Bits: NOT part of the project's bit promises. oneDNN picks its kernels by
// the CPU's ISA and splits work by its (OpenMP) thread count, and SiLU uses
// libm's expf/logf; results are run-to-run identical only on the same
// machine type (same ISA), same oneDNN build and same thread count
// (OMP_NUM_THREADS). config.threads is ignored (oneDNN's default threading).
// config.backend must be "onednn" and config.dtype "f32" (InvalidArgument
// otherwise); every field is validated as Train validates it.
#ifndef INITREPRO_SRC_ONEDNN_ONEDNN_TRAINER_H_
#define INITREPRO_SRC_ONEDNN_ONEDNN_TRAINER_H_

#include "absl/status/statusor.h"
#include "src/train/config.h"
#include "src/train/trainer.h"

namespace initrepro {

absl::StatusOr<RunResult> TrainOneDnnF32(const TrainConfig& config,
                                         const InitialState& init = {});

}  // namespace initrepro

#endif  // INITREPRO_SRC_ONEDNN_ONEDNN_TRAINER_H_
