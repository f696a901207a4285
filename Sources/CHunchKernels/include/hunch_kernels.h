#ifndef HUNCH_KERNELS_H
#define HUNCH_KERNELS_H

#include <stdint.h>

#endif
