/* Ganglion SDK: everything a plugin needs. */
#ifndef GANGLION_H
#define GANGLION_H

#include <ganglion/abi.h>
#include <ganglion/arena.h>
#include <ganglion/checkpoint.h>
#include <ganglion/error.h>
#include <ganglion/gemm.h>
#include <ganglion/gradcheck.h>
#include <ganglion/graph.h>
#include <ganglion/host_api.h>
#include <ganglion/image.h>
#include <ganglion/init.h>
#include <ganglion/lbfgs.h>
#include <ganglion/layer.h>
#include <ganglion/model.h>
#include <ganglion/ops.h>
#include <ganglion/optim.h>
#include <ganglion/plot.h>
#include <ganglion/plugin.h>
#include <ganglion/registry.h>
#include <ganglion/rng.h>
#include <ganglion/schema.h>
#include <ganglion/tensor.h>

#endif
