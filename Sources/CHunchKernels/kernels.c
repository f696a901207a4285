#include "hunch_kernels.h"
