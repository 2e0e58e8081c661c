#include "engineio.h"
